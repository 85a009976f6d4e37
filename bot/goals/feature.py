"""The shared-goals feature: its listeners, and its web route (``POST /goals/<id>/values``).

On this branch (values) only the values modal's listeners; the /goal command's listeners
(goalcore) and the check-ins (checkins) join here when the branches are merged.
"""

from __future__ import annotations

from bot.feature import Feature
from bot.goals import endpoint, listeners_values, outbox

FEATURE = Feature(
    name="goals",
    register=listeners_values.register,
    result_hooks=outbox.RESULT_HOOKS,
    web_routes=endpoint.WEB_ROUTES,
)
