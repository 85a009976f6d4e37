"""The launches feature: its jobs and outbox hooks, listed in bot/features.py. (The ``/launch``
listeners and the other timers' jobs join it as they land.)"""

from __future__ import annotations

from bot.feature import Feature
from bot.launches import jobs_after, outbox

FEATURE = Feature(name="launches", jobs=jobs_after.JOBS, result_hooks=outbox.RESULT_HOOKS)
