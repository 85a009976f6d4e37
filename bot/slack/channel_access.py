"""Can Tandem post in a channel a person just picked? The one check behind every setup modal.

A setup modal (stand-up, retro, digest, the insights channel) asks this before saving, so the
person fixes the channel while their typed answers are still in the form. :func:`read_access`
is the one Slack read (``conversations.info``); :func:`access_problem` is the pure verdict with
the fix in words. The drainer checks again before each post (``bot.slack.drainer``), so a
channel that changes later is caught there, and its owner told.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

from slack_sdk.errors import SlackApiError

from bot.slack.channels import NEEDS_CONFIRMATION, is_external

if TYPE_CHECKING:
    from slack_sdk import WebClient

log = logging.getLogger(__name__)

NOT_FOUND = (
    "I can't see that channel. If it is private, invite me there first "
    "(type `/invite @Tandem` in the channel), then save again."
)
ARCHIVED = "That channel is archived. Pick another one."
NOT_A_MEMBER = "I'm not in {where} yet. Type `/invite @Tandem` in {where}, then save again."
NO_EXTERNAL = "That channel is shared with another organisation. Pick an internal channel: {why}."


@dataclass(frozen=True)
class ChannelAccess:
    """What Slack says of a channel, as far as posting there goes."""

    found: bool = True
    archived: bool = False
    member: bool = False
    external: bool = False  # shared with another organisation (bot.slack.channels.is_external)
    name: str = ""


# Slack could not say (rate limit, outage): setup is not blocked on a hiccup; the drainer checks
# again before each post and tells the owner if it fails.
UNKNOWN = ChannelAccess(found=True, member=True)


def read_access(client: WebClient, channel_id: str) -> ChannelAccess:
    """Ask Slack about ``channel_id``. ``channel_not_found`` / ``not_in_channel`` (a private channel
    the bot is not in) mean not found; any other error gives :data:`UNKNOWN`."""
    try:
        channel = client.conversations_info(channel=channel_id).get("channel") or {}
    except SlackApiError as error:
        code = error.response.get("error")
        if code in ("channel_not_found", "not_in_channel"):
            return ChannelAccess(found=False)
        log.warning("conversations.info failed while checking a channel: %s", code)
        return UNKNOWN
    return ChannelAccess(
        found=True,
        archived=bool(channel.get("is_archived")),
        # DMs and group DMs have no is_member; the bot can post only where it is a member.
        member=bool(channel.get("is_member")),
        external=is_external(channel),
        name=str(channel.get("name") or ""),
    )


def access_problem(access: ChannelAccess, *, external_ok: bool, refuse_external: str | None = None) -> str | None:
    """Why a ritual can't be saved with this channel (the message names the fix), or None.

    ``external_ok``: the person ticked the setup modal's "post there anyway" box.
    ``refuse_external``: for what must never go to another organisation (insights name customers),
    the reason, and no box can override it.
    """
    if not access.found:
        return NOT_FOUND
    if refuse_external is not None and access.external:
        return NO_EXTERNAL.format(why=refuse_external)
    if access.archived:
        return ARCHIVED
    if not access.member:
        return NOT_A_MEMBER.format(where=f"#{access.name}" if access.name else "that channel")
    if access.external and not external_ok:
        return NEEDS_CONFIRMATION
    return None
