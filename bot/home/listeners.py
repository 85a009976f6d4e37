"""App Home listeners."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.services import Services

PLACEHOLDER_HOME: dict[str, Any] = {
    "type": "home",
    "blocks": [
        {"type": "header", "text": {"type": "plain_text", "text": "Tandem"}},
        {
            "type": "section",
            "text": {
                "type": "mrkdwn",
                "text": "Stand-ups, retros and customer insights for product and marketing. "
                "Your personal dashboard is not built yet in this version; try `/standup help`.",
            },
        },
    ],
}


def register(app: App, services: Services) -> None:
    @app.event("app_home_opened")
    def on_home_opened(event: dict[str, Any], client: WebClient) -> None:
        if event.get("tab") != "home":
            return
        client.views_publish(user_id=event["user"], view=PLACEHOLDER_HOME)
