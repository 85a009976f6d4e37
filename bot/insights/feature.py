"""The insights feature: its listeners and outbox hook (listed in bot/features.py); no jobs."""

from __future__ import annotations

from bot.feature import Feature
from bot.insights import listeners, outbox

FEATURE = Feature(name="insights", register=listeners.register, result_hooks=outbox.RESULT_HOOKS)
