"""Slack listeners for joint stand-ups."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.services import Services
from bot.slack.commands import CommandRouter

NOT_BUILT = "Joint stand-ups are not built yet in this version of Tandem. Try `/standup help` to see what is planned."


def register(app: App, services: Services) -> None:
    router = CommandRouter("/standup", "Joint stand-ups", default="new")

    @router.add("new", "", "set up a stand-up")
    def on_standup_new(ack: Ack, **_: Any) -> None:
        ack(text=NOT_BUILT, response_type="ephemeral")

    @router.add("list", "list", "your stand-ups")
    def on_standup_list(ack: Ack, **_: Any) -> None:
        ack(text=NOT_BUILT, response_type="ephemeral")

    app.command("/standup")(router)
