"""The launches feature: its listeners, jobs and outbox hooks, listed in bot/features.py."""

from __future__ import annotations

from bot.feature import Feature
from bot.launches import checklist_outbox, dates_outbox, jobs, listeners, outbox

FEATURE = Feature(
    name="launches",
    register=listeners.register,
    jobs=jobs.JOBS,
    result_hooks={**outbox.RESULT_HOOKS, **checklist_outbox.RESULT_HOOKS, **dates_outbox.RESULT_HOOKS},
)
