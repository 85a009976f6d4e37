"""Uploading a file to Slack, steps 1 and 2 of the external upload (``files.getUploadURLExternal``,
then the bytes by HTTP POST). Step 3 (``files.completeUploadExternal``, which shares the file)
goes through the outbox, so it can wait for the message it is shared under."""

from __future__ import annotations

import httpx
from slack_sdk import WebClient


class UploadFailed(Exception):
    pass


def upload_file(client: WebClient, content: bytes, filename: str, title: str, *, timeout: float = 20.0) -> str:
    """Steps 1 and 2 of Slack's external upload; returns the file id to complete later."""
    response = client.files_getUploadURLExternal(filename=filename, length=len(content), alt_txt=title)
    upload_url = str(response.get("upload_url") or "")
    file_id = str(response.get("file_id") or "")
    if not upload_url or not file_id:
        raise UploadFailed("files.getUploadURLExternal returned no upload_url")
    posted = httpx.post(upload_url, content=content, timeout=timeout)
    if posted.status_code != 200:
        raise UploadFailed(f"upload to Slack answered HTTP {posted.status_code}")
    return file_id
