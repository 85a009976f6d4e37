"""The retro feature: its listeners, jobs and outbox hook (listed in bot/features.py)."""

from __future__ import annotations

from bot.feature import Feature
from bot.retro import jobs, listeners, outbox

FEATURE = Feature(name="retro", register=listeners.register, jobs=jobs.JOBS, result_hooks=outbox.RESULT_HOOKS)
