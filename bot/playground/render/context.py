"""Who is looking at the rendered HTML, and the names behind the ids the bot's text refers to."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

Obj = Mapping[str, Any]  # a Block Kit object: a block, an element, a text object, a view, a message


@dataclass(frozen=True)
class RenderContext:
    """Who is looking, and the names behind the ids the bot's text refers to."""

    tz: ZoneInfo  # the viewing person's zone: <!date^...> tokens render in it
    now: datetime  # aware UTC, the playground clock: for "Today"/"Yesterday"/"ago"
    users: Mapping[str, str]  # user id -> display name
    channels: Mapping[str, str]  # channel id -> name without '#'
    usergroups: Mapping[str, str] = field(default_factory=dict)  # subteam id -> handle
    files: Mapping[str, str] = field(default_factory=dict)  # Slack file id -> URL the page can load
