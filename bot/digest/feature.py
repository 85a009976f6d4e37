"""The weekly digest feature: its listeners, job and outbox hooks (listed in bot/features.py)."""

from __future__ import annotations

from bot.digest import jobs, listeners, service
from bot.feature import Feature

FEATURE = Feature(
    name="digest",
    register=listeners.register,
    jobs=jobs.JOBS,
    result_hooks=service.RESULT_HOOKS,
    failure_hooks=service.FAILURE_HOOKS,
)
