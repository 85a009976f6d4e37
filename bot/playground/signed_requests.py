"""The driver: sends correctly signed Slack requests to the bot and records the acks.

Two transports, one API: :class:`HttpTransport` (the real bot process, ``POST /slack/events``)
and :class:`InProcessTransport` (``app.dispatch(BoltRequest(...))`` on a Bolt App built in the
test process). Payload shapes follow Slack's examples in tests/slack_reference/payloads/ (a superset: current fields
such as ``api_app_id``, ``is_enterprise_install``, ``enterprise``...; tests/harness/test_payload_shapes.py).

Every interaction that Slack gives a ``trigger_id`` gets a fresh one registered with the emulator
(valid 3 s, once); slash commands, block_actions in messages and message shortcuts get a
``response_url`` served by the emulator.
"""

from __future__ import annotations

import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlencode

import httpx
from slack_bolt.request import BoltRequest

from bot.playground.signing import signed_headers
from bot.playground.slack_emulator import SlackEmulator
from bot.playground.slack_rules import Problem
from bot.playground.workspace_state import APP_ID, Message, ViewRecord, Workspace

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class Transport(Protocol):
    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]: ...


class HttpTransport:
    """POSTs to a running bot's ``/slack/events``."""

    def __init__(self, base_url: str, path: str = "/slack/events", timeout: float = 10.0) -> None:
        self.url = base_url.rstrip("/") + path
        self._client = httpx.Client(timeout=timeout)

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        response = self._client.post(self.url, content=body, headers=headers)
        return response.status_code, response.text, dict(response.headers)

    def close(self) -> None:
        self._client.close()


class InProcessTransport:
    """Dispatches into a Bolt App in this process (fast tests, same signatures)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        request = BoltRequest(body=body.decode("utf-8"), headers={k.lower(): v for k, v in headers.items()})
        response = self.app.dispatch(request)
        flat = {k: (v[0] if isinstance(v, list | tuple) and v else str(v)) for k, v in response.headers.items()}
        return response.status, response.body, flat


@dataclass
class Ack:
    """What the bot answered to one request."""

    kind: str
    status: int
    body: str
    headers: dict[str, str]
    latency: float  # seconds from sending to the complete answer
    payload: dict[str, Any]  # what was sent (form fields or decoded JSON payload)
    raw: bytes = b""
    sent_headers: dict[str, str] = field(default_factory=dict)
    trigger_id: str | None = None
    response_url: str | None = None

    @property
    def json(self) -> dict[str, Any] | None:
        try:
            value = json.loads(self.body) if self.body else None
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, dict) else None

    @property
    def text(self) -> str:
        """The ack's message text (JSON ``text``) or the raw body."""
        data = self.json
        return str(data.get("text") or "") if data is not None else self.body

    @property
    def response_action(self) -> str | None:
        data = self.json
        return data.get("response_action") if data else None

    @property
    def errors(self) -> dict[str, str]:
        """``response_action: errors`` of a view_submission ack (block_id -> message)."""
        data = self.json
        return dict(data.get("errors") or {}) if data and data.get("response_action") == "errors" else {}


class Driver:
    """Signed requests to the bot. Team and user details come from the emulator's workspaces."""

    def __init__(self, emulator: SlackEmulator, transport: Transport, signing_secret: str) -> None:
        self.emulator = emulator
        self.transport = transport
        self.signing_secret = signing_secret
        self.acks: list[Ack] = []

    # ------------------------------------------------------------------ low level
    def send(
        self,
        kind: str,
        body: bytes,
        content_type: str,
        payload: dict[str, Any],
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        extra_headers: dict[str, str] | None = None,
        trigger_id: str | None = None,
        response_url: str | None = None,
    ) -> Ack:
        """Sign (unless ``signature`` is given) and send raw bytes; record the ack."""
        headers = signed_headers(self.signing_secret, body, content_type, timestamp=timestamp)
        if signature is not None:
            headers["X-Slack-Signature"] = signature
        headers.update(extra_headers or {})
        started = time.perf_counter()
        status, text, response_headers = self.transport.post(body, headers)
        ack = Ack(
            kind,
            status,
            text,
            response_headers,
            time.perf_counter() - started,
            payload,
            body,
            headers,
            trigger_id,
            response_url,
        )
        self.acks.append(ack)
        return ack

    def send_form(self, kind: str, fields: dict[str, Any], **options: Any) -> Ack:
        return self.send(kind, urlencode(fields).encode(), FORM, fields, **options)

    def send_interaction(self, payload: dict[str, Any], **options: Any) -> Ack:
        body = urlencode({"payload": json.dumps(payload, separators=(",", ":"))}).encode()
        options.setdefault("trigger_id", payload.get("trigger_id"))
        options.setdefault("response_url", payload.get("response_url"))
        return self.send(str(payload["type"]), body, FORM, payload, **options)

    def _who(self, user_id: str) -> tuple[Workspace, dict[str, Any], dict[str, Any]]:
        workspace = self.emulator.workspace_of(user_id)
        user = workspace.users[user_id]
        team = {"id": workspace.team_id, "domain": workspace.domain}
        who = {"id": user.id, "username": user.name, "name": user.name, "team_id": workspace.team_id}
        return workspace, team, who

    # ------------------------------------------------------------------ slash commands
    def slash_command(
        self, command: str, text: str = "", *, user: str, channel: str | None = None, **options: Any
    ) -> Ack:
        """``/command text`` typed by ``user`` in ``channel`` (default #general). Ack text is recorded
        as an ephemeral reply for ``emulator.ephemerals_to(user)``."""
        workspace, _team, _who = self._who(user)
        channel_obj = workspace.channel(channel) if channel else workspace.channel("general")
        trigger_id = self.emulator.issue_trigger(workspace.team_id, user)
        response_url = self.emulator.new_response_url(workspace.team_id, user, channel_obj.id)
        fields = {
            "token": "verification-token-unused",
            "team_id": workspace.team_id,
            "team_domain": workspace.domain,
            "channel_id": channel_obj.id,
            "channel_name": channel_obj.name if not channel_obj.is_im else "directmessage",
            "user_id": user,
            "user_name": workspace.users[user].name,
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        ack = self.send_form("slash_command", fields, trigger_id=trigger_id, response_url=response_url, **options)
        self._record_message_ack(workspace, channel_obj.id, user, ack)
        return ack

    def _record_message_ack(self, workspace: Workspace, channel: str, user: str, ack: Ack) -> None:
        if ack.status != 200 or not ack.body:
            return
        data = ack.json if ack.json is not None else {"text": ack.body}  # Bolt acks bare text as text/plain
        if not (data.get("text") or data.get("blocks")):
            return
        problems = self.emulator.rules.check_message(data)
        if problems:
            self.emulator._violate("ack", workspace.team_id, problems, data)
        self.emulator.record_ack_ephemeral(workspace.team_id, channel, user, data)

    # ------------------------------------------------------------------ interactivity
    def block_actions(
        self,
        *,
        user: str,
        actions: list[dict[str, Any]],
        message: Message | None = None,
        view: ViewRecord | None = None,
        state: dict[str, Any] | None = None,
        **options: Any,
    ) -> Ack:
        """A click / selection: in a message (``message=``) or a modal/home view (``view=``)."""
        workspace, team, who = self._who(user)
        now = f"{time.time():.6f}"
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": who,
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "team": team,
            "enterprise": None,
            "is_enterprise_install": False,
            "actions": [{"action_ts": now, **a} for a in actions],
            "state": {"values": state or {}},
        }
        response_url = None
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.id}
            payload["view"] = {**view.view, "state": {"values": state or {}}}
            payload["trigger_id"] = self.emulator.issue_trigger(workspace.team_id, user, view.id)
        elif message is not None:
            channel = workspace.channels[message.channel]
            response_url = self.emulator.new_response_url(workspace.team_id, user, channel.id, message.ts)
            payload["container"] = {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": channel.id,
                "is_ephemeral": False,
            }
            if message.is_reply:
                payload["container"]["thread_ts"] = message.thread_ts
            payload["channel"] = {"id": channel.id, "name": channel.name or "directmessage"}
            payload["message"] = message.to_api()
            payload["response_url"] = response_url
            payload["trigger_id"] = self.emulator.issue_trigger(workspace.team_id, user)
        else:
            raise ValueError("block_actions needs a message or a view")
        return self.send_interaction(payload, **options)

    def view_submission(self, *, user: str, view: ViewRecord, values: dict[str, Any], **options: Any) -> Ack:
        """Submit the modal ``view`` with ``values`` (``state.values`` shape). Applies the ack to
        the emulator's modal stack (close / update / push / clear / errors)."""
        _workspace, team, who = self._who(user)
        payload: dict[str, Any] = {
            "type": "view_submission",
            "team": team,
            "user": who,
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "trigger_id": self.emulator.issue_trigger(team["id"], user, view.id),
            "view": {**view.view, "state": {"values": values}},
            "response_urls": [],
            "enterprise": None,
            "is_enterprise_install": False,
        }
        ack = self.send_interaction(payload, **options)
        if ack.status == 200:
            self._check_submission_ack(view, ack)
            self.emulator.apply_submission_ack(view.id, ack.json)
        return ack

    def _check_submission_ack(self, view: ViewRecord, ack: Ack) -> None:
        data = ack.json or {}
        action = data.get("response_action")
        problems: list[Problem] = []
        if action == "errors":
            input_ids = {b.get("block_id") for b in view.blocks if b.get("type") == "input"}
            for block_id in data.get("errors") or {}:
                if block_id not in input_ids:
                    problems.append(Problem("invalid_errors", f"errors names {block_id!r}, not an input block"))
        elif action in ("update", "push"):
            problems.extend(self.emulator.rules.check_view(data.get("view")))
        elif action not in (None, "clear"):
            problems.append(Problem("invalid_response_action", f"unknown response_action {action!r}"))
        if action == "push" and len(self.emulator.modal_stack(view.user_id)) >= 3:
            problems.append(Problem("push_limit_reached", "a modal holds at most 3 views"))
        if problems:
            self.emulator._violate("view_submission ack", view.team_id, problems, data)

    def view_closed(self, *, user: str, view: ViewRecord, is_cleared: bool = False, **options: Any) -> Ack:
        """The user closed the modal. Slack only sends this when notify_on_close is true; the
        emulator's stack is closed either way, and the request is sent only when Slack would."""
        _workspace, team, who = self._who(user)
        notify = bool(view.view.get("notify_on_close"))
        self.emulator.close_modal(view.id)
        payload: dict[str, Any] = {
            "type": "view_closed",
            "team": team,
            "user": who,
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "view": view.view,
            "is_cleared": is_cleared,
            "enterprise": None,
            "is_enterprise_install": False,
        }
        if not notify:
            return Ack("view_closed", 0, "", {}, 0.0, payload)
        return self.send_interaction(payload, **options)

    def message_action(self, *, user: str, callback_id: str, message: Message, **options: Any) -> Ack:
        """A message shortcut on ``message``."""
        workspace, team, who = self._who(user)
        channel = workspace.channels[message.channel]
        response_url = self.emulator.new_response_url(workspace.team_id, user, channel.id, message.ts)
        payload = {
            "type": "message_action",
            "token": "verification-token-unused",
            "action_ts": f"{time.time():.6f}",
            "team": team,
            "user": who,
            "channel": {"id": channel.id, "name": channel.name or "directmessage"},
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self.emulator.issue_trigger(workspace.team_id, user),
            "response_url": response_url,
            "message_ts": message.ts,
            "message": message.to_api(),
        }
        return self.send_interaction(payload, **options)

    def shortcut(self, *, user: str, callback_id: str, **options: Any) -> Ack:
        """A global shortcut (no channel, no response_url)."""
        workspace, team, who = self._who(user)
        payload = {
            "type": "shortcut",
            "token": "verification-token-unused",
            "action_ts": f"{time.time():.6f}",
            "team": team,
            "user": who,
            "is_enterprise_install": False,
            "enterprise": None,
            "callback_id": callback_id,
            "trigger_id": self.emulator.issue_trigger(workspace.team_id, user),
        }
        return self.send_interaction(payload, **options)

    # ------------------------------------------------------------------ Events API
    def event(
        self,
        event: dict[str, Any],
        *,
        team_id: str | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        **options: Any,
    ) -> Ack:
        """An ``event_callback`` envelope around ``event`` (JSON body). ``retry_num`` adds Slack's
        redelivery headers (``X-Slack-Retry-Num`` / ``X-Slack-Retry-Reason``); reuse ``event_id``
        to redeliver the same event."""
        workspace = self.emulator.workspaces[team_id] if team_id else self.emulator.workspace_of(str(event.get("user")))
        event = {"event_ts": f"{time.time():.6f}", **event}
        envelope = {
            "token": "verification-token-unused",
            "team_id": workspace.team_id,
            "context_team_id": workspace.team_id,
            "context_enterprise_id": None,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or "Ev" + secrets.token_hex(5).upper(),
            "event_time": int(time.time()),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": workspace.team_id,
                    "user_id": workspace.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
            "event_context": "4-" + secrets.token_urlsafe(24),
        }
        headers = dict(options.pop("extra_headers", None) or {})
        if retry_num is not None:
            headers.update({"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason})
        body = json.dumps(envelope).encode()
        return self.send(f"event:{event.get('type')}", body, JSON, envelope, extra_headers=headers, **options)

    def redeliver(self, ack: Ack, retry_num: int = 1, retry_reason: str = "http_timeout") -> Ack:
        """Slack's retry of an earlier event delivery: same body, fresh signature, retry headers."""
        headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self.send(ack.kind, ack.raw, JSON, ack.payload, extra_headers=headers)

    def app_home_opened(self, *, user: str, tab: str = "home", **options: Any) -> Ack:
        workspace = self.emulator.workspace_of(user)
        event: dict[str, Any] = {
            "type": "app_home_opened",
            "user": user,
            "channel": workspace.im_with(user).id,
            "tab": tab,
        }
        home = self.emulator.home_of(user)
        if home is not None:
            event["view"] = home
        return self.event(event, team_id=workspace.team_id, **options)

    def url_verification(self, challenge: str = "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P") -> Ack:
        payload = {"token": "verification-token-unused", "challenge": challenge, "type": "url_verification"}
        return self.send("url_verification", json.dumps(payload).encode(), JSON, payload)
