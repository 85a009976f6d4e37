"""The shared-goals feature: its listeners and outbox hooks, listed in bot/features.py.

Its check-in jobs (``bot.goals.jobs.JOBS``) join here when the check-in rounds land."""

from __future__ import annotations

from bot.feature import Feature
from bot.goals import listeners, outbox

FEATURE = Feature(name="goals", register=listeners.register, result_hooks=outbox.RESULT_HOOKS)
