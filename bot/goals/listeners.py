"""Slack listeners for shared goals.

Minimal on the check-ins branch: only the check-in listeners (``listeners_checkin``). The
``/goal`` command's listeners live here on the goal-core branch; merged, this ``register`` calls
``listeners_checkin.register(app, services)`` beside them.
"""

from __future__ import annotations

from slack_bolt import App

from bot.goals import listeners_checkin
from bot.services import Services


def register(app: App, services: Services) -> None:
    listeners_checkin.register(app, services)
