"""The emulator's state: workspaces, users, channels, messages, views.

Plain data classes; the emulator (``bot.playground.slack_emulator``) owns them and guards them with its
lock. Ids look like Slack's (``T``/``U``/``C``/``G``/``D``/``S``/``V`` + upper-case alphanumerics)
and are unique across all workspaces of one emulator, so a channel or user id alone says which
workspace it belongs to.
"""

from __future__ import annotations

import itertools
import mimetypes
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

APP_ID = "A0TANDEM01"


@dataclass
class User:
    id: str
    team_id: str
    name: str  # handle, e.g. "pat"
    real_name: str
    tz: str = "UTC"
    deleted: bool = False
    is_bot: bool = False
    is_admin: bool = False
    title: str = ""
    bot_id: str | None = None

    @property
    def email(self) -> str:
        return f"{self.name}@example.com"

    def tz_offset(self, at: datetime | None = None) -> int:
        """Seconds east of UTC at ``at`` (default: now), the way Slack reports ``tz_offset``."""
        offset = (at or datetime.now(UTC)).astimezone(ZoneInfo(self.tz)).utcoffset()
        return int(offset.total_seconds()) if offset is not None else 0

    def to_api(self) -> dict[str, Any]:
        now = datetime.now(UTC)
        label = now.astimezone(ZoneInfo(self.tz)).tzname() or self.tz
        first, _, last = self.real_name.partition(" ")
        profile: dict[str, Any] = {
            "title": self.title,
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "first_name": first,
            "last_name": last,
            "team": self.team_id,
            "image_48": f"https://avatars.example.com/{self.id}_48.png",
            "image_72": f"https://avatars.example.com/{self.id}_72.png",
            "status_text": "",
            "status_emoji": "",
        }
        if not self.is_bot:
            profile["email"] = self.email
        else:
            profile["bot_id"] = self.bot_id
            profile["api_app_id"] = APP_ID
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "deleted": self.deleted,
            "color": "9f69e7",
            "real_name": self.real_name,
            "tz": self.tz,
            "tz_label": label,
            "tz_offset": self.tz_offset(now),
            "profile": profile,
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
        }


@dataclass
class Channel:
    id: str
    team_id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    is_mpim: bool = False
    im_user: str | None = None  # the human in a bot DM
    members: set[str] = field(default_factory=set)
    is_archived: bool = False
    created: int = 1700000000
    # Sharing, as conversations.info reports it: Slack Connect with other organisations' teams,
    # a pending Connect invitation, or shared with other workspaces of our own Enterprise Grid org.
    external_teams: list[str] = field(default_factory=list)
    pending_external: bool = False
    org_teams: list[str] = field(default_factory=list)

    @property
    def shared_team_ids(self) -> list[str]:
        return [self.team_id, *self.org_teams, *self.external_teams] if self.is_shared else []

    @property
    def is_shared(self) -> bool:
        return bool(self.external_teams or self.org_teams)

    def to_api(self, bot_user_id: str) -> dict[str, Any]:
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.im_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        return {
            "id": self.id,
            "name": self.name,
            "name_normalized": self.name,
            "is_channel": not self.is_private and not self.is_mpim,
            "is_group": self.is_private and not self.is_mpim,
            "is_im": False,
            "is_mpim": self.is_mpim,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "is_shared": self.is_shared,
            "is_org_shared": bool(self.org_teams),
            "is_ext_shared": bool(self.external_teams),
            "is_pending_ext_shared": self.pending_external,
            "pending_shared": [],
            "is_member": bot_user_id in self.members,
            "created": self.created,
            "creator": "",
            "context_team_id": self.team_id,
            **(
                {"shared_team_ids": self.shared_team_ids, "conversation_host_id": self.team_id}
                if self.is_shared
                else {}
            ),
            "num_members": len(self.members),
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }


@dataclass
class Message:
    """A message the bot posted (chat.postMessage, files, or an in_channel response_url post), or
    one a person typed in the playground (``via="user"``, ``bot_id`` empty)."""

    team_id: str
    channel: str
    ts: str
    user: str  # the bot user
    bot_id: str
    text: str = ""
    blocks: list[dict[str, Any]] | None = None
    attachments: list[dict[str, Any]] | None = None
    thread_ts: str | None = None  # set on replies (and on parents once replied to)
    metadata: dict[str, Any] | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    replies: list[Message] = field(default_factory=list)
    reactions: dict[str, list[str]] = field(default_factory=dict)
    edits: list[dict[str, Any]] = field(default_factory=list)  # earlier versions, oldest first
    deleted: bool = False
    reply_broadcast: bool = False
    via: str = "chat.postMessage"
    args: dict[str, Any] = field(default_factory=dict)

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": "message", "user": self.user}
        if self.bot_id:  # a person's message (the playground's composer) has no bot fields
            data.update({"bot_id": self.bot_id, "app_id": APP_ID})
        data.update({"text": self.text, "ts": self.ts, "team": self.team_id})
        if self.blocks is not None:
            data["blocks"] = self.blocks
        if self.attachments:
            data["attachments"] = self.attachments
        if self.thread_ts is not None:
            data["thread_ts"] = self.thread_ts
        if self.replies:
            data["reply_count"] = len([r for r in self.replies if not r.deleted])
            data["latest_reply"] = self.replies[-1].ts
        if self.metadata:
            data["metadata"] = self.metadata
        if self.files:
            data["files"] = self.files
        if self.edits:
            data["edited"] = {"user": self.user, "ts": self.edits[-1]["edited_at"]}
        if self.reactions:
            data["reactions"] = [
                {"name": name, "users": users, "count": len(users)} for name, users in self.reactions.items() if users
            ]
        return data


@dataclass
class Ephemeral:
    """An ephemeral message: chat.postEphemeral, an ephemeral response_url post, or an ack body."""

    team_id: str
    channel: str | None
    user: str
    ts: str
    text: str = ""
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None
    via: str = "chat.postEphemeral"


@dataclass
class ViewRecord:
    """A modal or home view as Slack holds it; ``view`` is the API object (id, hash, state...)."""

    id: str
    team_id: str
    user_id: str
    type: str  # "modal" or "home"
    view: dict[str, Any]
    opened_by: str  # views.open / views.push / views.publish / response_action
    closed: bool = False

    @property
    def callback_id(self) -> str:
        return str(self.view.get("callback_id") or "")

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.view.get("blocks") or [])

    @property
    def private_metadata(self) -> str:
        return str(self.view.get("private_metadata") or "")


@dataclass
class Trigger:
    id: str
    team_id: str
    user_id: str
    created: float  # time.monotonic()
    view_id: str | None = None  # the view the interaction came from (for views.push)
    used: bool = False


@dataclass
class ResponseUrl:
    id: str
    url: str
    team_id: str
    channel_id: str | None
    user_id: str
    created: float  # time.monotonic()
    message_ts: str | None = None  # the message an interaction came from (replace/delete_original)
    posts: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class UploadedFile:
    id: str
    team_id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str = ""
    shared_in: list[str] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.filename,
            "title": self.title or self.filename,
            "size": len(self.content or b""),
            "mimetype": mimetypes.guess_type(self.filename)[0] or "application/octet-stream",
            "filetype": self.filename.rsplit(".", 1)[-1] if "." in self.filename else "binary",
            "user_team": self.team_id,
            "is_public": bool(self.shared_in),
            "channels": list(self.shared_in),
            "url_private": f"https://files.example.com/{self.id}/{self.filename}",
            "permalink": f"https://files.example.com/{self.id}",
        }


_counter = itertools.count(1)


def restart_ids(at: int) -> None:
    """Go on numbering ids from ``at`` (a playground restored from its saved state)."""
    global _counter
    _counter = itertools.count(max(at, next(_counter)))


def new_id(prefix: str) -> str:
    """A fresh Slack-looking id, unique in this test process."""
    number = next(_counter)
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    text = ""
    while number:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
    return prefix + text.rjust(9, "0")


@dataclass
class Workspace:
    """One Slack workspace (team) with its bot token. Look things up by handle/name."""

    team_id: str
    name: str
    domain: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    users: dict[str, User] = field(default_factory=dict)  # by id
    channels: dict[str, Channel] = field(default_factory=dict)  # by id
    usergroups: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # id -> (handle, users)
    active: bool = True

    # --- look-ups by human name -----------------------------------------------------------
    def user_id(self, handle: str) -> str:
        for user in self.users.values():
            if user.name == handle:
                return user.id
        raise KeyError(f"no user {handle!r} in {self.name}")

    def user(self, handle_or_id: str) -> User:
        if handle_or_id in self.users:
            return self.users[handle_or_id]
        return self.users[self.user_id(handle_or_id)]

    def channel_id(self, name: str) -> str:
        name = name.removeprefix("#")
        for channel in self.channels.values():
            if channel.name == name and not channel.is_im:
                return channel.id
        raise KeyError(f"no channel #{name} in {self.name}")

    def channel(self, name_or_id: str) -> Channel:
        if name_or_id in self.channels:
            return self.channels[name_or_id]
        return self.channels[self.channel_id(name_or_id)]

    def usergroup_id(self, handle: str) -> str:
        for group_id, (group_handle, _users) in self.usergroups.items():
            if group_handle == handle:
                return group_id
        raise KeyError(f"no user group @{handle} in {self.name}")

    @property
    def humans(self) -> list[User]:
        return [u for u in self.users.values() if not u.is_bot and not u.deleted]

    # --- building ---------------------------------------------------------------------------
    def add_user(self, handle: str, real_name: str, tz: str = "UTC", **extra: Any) -> User:
        user = User(id=new_id("U"), team_id=self.team_id, name=handle, real_name=real_name, tz=tz, **extra)
        self.users[user.id] = user
        return user

    def add_channel(
        self,
        name: str,
        *,
        private: bool = False,
        members: list[str] | None = None,
        bot_member: bool = True,
        archived: bool = False,
        external_teams: list[str] | None = None,
        org_teams: list[str] | None = None,
    ) -> Channel:
        member_ids = {self.user(m).id for m in (members or [])}
        if bot_member:
            member_ids.add(self.bot_user_id)
        channel = Channel(
            id=new_id("G" if private else "C"),
            team_id=self.team_id,
            name=name,
            is_private=private,
            members=member_ids,
            is_archived=archived,
            external_teams=list(external_teams or []),
            org_teams=list(org_teams or []),
        )
        self.channels[channel.id] = channel
        return channel

    def share_externally(self, name_or_id: str, other_team_id: str | None = None) -> Channel:
        """Slack Connect: ``name_or_id`` becomes shared with another organisation's workspace."""
        channel = self.channel(name_or_id)
        channel.external_teams.append(other_team_id or new_id("T"))
        return channel

    def add_usergroup(self, handle: str, members: list[str]) -> str:
        group_id = new_id("S")
        self.usergroups[group_id] = (handle, [self.user(m).id for m in members])
        return group_id

    def im_with(self, user_id: str) -> Channel:
        """The bot's DM with ``user_id`` (created on first use, as Slack does)."""
        for channel in self.channels.values():
            if channel.is_im and channel.im_user == user_id:
                return channel
        channel = Channel(
            id=new_id("D"),
            team_id=self.team_id,
            name="",
            is_im=True,
            im_user=user_id,
            members={user_id, self.bot_user_id},
        )
        self.channels[channel.id] = channel
        return channel


# The standard cast: two product people, two marketers, time zones with DST on both sides of the
# Atlantic and a half-hour offset (Asia/Kolkata), a deactivated user and an admin.
DEFAULT_USERS: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("pat", "Pat Morgan", "America/New_York", {"title": "Product Manager"}),
    ("max", "Max Becker", "Europe/Berlin", {"title": "Product Designer"}),
    ("asha", "Asha Iyer", "Asia/Kolkata", {"title": "Product Marketing Manager"}),
    ("mia", "Mia Chen", "America/Los_Angeles", {"title": "Head of Marketing"}),
    ("ada", "Ada Admin", "Europe/London", {"title": "Workspace Admin", "is_admin": True}),
    ("gone", "Gale Former", "UTC", {"deleted": True}),
)


def build_workspace(name: str = "Acme", domain: str | None = None) -> Workspace:
    """A workspace with the standard cast, channels and user groups.

    Users: pat (America/New_York), max (Europe/Berlin), asha (Asia/Kolkata, +5:30), mia
    (America/Los_Angeles), ada (admin, Europe/London), gone (deactivated).
    Channels: #general (everyone, bot in), #product-marketing (pat, max, asha, mia, bot in),
    #random (bot NOT in), private #launch-room (pat, asha, bot in), private #leadership (mia,
    bot NOT in), #old-campaign (archived, bot in), #customer-acme (Slack Connect: shared with the
    customer's organisation; pat, asha, bot in).
    User groups: @product (pat, max), @marketing (asha, mia).
    """
    team_id = new_id("T")
    bot_user_id = new_id("U")
    workspace = Workspace(
        team_id=team_id,
        name=name,
        domain=domain or name.lower().replace(" ", "-"),
        bot_token=f"xoxb-{team_id.lower()}-{new_id('').lower()}-emulated",
        bot_user_id=bot_user_id,
        bot_id=new_id("B"),
    )
    workspace.users[bot_user_id] = User(
        id=bot_user_id, team_id=team_id, name="tandem", real_name="Tandem", is_bot=True, bot_id=workspace.bot_id
    )
    for handle, real_name, tz, extra in DEFAULT_USERS:
        workspace.add_user(handle, real_name, tz, **extra)
    everyone = [u.name for u in workspace.users.values() if not u.is_bot and not u.deleted]
    workspace.add_channel("general", members=everyone)
    workspace.add_channel("product-marketing", members=["pat", "max", "asha", "mia"])
    workspace.add_channel("random", members=everyone, bot_member=False)
    workspace.add_channel("launch-room", private=True, members=["pat", "asha"])
    workspace.add_channel("leadership", private=True, members=["mia"], bot_member=False)
    workspace.add_channel("old-campaign", members=["asha", "mia"], archived=True)
    # The customer's people belong to their own workspace (not in our users.list, as in Slack).
    workspace.add_channel("customer-acme", members=["pat", "asha"], external_teams=[new_id("T")])
    workspace.add_usergroup("product", ["pat", "max"])
    workspace.add_usergroup("marketing", ["asha", "mia"])
    return workspace
