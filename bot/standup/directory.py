"""The stand-up's ``Directory`` (who people are) read from Slack: users.info and usergroups.

The services take a ``data.Directory`` and never a Slack client; jobs, listeners and the group
re-sync build this one from the team's client. A Slack API error reaches them as
``DirectoryUnavailable``.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.slack import users as slack_users
from bot.standup.data import DirectoryUnavailable


@dataclass
class SlackDirectory:
    client: WebClient
    team_id: str

    def get_user(self, user_id: str) -> slack_users.SlackUser | None:
        try:
            return slack_users.get_user(self.client, self.team_id, user_id)
        except slack_users.UserNotFound:
            return None
        except SlackClientError as error:
            raise DirectoryUnavailable(type(error).__name__) from error

    def group_members(self, group_id: str) -> list[str]:
        try:
            return slack_users.usergroup_members(self.client, group_id)
        except SlackClientError as error:
            raise DirectoryUnavailable(type(error).__name__) from error
