"""The emulator's HTTP layer: Web API, response_url and upload requests in, JSON or text out.

Knows nothing of Slack's behaviour: it parses the request and hands it to a :class:`RequestTarget`
(the :class:`bot.playground.slack_emulator.SlackEmulator`).
"""

from __future__ import annotations

import contextlib
import json
import socket
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from bot.playground.slack_emulator_types import SlackError

JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")


class DropConnection(Exception):
    """Close the connection without a response."""


class RequestTarget(Protocol):
    """What the handler hands requests to; each entry point may raise :class:`DropConnection`."""

    def handle_api(
        self, method: str, args: dict[str, Any], token: str | None, http_method: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]: ...

    def handle_response_url(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any] | str]: ...

    def handle_upload(self, file_id: str, content: bytes) -> tuple[int, str]: ...


def parse_request_args(content_type: str, body: bytes, query: str) -> dict[str, Any]:
    """Form, JSON or query-string arguments; JSON-typed arguments (blocks, view...) decoded."""
    args: dict[str, Any] = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
    if body:
        if "application/json" in content_type:
            decoded = json.loads(body.decode("utf-8"))
            if not isinstance(decoded, dict):
                raise SlackError("invalid_json")
            args.update(decoded)
        else:
            args.update({k: v[-1] for k, v in parse_qs(body.decode("utf-8"), keep_blank_values=True).items()})
    for key in JSON_ARGS:
        value = args.get(key)
        if isinstance(value, str) and value.strip():
            try:
                args[key] = json.loads(value)
            except json.JSONDecodeError:
                raise SlackError("invalid_blocks" if key == "blocks" else "invalid_arguments") from None
    return args


class EmulatorRequestHandler(BaseHTTPRequestHandler):
    emulator: RequestTarget
    protocol_version = "HTTP/1.1"
    server_version = "SlackEmulator/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _send(self, status: int, body: dict[str, Any] | str, headers: dict[str, str] | None = None) -> None:
        data = (json.dumps(body) if isinstance(body, dict) else body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8" if isinstance(body, dict) else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _dispatch(self, http_method: str) -> None:
        url = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            if url.path.startswith("/api/"):
                method = url.path.removeprefix("/api/").strip("/")
                try:
                    args = parse_request_args(self.headers.get("Content-Type", ""), body, url.query)
                except SlackError as error:
                    self._send(200, {"ok": False, "error": error.error})
                    return
                auth = self.headers.get("Authorization", "")
                token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else args.get("token")
                args.pop("token", None)
                status, response, headers = self.emulator.handle_api(method, args, token, http_method)
                self._send(status, response, headers)
            elif url.path.startswith("/response/"):
                try:
                    payload = parse_request_args(self.headers.get("Content-Type", "application/json"), body, "")
                    if "payload" in payload and isinstance(payload["payload"], str):
                        payload = json.loads(payload["payload"])
                except (SlackError, json.JSONDecodeError):
                    self._send(400, "invalid_payload")
                    return
                status, reply = self.emulator.handle_response_url(url.path.removeprefix("/response/"), payload)
                self._send(status, reply)
            elif url.path.startswith("/upload/"):
                status, text = self.emulator.handle_upload(url.path.removeprefix("/upload/"), body)
                self._send(status, text)
            else:
                self._send(404, {"ok": False, "error": "unknown_method"})
        except DropConnection:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
