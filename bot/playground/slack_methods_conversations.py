"""Web API conversations.* methods: open (DMs, group DMs), info, members, join, list."""

from __future__ import annotations

from typing import Any

from bot.playground.slack_emulator_state import EmulatorState, Method
from bot.playground.slack_emulator_types import SlackError
from bot.playground.slack_method_args import paginate, truthy, user_arg
from bot.playground.workspace_state import Channel, Workspace, new_id


def _conversations_open(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    if args.get("channel"):
        channel = em._resolve_channel(ws, str(args["channel"]), for_posting=False)
        return {"channel": channel.to_api(ws.bot_user_id) if truthy(args.get("return_im")) else {"id": channel.id}}
    ids = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
    if not ids:
        raise SlackError("users_list_not_supplied")
    users = [user_arg(ws, uid) for uid in ids]
    if any(u.deleted for u in users):
        raise SlackError("user_disabled")
    if len(users) == 1:
        existed = any(c.is_im and c.im_user == users[0].id for c in ws.channels.values())
        channel = ws.im_with(users[0].id)
        body: dict[str, Any] = {
            "channel": channel.to_api(ws.bot_user_id) if truthy(args.get("return_im")) else {"id": channel.id}
        }
        if existed:
            body.update({"no_op": True, "already_open": True})
        return body
    if len(users) > 8:
        raise SlackError("too_many_users")
    members = {u.id for u in users} | {ws.bot_user_id}
    for channel in ws.channels.values():
        if channel.is_mpim and channel.members == members:
            return {"channel": channel.to_api(ws.bot_user_id)}
    channel = Channel(
        new_id("G"),
        ws.team_id,
        "mpdm-" + "--".join(u.name for u in users) + "-1",
        is_private=True,
        is_mpim=True,
        members=members,
    )
    ws.channels[channel.id] = channel
    return {"channel": channel.to_api(ws.bot_user_id)}


def _conversations_info(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=False)
    return {"channel": channel.to_api(ws.bot_user_id)}


def _conversations_members(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=False)
    members, next_cursor = paginate(sorted(channel.members), args, "members")
    return {"members": members, "response_metadata": {"next_cursor": next_cursor}}


def _conversations_join(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = ws.channels.get(str(args.get("channel") or ""))
    if channel is None or (channel.is_private and ws.bot_user_id not in channel.members):
        raise SlackError("channel_not_found")
    if channel.is_im or channel.is_mpim or channel.is_private:
        raise SlackError("method_not_supported_for_channel_type")
    if channel.is_archived:
        raise SlackError("is_archived")
    already = ws.bot_user_id in channel.members
    channel.members.add(ws.bot_user_id)
    body: dict[str, Any] = {"channel": channel.to_api(ws.bot_user_id)}
    if already:
        body["warning"] = "already_in_channel"
        body["response_metadata"] = {"warnings": ["already_in_channel"]}
    return body


def _conversations_list(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    types = set(str(args.get("types") or "public_channel").split(","))
    exclude_archived = truthy(args.get("exclude_archived"))

    def wanted(c: Channel) -> bool:
        if exclude_archived and c.is_archived:
            return False
        if c.is_im:
            return "im" in types
        if c.is_mpim:
            return "mpim" in types
        if c.is_private:
            return "private_channel" in types and ws.bot_user_id in c.members
        return "public_channel" in types

    channels = [c.to_api(ws.bot_user_id) for c in ws.channels.values() if wanted(c)]
    page, next_cursor = paginate(channels, args, "channels")
    return {"channels": page, "response_metadata": {"next_cursor": next_cursor}}


CONVERSATION_METHODS: dict[str, Method] = {
    "conversations.open": _conversations_open,
    "conversations.info": _conversations_info,
    "conversations.members": _conversations_members,
    "conversations.join": _conversations_join,
    "conversations.list": _conversations_list,
}
