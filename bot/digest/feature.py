"""The weekly digest feature: its listeners, job and outbox hooks (listed in bot/features.py)."""

from __future__ import annotations

from bot.digest import jobs, listeners, outbox
from bot.feature import Feature

FEATURE = Feature(
    name="digest",
    register=listeners.register,
    jobs=jobs.JOBS,
    result_hooks=outbox.RESULT_HOOKS,
    failure_hooks=outbox.FAILURE_HOOKS,
)
