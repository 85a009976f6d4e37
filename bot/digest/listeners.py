"""Slack listeners for weekly digest."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.services import Services
from bot.slack.commands import CommandRouter

NOT_BUILT = "Weekly digest are not built yet in this version of Tandem. Try `/digest help` to see what is planned."


def register(app: App, services: Services) -> None:
    router = CommandRouter("/digest", "Weekly digest", default="setup")

    @router.add("setup", "setup", "set up a weekly digest")
    def on_digest_setup(ack: Ack, **_: Any) -> None:
        ack(text=NOT_BUILT, response_type="ephemeral")

    @router.add("preview", "preview", "preview this week's digest")
    def on_digest_preview(ack: Ack, **_: Any) -> None:
        ack(text=NOT_BUILT, response_type="ephemeral")

    app.command("/digest")(router)
