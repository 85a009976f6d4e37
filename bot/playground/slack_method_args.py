"""Argument helpers the Web API method families share: flags, limits, cursors, channel and user ids."""

from __future__ import annotations

import base64
from typing import Any, TypeVar

from bot.playground.slack_emulator_types import SlackError
from bot.playground.workspace_state import User, Workspace

T = TypeVar("T")


def channel_arg(args: dict[str, Any]) -> str | None:
    value = args.get("channel") or args.get("channel_id")
    return str(value) if value else None


def truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def limit_arg(args: dict[str, Any], default: int) -> int:
    try:
        value = int(args.get("limit") or 0)
    except (TypeError, ValueError):
        raise SlackError("invalid_limit") from None
    return value if value > 0 else default


def paginate(items: list[T], args: dict[str, Any], prefix: str, default: int = 100) -> tuple[list[T], str]:
    """Cursor pagination like Slack's: opaque base64 cursor, empty next_cursor on the last page."""
    start = 0
    cursor = args.get("cursor")
    if cursor:
        try:
            kind, _, offset = base64.b64decode(str(cursor), validate=True).decode().partition(":")
            start = int(offset)
            if kind != prefix or start < 0:
                raise ValueError
        except ValueError:
            raise SlackError("invalid_cursor") from None
    size = limit_arg(args, default)
    chunk = items[start : start + size]
    end = start + size
    next_cursor = base64.b64encode(f"{prefix}:{end}".encode()).decode() if end < len(items) else ""
    return chunk, next_cursor


def user_arg(ws: Workspace, user_id: Any) -> User:
    user = ws.users.get(str(user_id or ""))
    if user is None:
        raise SlackError("user_not_found")
    return user
