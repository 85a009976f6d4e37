"""The launch services' Slack reads (``data.Directory``), on the Bolt ``client`` of a request."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient

from bot.slack import users as slack_users
from bot.slack.users import SlackUser, UserNotFound


@dataclass
class SlackDirectory:
    client: WebClient
    team_id: str

    def get_user(self, user_id: str) -> SlackUser | None:
        """Who ``user_id`` is (zone, admin), from users.info through its short cache; None if gone."""
        try:
            return slack_users.get_user(self.client, self.team_id, user_id)
        except UserNotFound:
            return None
