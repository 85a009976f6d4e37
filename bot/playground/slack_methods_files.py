"""Web API files.* methods: the two-step external upload (get an upload URL, then complete and share)."""

from __future__ import annotations

from typing import Any

from bot.playground.slack_emulator_state import EmulatorState, Method
from bot.playground.slack_emulator_types import SlackError
from bot.playground.workspace_state import UploadedFile, Workspace, new_id


def _files_get_upload_url(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    try:
        length = int(args.get("length") or 0)
    except (TypeError, ValueError):
        raise SlackError("invalid_arguments") from None
    if length <= 0:
        raise SlackError("invalid_arguments")
    uploaded = UploadedFile(new_id("F"), ws.team_id, str(args.get("filename")), length)
    em._files[uploaded.id] = uploaded
    return {"upload_url": f"{em.origin}/upload/{uploaded.id}", "file_id": uploaded.id}


def _files_complete_upload(em: EmulatorState, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    items = args.get("files")
    if not isinstance(items, list) or not items:
        raise SlackError("invalid_arguments")
    found: list[UploadedFile] = []
    for item in items:
        uploaded = em._files.get(str(item.get("id") if isinstance(item, dict) else ""))
        if uploaded is None or uploaded.team_id != ws.team_id or uploaded.content is None:
            raise SlackError("file_not_found")
        uploaded.title = str(item.get("title") or uploaded.filename)
        found.append(uploaded)
    channel_id = args.get("channel_id") or args.get("channels")
    if channel_id:
        channel = em._resolve_channel(ws, str(channel_id).split(",")[0], for_posting=True)
        for uploaded in found:
            uploaded.shared_in.append(channel.id)
        message = em._add_message(
            ws, channel.id, {"text": args.get("initial_comment") or "", "thread_ts": args.get("thread_ts")}, via="files"
        )
        message.files = [f.to_api() for f in found]
    return {"files": [f.to_api() for f in found]}


FILE_METHODS: dict[str, Method] = {
    "files.getUploadURLExternal": _files_get_upload_url,
    "files.completeUploadExternal": _files_complete_upload,
}
