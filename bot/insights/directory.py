"""The insights services' Slack reads (``data.Directory``), on the Bolt ``client`` of a request."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack import users as slack_users
from bot.slack.channels import channel_is_external

log = logging.getLogger(__name__)


@dataclass
class SlackDirectory:
    client: WebClient
    team_id: str

    def is_admin(self, user_id: str) -> bool:
        return slack_users.is_workspace_admin(self.client, self.team_id, user_id)

    def group_members(self, group_id: str) -> list[str]:
        return slack_users.usergroup_members(self.client, group_id)

    def usergroups(self) -> list[tuple[str, str]]:
        try:
            groups = self.client.usergroups_list().get("usergroups") or []
        except SlackApiError as error:
            log.info("no user groups for setup: %s", error.response.get("error"))
            return []
        return [(str(g["id"]), str(g.get("handle") or g.get("name") or g["id"])) for g in groups if g.get("id")]

    def shared_with_others(self, channel_id: str) -> bool:
        try:
            return channel_is_external(self.client, channel_id)
        except SlackApiError as error:
            log.info("conversations.info failed for an insight's source channel: %s", error.response.get("error"))
            return True
