"""Web API methods on messages: chat.* (post, update, delete, ephemeral, permalink) and reactions.*."""

from __future__ import annotations

from typing import Any

from bot.playground.slack_emulator_state import EmulatorState, Method
from bot.playground.slack_emulator_types import SlackError
from bot.playground.slack_method_args import user_arg
from bot.playground.workspace_state import Ephemeral, Message, Workspace


def _chat_post_message(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=True)
    em._check_message_args("chat.postMessage", ws, args)
    message = em._add_message(ws, channel.id, args, via="chat.postMessage")
    return {"channel": channel.id, "ts": message.ts, "message": message.to_api()}


def _chat_update(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=False)
    message = em._find_message(channel.id, str(args.get("ts") or ""))
    if message is None or message.deleted:
        raise SlackError("message_not_found")
    if message.user != ws.bot_user_id:
        raise SlackError("cant_update_message")
    if channel.is_archived:
        raise SlackError("is_archived")
    problems = em.rules.check_message(args)
    if problems:
        em._violate("chat.update", ws.team_id, problems, args)
        raise SlackError(problems[0].error)
    message.edits.append({"text": message.text, "blocks": message.blocks, "edited_at": em._next_ts()})
    if "text" in args:
        message.text = str(args.get("text") or "")
    if "blocks" in args:
        message.blocks = args.get("blocks")
    if "attachments" in args:
        message.attachments = args.get("attachments")
    if "metadata" in args:
        message.metadata = args.get("metadata")
    return {"channel": channel.id, "ts": message.ts, "text": message.text, "message": message.to_api()}


def _chat_delete(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=False)
    message = em._find_message(channel.id, str(args.get("ts") or ""))
    if message is None or message.deleted:
        raise SlackError("message_not_found")
    if message.user != ws.bot_user_id:
        raise SlackError("cant_delete_message")
    message.deleted = True
    return {"channel": channel.id, "ts": message.ts}


def _chat_post_ephemeral(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=True)
    user = user_arg(ws, args.get("user"))
    if user.deleted:
        raise SlackError("user_disabled")
    if user.id not in channel.members:
        raise SlackError("user_not_in_channel")
    em._check_message_args("chat.postEphemeral", ws, args)
    ts = em._next_ts()
    em._ephemerals.append(
        Ephemeral(
            ws.team_id, channel.id, user.id, ts, str(args.get("text") or ""), args.get("blocks"), args.get("thread_ts")
        )
    )
    return {"message_ts": ts}


def _chat_get_permalink(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=False)
    message = em._find_message(channel.id, str(args.get("message_ts") or ""))
    if message is None:
        raise SlackError("message_not_found")
    link = f"https://{ws.domain}.slack.com/archives/{channel.id}/p{message.ts.replace('.', '')}"
    if message.is_reply:
        link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
    return {"channel": channel.id, "permalink": link}


def _reaction_target(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> Message:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=False)
    message = em._find_message(channel.id, str(args.get("timestamp") or ""))
    if message is None or message.deleted:
        raise SlackError("message_not_found")
    return message


def _reactions_add(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    message = _reaction_target(em, ws, args)
    name = str(args.get("name") or "").strip(":")
    if not name or " " in name:
        raise SlackError("invalid_name")
    users = message.reactions.setdefault(name, [])
    if ws.bot_user_id in users:
        raise SlackError("already_reacted")
    users.append(ws.bot_user_id)
    return {}


def _reactions_remove(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    message = _reaction_target(em, ws, args)
    name = str(args.get("name") or "").strip(":")
    users = message.reactions.get(name, [])
    if ws.bot_user_id not in users:
        raise SlackError("no_reaction")
    users.remove(ws.bot_user_id)
    return {}


CHAT_METHODS: dict[str, Method] = {
    "chat.postMessage": _chat_post_message,
    "chat.update": _chat_update,
    "chat.delete": _chat_delete,
    "chat.postEphemeral": _chat_post_ephemeral,
    "chat.getPermalink": _chat_get_permalink,
    "reactions.add": _reactions_add,
    "reactions.remove": _reactions_remove,
}
