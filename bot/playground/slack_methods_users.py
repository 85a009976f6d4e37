"""Web API methods about people: users.info, users.list, users.lookupByEmail, usergroups.*."""

from __future__ import annotations

import time
from typing import Any

from bot.playground.slack_emulator_state import EmulatorState, Method
from bot.playground.slack_emulator_types import SlackError
from bot.playground.slack_method_args import paginate, truthy, user_arg
from bot.playground.workspace_state import Workspace


def _users_info(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"user": user_arg(ws, args.get("user")).to_api()}


def _users_list(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    members, next_cursor = paginate([u.to_api() for u in ws.users.values()], args, "users", default=200)
    return {"members": members, "cache_ts": int(time.time()), "response_metadata": {"next_cursor": next_cursor}}


def _users_lookup(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    for user in ws.users.values():
        if not user.is_bot and user.email == args.get("email"):
            return {"user": user.to_api()}
    raise SlackError("users_not_found")


def _usergroups_users_list(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    group = ws.usergroups.get(str(args.get("usergroup") or ""))
    if group is None:
        raise SlackError("no_such_subteam")
    return {"users": list(group[1])}


def _usergroups_list(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    include_users = truthy(args.get("include_users"))
    groups = []
    for group_id, (handle, users) in ws.usergroups.items():
        item: dict[str, Any] = {
            "id": group_id,
            "team_id": ws.team_id,
            "handle": handle,
            "name": handle.title(),
            "user_count": len(users),
        }
        if include_users:
            item["users"] = list(users)
        groups.append(item)
    return {"usergroups": groups}


USER_METHODS: dict[str, Method] = {
    "users.info": _users_info,
    "users.list": _users_list,
    "users.lookupByEmail": _users_lookup,
    "usergroups.users.list": _usergroups_users_list,
    "usergroups.list": _usergroups_list,
}
