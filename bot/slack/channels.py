"""Who can read a channel: the one rule behind "never speak in a customer's channel unasked".

A channel counts as **external** when people of another organisation can read it:

- ``is_ext_shared`` — a Slack Connect channel, shared with another organisation;
- ``is_pending_ext_shared`` — a Connect invitation is pending: treat it as shared already;
- ``is_shared`` without ``is_org_shared`` — shared with another workspace that is not part of our
  Enterprise Grid organisation. ``is_org_shared`` alone means shared between workspaces of the
  *same* organisation: internal.

(Flags as ``conversations.info`` reports them; see Slack's "Understanding Slack Connect".)

Tandem posts, replies, reacts or updates in an external channel only when a person chose it:
a ritual's owner ticked the confirmation in its setup modal (stored with the ritual, who and
when), or a triager ticked "Also tell them" for one reply. The outbox carries that choice per row
(``allow_external``), and the drainer checks the channel's flags right before sending (see
``bot.slack.drainer``), so a channel that became shared after setup gets nothing either.

Everything here is pure except :func:`channel_is_external` (one Web API read) and
:class:`AudienceCache` (a small per-process TTL cache used by the drainer).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.slack.blocks import Block, input_block, option, plain_text

if TYPE_CHECKING:  # annotations only: the pure helpers here are imported by views
    from slack_sdk import WebClient

# The outbox error of a row held back because its channel is external and nobody confirmed it.
EXTERNAL_CHANNEL = "external_channel"
# Web API methods that make something visible in a channel (chat.postEphemeral is seen only by
# the one person it is addressed to, who asked; chat.delete removes).
VISIBLE_METHODS = frozenset(
    {
        "chat.postMessage",
        "chat.update",
        "chat.scheduleMessage",
        "chat.meMessage",
        "reactions.add",
        "files.completeUploadExternal",
    }
)

CONFIRM_VALUE = "post_in_external_channel"
CONFIRM_LABEL = "This channel includes people outside your organisation"
CONFIRM_OPTION = "Post there anyway"
CONFIRM_HINT = (
    "Only needed for a channel shared with another organisation (Slack Connect). "
    "Leave it unticked to keep everything inside your company."
)
NEEDS_CONFIRMATION = (
    "That channel includes people outside your organisation. Pick an internal channel, or tick "
    "“post there anyway” below if they should see this."
)


def is_external(info: Mapping[str, Any]) -> bool:
    """Whether people of another organisation can read the channel ``info`` (conversations.info's
    ``channel`` object) describes."""
    if info.get("is_ext_shared") or info.get("is_pending_ext_shared"):
        return True
    return bool(info.get("is_shared")) and not info.get("is_org_shared")


def is_channel_id(target: str) -> bool:
    """Channel ids (public ``C``, private ``G``), as opposed to DMs (``D``) and user ids (a DM)."""
    return target[:1] in ("C", "G")


def post_target(method: str, args: Mapping[str, Any]) -> str | None:
    """The channel a visible call would show something in, or None (a DM, or not a visible call)."""
    if method not in VISIBLE_METHODS:
        return None
    target = args.get("channel") if method != "files.completeUploadExternal" else args.get("channel_id")
    return target if isinstance(target, str) and is_channel_id(target) else None


def channel_is_external(client: WebClient, channel_id: str) -> bool:
    """Ask Slack whether ``channel_id`` is external. Raises ``SlackApiError`` (e.g.
    ``channel_not_found``): callers decide; none of them treats "unknown" as internal."""
    info = client.conversations_info(channel=channel_id).get("channel") or {}
    return is_external(info)


# --- a ritual's confirmation ------------------------------------------------------------------


@dataclass(frozen=True)
class Confirmation:
    """Who confirmed posting a ritual in an external channel, and when (both None: nobody)."""

    by: str | None = None
    at: datetime | None = None

    @property
    def given(self) -> bool:
        return bool(self.by)


def channel_choice_problem(*, external: bool, ticked: bool) -> str | None:
    """The setup modal's error for the channel field, or None when the choice may be saved."""
    return NEEDS_CONFIRMATION if external and not ticked else None


def settle_confirmation(
    *,
    external: bool,
    ticked: bool,
    previous: Confirmation,
    channel_changed: bool,
    user_id: str,
    now: datetime,
) -> Confirmation:
    """What to store after a setup modal was saved. Only a ticked box on an external channel is a
    confirmation; an edit that keeps the channel keeps the original who/when."""
    if not (external and ticked):
        return Confirmation()
    if previous.given and not channel_changed:
        return previous
    return Confirmation(user_id, now)


def confirmation_block(block_id: str, action_id: str, *, confirmed: bool) -> Block:
    """The always-present, optional checkbox of a ritual's setup modal."""
    choice = option(CONFIRM_OPTION, CONFIRM_VALUE)
    choice["description"] = plain_text("People of the other organisation will see what Tandem posts", 75)
    element: dict[str, Any] = {"type": "checkboxes", "action_id": action_id, "options": [choice]}
    if confirmed:
        element["initial_options"] = [choice]
    return input_block(CONFIRM_LABEL, element, block_id=block_id, optional=True, hint=CONFIRM_HINT)


def read_confirmation(values: Mapping[str, Any], block_id: str, action_id: str) -> bool:
    """Whether the setup modal's confirmation box was ticked."""
    state = (values.get(block_id) or {}).get(action_id) or {}
    return any((o or {}).get("value") == CONFIRM_VALUE for o in state.get("selected_options") or [])


# --- the drainer's look-up -----------------------------------------------------------------------


class AudienceCache:
    """``(team, channel) -> external?`` for ``ttl`` seconds, per process.

    The drainer asks before every visible post to a channel; conversations.info is Tier 3 (50+
    a minute per workspace), so one look-up per channel per ``ttl`` keeps it cheap while a channel
    that becomes shared is noticed within ``ttl``. Thread-safe (the drainer sends in parallel)."""

    def __init__(self, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self._clock = clock
        self._entries: dict[tuple[str, str], tuple[bool, float]] = {}
        self._lock = threading.Lock()

    def get(self, team_id: str, channel_id: str) -> bool | None:
        with self._lock:
            entry = self._entries.get((team_id, channel_id))
            if entry is None or entry[1] <= self._clock():
                return None
            return entry[0]

    def put(self, team_id: str, channel_id: str, external: bool) -> None:
        with self._lock:
            self._entries[(team_id, channel_id)] = (external, self._clock() + self.ttl)
