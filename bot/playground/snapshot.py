"""The embedded Slack's state, saved beside the playground's database and read back on the next start.

The app's database and the Slack it talks to belong together: a stand-up's thread replies need the
channel message they hang under. ``tandem playground`` saves the workspace, its messages, the
ephemeral messages, views and files as JSON (``playground.db.slack.json``) when it stops, and
restores them (and the clock) when it starts again on the same database. Triggers and
response_urls are short-lived in Slack too and are not kept.

JSON rather than pickle: the file sits in the working directory, and reading it must never run code.
"""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.playground import workspace_state
from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import (
    Channel,
    Ephemeral,
    Message,
    UploadedFile,
    User,
    ViewRecord,
    Workspace,
)

VERSION = 1


class SnapshotError(Exception):
    """The saved state cannot be read; ``str()`` is one line."""


def path_for(database: Path) -> Path:
    return Path(f"{database}.slack.json")


def _message(data: dict[str, Any]) -> Message:
    replies = [_message(r) for r in data.pop("replies", [])]
    return Message(**data, replies=replies)


def _workspace(data: dict[str, Any]) -> Workspace:
    users = {uid: User(**u) for uid, u in data.pop("users").items()}
    channels = {cid: Channel(**{**c, "members": set(c["members"])}) for cid, c in data.pop("channels").items()}
    groups = {gid: (g[0], list(g[1])) for gid, g in data.pop("usergroups").items()}
    return Workspace(**data, users=users, channels=channels, usergroups=groups)


def save(emulator: SlackEmulator, now: datetime, path: Path) -> None:
    with emulator._lock:
        workspaces = []
        for ws in emulator.workspaces.values():
            item = asdict(ws)
            item["channels"] = {cid: {**c, "members": sorted(c["members"])} for cid, c in item["channels"].items()}
            workspaces.append(item)
        files = []
        for uploaded in emulator._files.values():
            item = asdict(uploaded)
            item["content"] = base64.b64encode(uploaded.content).decode() if uploaded.content is not None else None
            files.append(item)
        state = {
            "version": VERSION,
            "now": now.isoformat(),
            "next_id": next(workspace_state._counter),
            "last_ts": emulator._last_ts,
            "workspaces": workspaces,
            "messages": {cid: [asdict(m) for m in messages] for cid, messages in emulator._messages.items()},
            "ephemerals": [asdict(e) for e in emulator._ephemerals],
            "views": [asdict(v) for v in emulator._views.values()],
            "stacks": [[team, user, ids] for (team, user), ids in emulator._stacks.items()],
            "homes": [[team, user, vid] for (team, user), vid in emulator._homes.items()],
            "files": files,
        }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(state), encoding="utf-8")
    temporary.replace(path)  # never a half-written snapshot


def restore(emulator: SlackEmulator, path: Path) -> datetime:
    """Put the saved state into a fresh emulator; the clock's saved instant."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
        if state.get("version") != VERSION:
            raise SnapshotError(f"{path}: saved by another version of the playground")
        workspaces = [_workspace(w) for w in state["workspaces"]]
        messages = {cid: [_message(m) for m in items] for cid, items in state["messages"].items()}
        ephemerals = [Ephemeral(**e) for e in state["ephemerals"]]
        views = {v["id"]: ViewRecord(**v) for v in state["views"]}
        files = {}
        for item in state["files"]:
            content = base64.b64decode(item.pop("content")) if item.get("content") is not None else None
            files[item["id"]] = UploadedFile(**item, content=content)
        now = datetime.fromisoformat(state["now"])
        next_id = int(state["next_id"])
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SnapshotError(f"{path}: cannot be read ({type(error).__name__}); start over with --fresh") from None
    with emulator._lock:
        emulator.workspaces = {w.team_id: w for w in workspaces}
        emulator.workspace = workspaces[0]
        emulator._messages = messages
        emulator._ephemerals = ephemerals
        emulator._views = views
        emulator._stacks = {(team, user): list(ids) for team, user, ids in state["stacks"]}
        emulator._homes = {(team, user): vid for team, user, vid in state["homes"]}
        emulator._files = files
        emulator._last_ts = float(state["last_ts"])
    workspace_state.restart_ids(next_id)
    return now
