"""Who is this person? users.info / usergroups.users.list with a short in-process cache.

Used for time zones (per-person schedules), names, deactivated accounts and the
"workspace admin" permission. Cached briefly because Slack data changes rarely and
users.info is Tier 4; callers that must be fresh pass ``fresh=True``.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

_TTL_SECONDS = 300.0


@dataclass(frozen=True)
class SlackUser:
    id: str
    team_id: str
    name: str
    tz: str
    is_admin: bool
    is_bot: bool
    deleted: bool

    @property
    def active_person(self) -> bool:
        return not self.deleted and not self.is_bot


def known_zone(user: SlackUser | None, fallback: str = "UTC") -> str:
    """The person's Slack zone when it is one zoneinfo knows, else ``fallback``."""
    name = user.tz if user is not None and user.tz else fallback
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return fallback
    return name


class UserNotFound(Exception):
    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id} not found")
        self.user_id = user_id


_cache: dict[tuple[str, str], tuple[float, SlackUser]] = {}
_lock = threading.Lock()


def _from_payload(user: dict, team_id: str) -> SlackUser:
    profile = user.get("profile") or {}
    name = user.get("real_name") or profile.get("real_name") or profile.get("display_name") or user.get("name") or ""
    return SlackUser(
        id=str(user["id"]),
        team_id=str(user.get("team_id") or team_id),
        name=str(name),
        tz=str(user.get("tz") or "UTC"),
        is_admin=bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")),
        is_bot=bool(user.get("is_bot")) or user.get("id") == "USLACKBOT",
        deleted=bool(user.get("deleted")),
    )


def get_user(client: WebClient, team_id: str, user_id: str, *, fresh: bool = False) -> SlackUser:
    key = (team_id, user_id)
    now = time.monotonic()
    if not fresh:
        with _lock:
            hit = _cache.get(key)
        if hit is not None and now - hit[0] < _TTL_SECONDS:
            return hit[1]
    try:
        response = client.users_info(user=user_id)
    except SlackApiError as error:
        if error.response.get("error") == "user_not_found":
            raise UserNotFound(user_id) from None
        raise
    user = _from_payload(response["user"], team_id)
    with _lock:
        _cache[key] = (now, user)
    return user


def is_workspace_admin(client: WebClient, team_id: str, user_id: str) -> bool:
    try:
        return get_user(client, team_id, user_id).is_admin
    except UserNotFound:
        return False


def usergroup_members(client: WebClient, usergroup_id: str) -> list[str]:
    response = client.usergroups_users_list(usergroup=usergroup_id)
    return [str(u) for u in response.get("users") or []]


def clear_cache() -> None:
    with _lock:
        _cache.clear()
