"""The launches feature: its listeners, jobs and outbox hooks, listed in bot/features.py.

Minimal wiring of the checklist (lcheck); the /launch command's listeners (lplan) join here."""

from __future__ import annotations

from bot.feature import Feature
from bot.launches import checklist_outbox, jobs, listeners_checklist, outbox

FEATURE = Feature(
    name="launches",
    register=listeners_checklist.register,
    jobs=jobs.JOBS,
    result_hooks={**outbox.RESULT_HOOKS, **checklist_outbox.RESULT_HOOKS},
)
