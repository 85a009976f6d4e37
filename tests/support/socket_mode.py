"""Slack's side of Socket Mode, on loopback: ``apps.connections.open`` plus a WebSocket server.

Protocol (https://docs.slack.dev/apis/events-api/using-socket-mode):

1. The app calls ``apps.connections.open`` with its app-level token (``Authorization: Bearer
   xapp-...``) and gets ``{"ok": true, "url": "wss://.../link/?ticket=..."}`` (here ``ws://127.0.0.1``).
2. It connects; Slack sends ``{"type": "hello", "num_connections", "connection_info": {"app_id"},
   "debug_info": {..., "approximate_connection_time"}}``.
3. Slack pushes envelopes ``{"envelope_id", "type": "slash_commands" | "interactive" |
   "events_api", "payload", "accepts_response_payload", "retry_attempt", "retry_reason"}``.
4. The app acks each with ``{"envelope_id": ..., "payload": {...}}`` (payload optional: the
   ephemeral reply of a slash command, a view_submission ``response_action``...).
5. Slack may send ``{"type": "disconnect", "reason": "refresh_requested" | "warning" | ...}``; the
   app then opens a new connection.

Use it with the emulator and the harness driver (the same payloads as HTTP mode)::

    with SocketModeServer(emulator) as slack:       # emulator.socket_mode = slack
        env["SLACK_APP_TOKEN"] = slack.app_token      # the bot connects by itself
        connection = slack.wait_for_connection()
        driver = Driver(emulator, SocketModeTransport(slack), signing_secret)
        ack = driver.slash_command("/standup", "help", user=pat)   # a slash_commands envelope
        slack.acks[-1].payload                        # {"text": ..., "response_type": "ephemeral"}

Every frame is checked: a message from the app that is not JSON, has no known ``envelope_id``,
acks an envelope twice, or carries a payload for an envelope that does not accept one is recorded
in ``problems`` (the e2e tests assert it stays empty).
"""

from __future__ import annotations

import contextlib
import json
import logging
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.frames import Frame, Opcode
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import APP_ID

log = logging.getLogger(__name__)
T = TypeVar("T")

SLASH_COMMANDS = "slash_commands"
INTERACTIVE = "interactive"
EVENTS_API = "events_api"
ENVELOPE_TYPES = (SLASH_COMMANDS, INTERACTIVE, EVENTS_API)
# What Slack puts in accepts_response_payload by envelope type (docs examples above).
ACCEPTS_RESPONSE_PAYLOAD = {SLASH_COMMANDS: True, INTERACTIVE: True, EVENTS_API: False}
APPROXIMATE_CONNECTION_TIME = 18060  # seconds; what Slack announces in hello


def new_app_token() -> str:
    """An app-level token in Slack's shape: ``xapp-1-<app id>-<number>-<hex>``."""
    return f"xapp-1-{APP_ID}-{secrets.randbelow(10**13):013d}-{secrets.token_hex(32)}"


@dataclass(frozen=True)
class Envelope:
    """One envelope pushed to the app."""

    envelope_id: str
    type: str
    payload: dict[str, Any]
    accepts_response_payload: bool
    retry_attempt: int = 0
    retry_reason: str = ""
    connection_id: int = 0
    sent_at: float = 0.0  # time.perf_counter()

    def to_json(self) -> str:
        return json.dumps(
            {
                "envelope_id": self.envelope_id,
                "type": self.type,
                "payload": self.payload,
                "accepts_response_payload": self.accepts_response_payload,
                "retry_attempt": self.retry_attempt,
                "retry_reason": self.retry_reason,
            },
            separators=(",", ":"),
        )


@dataclass(frozen=True)
class EnvelopeAck:
    """The app's acknowledgement of one envelope."""

    envelope_id: str
    type: str  # the envelope's type
    payload: dict[str, Any] | None  # None when the ack carried no payload
    latency: float  # seconds from sending the envelope to receiving the ack
    raw: str
    connection_id: int


@dataclass
class SocketConnection:
    """One WebSocket connection from the app (server side)."""

    id: int
    ticket: str
    path: str
    opened_at: float  # time.time()
    websocket: ServerConnection
    hello: dict[str, Any] = field(default_factory=dict)
    client_pings: list[bytes] = field(default_factory=list)
    received: list[str] = field(default_factory=list)  # every text frame from the app
    closed_at: float | None = None
    close_code: int | None = None  # the close frame's code; None: TCP closed without one
    close_reason: str = ""

    @property
    def open(self) -> bool:
        return self.closed_at is None

    def ping(self, timeout: float = 5.0) -> float:
        """Send a WebSocket ping; return the seconds until the app's pong (TimeoutError if none)."""
        started = time.perf_counter()
        pong = self.websocket.ping()
        if not pong.wait(timeout):
            raise TimeoutError(f"no pong from the app within {timeout}s")
        return time.perf_counter() - started


class _RecordingConnection(ServerConnection):
    """Records the app's ping frames (websockets answers them with pongs by itself)."""

    on_ping: Any = None

    def process_event(self, event: Any) -> None:
        super().process_event(event)
        if isinstance(event, Frame) and event.opcode is Opcode.PING and self.on_ping is not None:
            self.on_ping(bytes(event.data))


class SocketModeServer:
    """``apps.connections.open`` for the emulator plus a WebSocket server on 127.0.0.1.

    Attributes for tests: ``app_token`` (give it to the bot as SLACK_APP_TOKEN), ``tickets``
    (one per apps.connections.open), ``connections`` (:class:`SocketConnection`, in order),
    ``envelopes`` and ``acks`` (in order), ``problems`` (protocol errors of the app).
    """

    def __init__(
        self,
        emulator: SlackEmulator,
        *,
        app_token: str | None = None,
        ping_interval: float | None = None,
        send_hello: bool = True,
    ) -> None:
        self.emulator = emulator
        self.app_token = app_token or new_app_token()
        self.ping_interval = ping_interval  # None: the server sends no keepalive pings of its own
        self.send_hello = send_hello
        self.tickets: list[str] = []
        self.connections: list[SocketConnection] = []
        self.envelopes: list[Envelope] = []
        self.acks: list[EnvelopeAck] = []
        self.problems: list[str] = []
        self._pending: dict[str, Envelope] = {}
        self._changed = threading.Condition()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._previous_endpoint: Any = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SocketModeServer:
        self._server = serve(
            self._handle,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            compression=None,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_interval,
            close_timeout=2,
            create_connection=_RecordingConnection,
            logger=log,
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="socket-mode", daemon=True)
        self._thread.start()
        self._previous_endpoint = self.emulator.socket_mode
        self.emulator.socket_mode = self
        return self

    def stop(self) -> None:
        if self.emulator.socket_mode is self:
            self.emulator.socket_mode = self._previous_endpoint
        if self._server is not None:
            self._server.shutdown()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def __enter__(self) -> SocketModeServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "socket mode server not started"
        return int(self._server.socket.getsockname()[1])

    # ------------------------------------------------------------------ apps.connections.open
    def connection_url(self) -> str:
        """Called by the emulator for apps.connections.open: a one-time ticket in Slack's URL shape."""
        ticket = str(uuid.uuid4())
        with self._changed:
            self.tickets.append(ticket)
            self._changed.notify_all()
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={APP_ID}"

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        ticket = (parse_qs(urlsplit(request.path).query).get("ticket") or [""])[0]
        with self._changed:
            known = ticket in self.tickets
            used = any(c.ticket == ticket for c in self.connections)
        if urlsplit(request.path).path != "/link/" or not known or used:
            with self._changed:
                self.problems.append(f"connection with an unknown or reused ticket: {request.path}")
            return connection.respond(401, "invalid or reused ticket\n")
        return None

    # ------------------------------------------------------------------ the connection handler
    def _handle(self, websocket: ServerConnection) -> None:
        assert websocket.request is not None
        path = websocket.request.path
        ticket = (parse_qs(urlsplit(path).query).get("ticket") or [""])[0]
        with self._changed:
            connection = SocketConnection(len(self.connections) + 1, ticket, path, time.time(), websocket)
            self.connections.append(connection)
        if isinstance(websocket, _RecordingConnection):
            websocket.on_ping = lambda data: self._record_ping(connection, data)
        try:
            if self.send_hello:
                hello = {
                    "type": "hello",
                    "num_connections": sum(1 for c in self.connections if c.open),
                    "debug_info": {
                        "host": "applink-emulator",
                        "build_number": 1,
                        "approximate_connection_time": APPROXIMATE_CONNECTION_TIME,
                    },
                    "connection_info": {"app_id": APP_ID},
                }
                websocket.send(json.dumps(hello))
                with self._changed:
                    connection.hello = hello
                    self._changed.notify_all()
            for message in websocket:
                self._on_message(connection, message if isinstance(message, str) else message.decode("utf-8"))
        except ConnectionClosed:
            pass
        finally:
            with self._changed:
                connection.closed_at = time.time()
                received = websocket.protocol.close_rcvd
                connection.close_code = received.code if received is not None else None
                connection.close_reason = received.reason if received is not None else ""
                self._changed.notify_all()

    def _record_ping(self, connection: SocketConnection, data: bytes) -> None:
        with self._changed:
            connection.client_pings.append(data)
            self._changed.notify_all()

    def _on_message(self, connection: SocketConnection, text: str) -> None:
        received_at = time.perf_counter()
        with self._changed:
            connection.received.append(text)
            try:
                message = json.loads(text)
            except json.JSONDecodeError:
                self.problems.append(f"not JSON from the app: {text[:200]!r}")
                self._changed.notify_all()
                return
            envelope_id = message.get("envelope_id") if isinstance(message, dict) else None
            envelope = self._pending.pop(str(envelope_id), None) if envelope_id else None
            if envelope is None:
                already = any(a.envelope_id == envelope_id for a in self.acks)
                what = "a second ack" if already else "a message without a known envelope_id"
                self.problems.append(f"{what} from the app: {text[:200]}")
                self._changed.notify_all()
                return
            payload = message.get("payload")
            if payload is not None and not isinstance(payload, dict):
                self.problems.append(f"ack {envelope_id}: payload is not an object: {payload!r}")
                payload = None
            if payload and not envelope.accepts_response_payload:
                self.problems.append(f"ack {envelope_id}: payload on a {envelope.type} envelope that accepts none")
            self.acks.append(
                EnvelopeAck(
                    str(envelope_id),
                    envelope.type,
                    payload if isinstance(payload, dict) else None,
                    received_at - envelope.sent_at,
                    text,
                    connection.id,
                )
            )
            self._changed.notify_all()

    # ------------------------------------------------------------------ for tests
    def wait_for(self, predicate: Callable[[], T | None], timeout: float = 10.0, what: str = "condition") -> T:
        """Wait until ``predicate()`` is truthy (re-checked whenever the server's state changes)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
                self._changed.wait(min(remaining, 0.1))

    def open_connections(self) -> list[SocketConnection]:
        with self._changed:
            return [c for c in self.connections if c.open]

    def wait_for_connection(self, timeout: float = 20.0, after: int = 0) -> SocketConnection:
        """The ``after``-th connection (0: the first) once it is open and hello was sent."""

        def ready() -> SocketConnection | None:
            if len(self.connections) <= after:
                return None
            connection = self.connections[after]
            return connection if connection.open and (connection.hello or not self.send_hello) else None

        return self.wait_for(ready, timeout, f"Socket Mode connection #{after + 1}")

    def wait_closed(self, connection: SocketConnection, timeout: float = 10.0) -> SocketConnection:
        return self.wait_for(
            lambda: connection if not connection.open else None, timeout, f"connection #{connection.id} to close"
        )

    def send(
        self,
        type: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
        envelope_id: str | None = None,
    ) -> Envelope:
        """Push one envelope on the newest open connection (Slack picks any open one)."""
        if type not in ENVELOPE_TYPES:
            raise ValueError(f"unknown envelope type {type!r}; one of {ENVELOPE_TYPES}")
        connections = self.open_connections()
        if not connections:
            raise RuntimeError("no open Socket Mode connection to send on")
        connection = connections[-1]
        envelope = Envelope(
            envelope_id or str(uuid.uuid4()),
            type,
            payload,
            ACCEPTS_RESPONSE_PAYLOAD[type] if accepts_response_payload is None else accepts_response_payload,
            retry_attempt,
            retry_reason,
            connection.id,
            time.perf_counter(),
        )
        with self._changed:
            self._pending[envelope.envelope_id] = envelope
            self.envelopes.append(envelope)
        connection.websocket.send(envelope.to_json())
        return envelope

    def wait_for_ack(self, envelope: Envelope | str, timeout: float = 10.0) -> EnvelopeAck:
        envelope_id = envelope if isinstance(envelope, str) else envelope.envelope_id
        return self.wait_for(
            lambda: next((a for a in self.acks if a.envelope_id == envelope_id), None),
            timeout,
            f"the ack of envelope {envelope_id}",
        )

    def request(self, type: str, payload: dict[str, Any], *, timeout: float = 10.0, **options: Any) -> EnvelopeAck:
        """Send an envelope and wait for its ack."""
        return self.wait_for_ack(self.send(type, payload, **options), timeout)

    def disconnect(self, reason: str = "refresh_requested") -> SocketConnection:
        """Slack's ``disconnect`` message on the newest open connection (the app should reconnect)."""
        connection = self.open_connections()[-1]
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-emulator"}}
        connection.websocket.send(json.dumps(message))
        return connection

    def close_all(self, code: int = 1001, reason: str = "going away") -> None:
        """Close every open connection from Slack's side."""
        for connection in self.open_connections():
            with contextlib.suppress(ConnectionClosed):
                connection.websocket.close(code, reason)


class SocketModeTransport:
    """A harness driver transport that delivers over Socket Mode instead of ``POST /slack/events``.

    The driver builds and signs the same bodies as for HTTP; this turns them into envelopes: a
    form with ``payload`` -> ``interactive``, another form -> ``slash_commands``, JSON ->
    ``events_api`` (``X-Slack-Retry-Num`` / ``-Reason`` -> ``retry_attempt`` / ``retry_reason``).
    The answer is the ack: status 200 and the ack's payload as JSON (empty body without one), or
    status 504 and an empty body if the app did not ack within ``ack_timeout``.
    """

    def __init__(self, server: SocketModeServer, ack_timeout: float = 10.0) -> None:
        self.server = server
        self.ack_timeout = ack_timeout

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        kind, payload, retry_attempt, retry_reason = self.envelope_for(body, headers)
        envelope = self.server.send(kind, payload, retry_attempt=retry_attempt, retry_reason=retry_reason)
        try:
            ack = self.server.wait_for_ack(envelope, self.ack_timeout)
        except TimeoutError:
            return 504, "", {"x-envelope-id": envelope.envelope_id}
        text = json.dumps(ack.payload) if ack.payload is not None else ""
        return 200, text, {"content-type": "application/json", "x-envelope-id": envelope.envelope_id}

    @staticmethod
    def envelope_for(body: bytes, headers: dict[str, str]) -> tuple[str, dict[str, Any], int, str]:
        """(envelope type, payload, retry_attempt, retry_reason) for one HTTP-mode request body."""
        lowered = {k.lower(): v for k, v in headers.items()}
        content_type = lowered.get("content-type", "")
        text = body.decode("utf-8")
        if "application/json" in content_type:
            payload = json.loads(text)
            retry_attempt = int(lowered.get("x-slack-retry-num") or 0)
            retry_reason = lowered.get("x-slack-retry-reason", "") if retry_attempt else ""
            return EVENTS_API, payload, retry_attempt, retry_reason
        fields = {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}
        if "payload" in fields:
            return INTERACTIVE, json.loads(fields["payload"]), 0, ""
        return SLASH_COMMANDS, fields, 0, ""
