"""The shared-goals feature: its listeners, jobs, outbox hooks, the renderer of its channel message
and its web route (``POST /goals/<id>/values``), listed in bot/features.py."""

from __future__ import annotations

from bot.feature import Feature
from bot.goals import checkin_outbox, endpoint, jobs, listeners, outbox

FEATURE = Feature(
    name="goals",
    register=listeners.register,
    jobs=jobs.JOBS,
    result_hooks={**outbox.RESULT_HOOKS, **checkin_outbox.RESULT_HOOKS},
    renderers=outbox.RENDERERS,
    web_routes=endpoint.WEB_ROUTES,
)
