"""Slack listeners for customer insights."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.services import Services
from bot.slack.commands import CommandRouter

NOT_BUILT = "Customer insights are not built yet in this version of Tandem. Try `/insight help` to see what is planned."


def register(app: App, services: Services) -> None:
    router = CommandRouter("/insight", "Customer insights", default="new")

    @router.add("new", "[text]", "capture a customer insight")
    def on_insights_new(ack: Ack, **_: Any) -> None:
        ack(text=NOT_BUILT, response_type="ephemeral")

    @router.add("list", "list", "recent insights")
    def on_insights_list(ack: Ack, **_: Any) -> None:
        ack(text=NOT_BUILT, response_type="ephemeral")

    app.command("/insight")(router)

    @app.shortcut("save_as_insight")
    def on_insights_message_shortcut(ack: Ack, respond: Any) -> None:
        ack()
        respond(text=NOT_BUILT, response_type="ephemeral", replace_original=False)
