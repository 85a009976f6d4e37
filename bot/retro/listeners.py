"""Slack listeners for retros."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.services import Services
from bot.slack.commands import CommandRouter

NOT_BUILT = "Retros are not built yet in this version of Tandem. Try `/retro help` to see what is planned."


def register(app: App, services: Services) -> None:
    router = CommandRouter("/retro", "Retros", default="new")

    @router.add("new", "", "set up a retro")
    def on_retro_new(ack: Ack, **_: Any) -> None:
        ack(text=NOT_BUILT, response_type="ephemeral")

    @router.add("list", "list", "retros in this workspace")
    def on_retro_list(ack: Ack, **_: Any) -> None:
        ack(text=NOT_BUILT, response_type="ephemeral")

    app.command("/retro")(router)
