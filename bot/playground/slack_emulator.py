"""A local, stateful, recording Slack Web API emulator.

Start one, point the bot's ``SLACK_API_URL`` at ``emulator.base_url`` and use a workspace's
``bot_token``::

    with SlackEmulator() as emulator:
        ws = emulator.workspace                        # "Acme", the standard cast (see workspace.py)
        client = WebClient(token=ws.bot_token, base_url=emulator.base_url)
        client.chat_postMessage(channel=ws.user_id("pat"), text="hi")   # -> DM, returns D... id
        assert emulator.dms_to(ws.user_id("pat"))[0].text == "hi"

Every call is recorded (:class:`Call`) and checked against the emulator's ``rules``
(:mod:`bot.playground.slack_rules`: by default Block Kit with slack_sdk's models; the test suite
plugs in its stricter reference checks: the method exists in Slack's spec, required arguments,
the published limits). A failed check answers the Slack error (``invalid_blocks``,
``invalid_arguments``...) AND is recorded as a :class:`Violation`; the pytest fixtures fail the
test at teardown if violations remain (a test that provokes one on purpose collects it with
:meth:`SlackEmulator.take_violations`).

Errors are answered the way Slack does: HTTP 200 and ``{"ok": false, "error": ...}``.
"""

from __future__ import annotations

import base64
import contextlib
import json
import secrets
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, TypeVar
from urllib.parse import parse_qs, urlsplit

from bot.playground.limits import Faults, RateLimiter
from bot.playground.slack_rules import BlockKitRules, Problem, SlackRules
from bot.playground.workspace_state import (
    APP_ID,
    Channel,
    Ephemeral,
    Message,
    ResponseUrl,
    Trigger,
    UploadedFile,
    User,
    ViewRecord,
    Workspace,
    build_workspace,
    new_id,
)

T = TypeVar("T")

TRIGGER_TTL_SECONDS = 3.0
RESPONSE_URL_USES = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60
MODAL_STACK_MAX = 3
JSON_ARGS = ("blocks", "attachments", "view", "files", "metadata")
# Methods called with the app-level token (xapp-...), not a workspace's bot token.
APP_LEVEL_METHODS = frozenset({"apps.connections.open"})


class SocketModeEndpoint(Protocol):
    """What ``apps.connections.open`` needs (tests/support/socket_mode.py provides it)."""

    app_token: str

    def connection_url(self) -> str:
        """A fresh WebSocket URL (one ticket) for the app to connect to."""
        ...


class SlackError(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass(frozen=True)
class Call:
    """One recorded request: Web API method (or ``response_url`` / ``upload``)."""

    method: str
    team_id: str | None
    args: dict[str, Any]
    response: dict[str, Any]
    status: int
    at: float  # time.time()
    http_method: str = "POST"

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return self.response.get("error")


@dataclass(frozen=True)
class Violation:
    """A conformance problem caused by the code under test."""

    method: str
    team_id: str | None
    error: str
    detail: str
    args: dict[str, Any] = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return f"{self.method}: {self.error}: {self.detail}"


class _Drop(Exception):
    """Close the connection without a response."""


class SlackEmulator:
    """The emulator: state + a ThreadingHTTPServer on 127.0.0.1 (ephemeral port).

    Public attributes: ``workspace`` (the first workspace), ``workspaces`` (by team id),
    ``rate_limits`` (:class:`RateLimiter`, off by default), ``faults`` (:class:`Faults`),
    ``base_url`` (``http://127.0.0.1:<port>/api/``).
    """

    def __init__(self, *, seed: int = 0, workspace_name: str = "Acme", rules: SlackRules | None = None) -> None:
        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self.workspaces: dict[str, Workspace] = {}
        self.rules: SlackRules = rules or BlockKitRules()
        self.rate_limits = RateLimiter(tier_of=self.rules.method_tier)
        self.faults = Faults(seed)
        self._calls: list[Call] = []
        self._violations: list[Violation] = []
        self._messages: dict[str, list[Message]] = {}  # channel -> top-level messages, in order
        self._ephemerals: list[Ephemeral] = []
        self._views: dict[str, ViewRecord] = {}
        self._stacks: dict[tuple[str, str], list[str]] = {}  # (team, user) -> open modal view ids
        self._homes: dict[tuple[str, str], str] = {}  # (team, user) -> home view id
        self._triggers: dict[str, Trigger] = {}
        # How long a trigger_id stays valid (Slack: 3 s); a test sets 0 to have every one expire.
        self.trigger_ttl = TRIGGER_TTL_SECONDS
        self._response_urls: dict[str, ResponseUrl] = {}
        self._files: dict[str, UploadedFile] = {}
        self._last_ts = 0.0
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        # Socket Mode: set by tests.support.socket_mode.SocketModeServer; None answers invalid_auth.
        self.socket_mode: SocketModeEndpoint | None = None
        # Where message timestamps come from (epoch seconds): the playground runs on its own clock.
        self.clock: Callable[[], float] = time.time
        # Bumped on every change a person could see (a message, a modal, a home...): the playground
        # page waits on it to refresh.
        self.revision = 0
        self.workspace = self.add_workspace(workspace_name)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SlackEmulator:
        emulator = self

        class Handler(_Handler):
            pass

        Handler.emulator = emulator
        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="slack-emulator", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SlackEmulator:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "emulator not started"
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        """What the bot's SLACK_API_URL should be."""
        return f"{self.origin}/api/"

    # ------------------------------------------------------------------ workspaces
    def add_workspace(self, name: str = "Globex", domain: str | None = None) -> Workspace:
        """Another workspace with the standard cast (own ids and bot token) for isolation tests."""
        workspace = build_workspace(name, domain)
        with self._lock:
            self.workspaces[workspace.team_id] = workspace
        return workspace

    def workspace_of(self, some_id: str) -> Workspace:
        """The workspace owning a team, user, channel or view id."""
        with self._lock:
            if some_id in self.workspaces:
                return self.workspaces[some_id]
            for workspace in self.workspaces.values():
                if some_id in workspace.users or some_id in workspace.channels:
                    return workspace
            if some_id in self._views:
                return self.workspaces[self._views[some_id].team_id]
        raise KeyError(f"{some_id!r} belongs to no workspace of this emulator")

    def _by_token(self, token: str | None) -> Workspace:
        if not token:
            raise SlackError("not_authed")
        if token.startswith("xapp-"):
            raise SlackError("not_allowed_token_type")  # an app-level token only opens connections
        for workspace in self.workspaces.values():
            if secrets.compare_digest(workspace.bot_token, token):
                if not workspace.active:
                    raise SlackError("account_inactive")
                return workspace
        raise SlackError("invalid_auth")

    def _by_app_token(self, token: str | None) -> Workspace:
        """The app's (first) workspace for its app-level token; bot/user tokens are the wrong type."""
        if not token:
            raise SlackError("not_authed")
        if not token.startswith("xapp-"):
            raise SlackError("not_allowed_token_type")
        endpoint = self.socket_mode
        if endpoint is None or not secrets.compare_digest(endpoint.app_token, token):
            raise SlackError("invalid_auth")
        return self.workspace

    # ------------------------------------------------------------------ ids and helpers
    def _next_ts(self) -> str:
        with self._lock:
            now = max(self.clock(), self._last_ts + 0.000001)
            self._last_ts = now
            return f"{now:.6f}"

    def issue_trigger(self, team_id: str, user_id: str, view_id: str | None = None) -> str:
        """A fresh trigger_id (valid 3 s, once), as Slack puts in an interaction payload."""
        trigger_id = (
            f"{int(time.time())}{secrets.randbelow(10**6):06d}.{secrets.randbelow(10**11)}.{secrets.token_hex(16)}"
        )
        with self._lock:
            self._triggers[trigger_id] = Trigger(trigger_id, team_id, user_id, time.monotonic(), view_id)
        return trigger_id

    def expire_trigger(self, trigger_id: str) -> None:
        """Make a trigger_id older than 3 s (to test ``expired_trigger_id`` without sleeping)."""
        with self._lock:
            self._triggers[trigger_id].created -= TRIGGER_TTL_SECONDS + 1

    def new_response_url(
        self, team_id: str, user_id: str, channel_id: str | None = None, message_ts: str | None = None
    ) -> str:
        """A response_url served by the emulator; records posts; 5 uses within 30 minutes."""
        key = secrets.token_urlsafe(12)
        url = f"{self.origin}/response/{key}"
        with self._lock:
            self._response_urls[key] = ResponseUrl(
                key, url, team_id, channel_id, user_id, time.monotonic(), message_ts=message_ts
            )
        return url

    def _violate(self, method: str, team_id: str | None, problems: list[Problem], args: Any) -> None:
        with self._lock:
            for problem in problems:
                self._violations.append(Violation(method, team_id, problem.error, problem.detail, dict(args)))

    def _notify_changed(self) -> None:
        """Wake the waiters (the caller holds ``self._changed``)."""
        self.revision += 1
        self._changed.notify_all()

    def mark_changed(self) -> None:
        """Something outside the emulator changed what people see (the playground's clock moved)."""
        with self._changed:
            self._notify_changed()

    def wait_for_change(self, seen: int, timeout: float) -> int:
        """Block until ``revision`` differs from ``seen`` (or ``timeout`` seconds); the revision."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while self.revision == seen:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            return self.revision

    def post_as_user(self, user_id: str, channel: str, text: str, thread_ts: str | None = None) -> Message:
        """A person types a message in a channel or DM (the playground page's composer)."""
        workspace = self.workspace_of(user_id)
        with self._changed:
            found = workspace.channels.get(channel) or workspace.channel(channel)
            if user_id not in found.members:
                raise SlackError("not_in_channel")
            if found.is_archived:
                raise SlackError("is_archived")
            message = self._add_message(workspace, found.id, {"text": text, "thread_ts": thread_ts}, via="user")
            message.user, message.bot_id = user_id, ""
            self._notify_changed()
        return message

    def _record(self, call: Call) -> None:
        with self._changed:
            self._calls.append(call)
            self._notify_changed()

    # ------------------------------------------------------------------ queries for tests
    def calls(self, method: str | None = None, *, team: str | None = None, **args: Any) -> list[Call]:
        """Recorded calls, filtered by method, team and argument values (``channel=...``)."""
        with self._lock:
            found = list(self._calls)
        return [
            c
            for c in found
            if (method is None or c.method == method)
            and (team is None or c.team_id == team)
            and all(c.args.get(k) == v for k, v in args.items())
        ]

    def messages_in(self, channel: str, *, include_deleted: bool = False) -> list[Message]:
        """Top-level messages the bot posted in a channel (id, or name in the first workspace)."""
        channel_id = self._channel_key(channel)
        with self._lock:
            return [m for m in self._messages.get(channel_id, []) if include_deleted or not m.deleted]

    def message(self, channel: str, ts: str) -> Message:
        found = self._find_message(self._channel_key(channel), ts)
        if found is None:
            raise KeyError(f"no message {ts} in {channel}")
        return found

    def thread(self, channel: str, ts: str) -> list[Message]:
        """The replies in a thread (not the parent), oldest first."""
        parent = self.message(channel, ts)
        with self._lock:
            return [r for r in parent.replies if not r.deleted]

    def dms_to(self, user_id: str) -> list[Message]:
        """Top-level messages in the bot's DM with a user."""
        workspace = self.workspace_of(user_id)
        with self._lock:
            for channel in workspace.channels.values():
                if channel.is_im and channel.im_user == user_id:
                    return self.messages_in(channel.id)
        return []

    def ephemerals_to(self, user_id: str, channel: str | None = None) -> list[Ephemeral]:
        """Ephemeral messages a user saw: chat.postEphemeral and ephemeral response_url posts."""
        with self._lock:
            return [
                e
                for e in self._ephemerals
                if e.user == user_id and (channel is None or e.channel == self._channel_key(channel))
            ]

    def views_opened(self, user_id: str) -> list[ViewRecord]:
        """Every modal opened or pushed for a user, oldest first."""
        with self._lock:
            return [v for v in self._views.values() if v.user_id == user_id and v.type == "modal"]

    def view(self, view_id: str) -> ViewRecord:
        with self._lock:
            return self._views[view_id]

    def modal_stack(self, user_id: str) -> list[ViewRecord]:
        team_id = self.workspace_of(user_id).team_id
        with self._lock:
            return [self._views[v] for v in self._stacks.get((team_id, user_id), [])]

    def open_modal(self, user_id: str) -> ViewRecord | None:
        """The modal the user is looking at (top of the stack), or None."""
        stack = self.modal_stack(user_id)
        return stack[-1] if stack else None

    def home_of(self, user_id: str) -> dict[str, Any] | None:
        """The user's published Home tab view (API object), or None."""
        team_id = self.workspace_of(user_id).team_id
        with self._lock:
            view_id = self._homes.get((team_id, user_id))
            return dict(self._views[view_id].view) if view_id else None

    def response_posts(self, url: str | None = None) -> list[dict[str, Any]]:
        """Bodies the bot posted to response_urls (one url, or all)."""
        with self._lock:
            return [post for r in self._response_urls.values() if url is None or r.url == url for post in r.posts]

    def uploaded_file(self, file_id: str) -> UploadedFile:
        with self._lock:
            return self._files[file_id]

    @property
    def violations(self) -> list[Violation]:
        with self._lock:
            return list(self._violations)

    def take_violations(self) -> list[Violation]:
        """Return and clear the recorded violations (a test expecting one collects it here)."""
        with self._lock:
            taken, self._violations = self._violations, []
            return taken

    def assert_no_violations(self) -> None:
        found = self.violations
        if found:
            lines = "\n".join(f"  - {v}" for v in found)
            raise AssertionError(f"the code under test broke Slack's rules ({len(found)}):\n{lines}")

    def wait_for(self, predicate: Callable[[], T | None], timeout: float = 5.0, what: str = "condition") -> T:
        """Wait (without polling the wall clock in a loop of sleeps) until predicate() is truthy."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
                self._changed.wait(min(remaining, 0.05))

    def wait_for_call(self, method: str, *, timeout: float = 5.0, after: int = 0, **args: Any) -> Call:
        """The first matching call (beyond the first ``after`` ones), waiting for it if needed."""

        def found() -> Call | None:
            matching = self.calls(method, **args)
            return matching[after] if len(matching) > after else None

        return self.wait_for(found, timeout, what=f"{method} {args or ''}".strip())

    def wait_for_modal(self, user_id: str, *, timeout: float = 5.0, callback_id: str | None = None) -> ViewRecord:
        def found() -> ViewRecord | None:
            top = self.open_modal(user_id)
            if top is not None and (callback_id is None or top.callback_id == callback_id):
                return top
            return None

        return self.wait_for(found, timeout, what=f"a modal for {user_id}")

    def _channel_key(self, channel: str) -> str:
        with self._lock:
            for workspace in self.workspaces.values():
                if channel in workspace.channels:
                    return channel
            with contextlib.suppress(KeyError):
                return self.workspace.channel_id(channel)
        return channel

    def _find_message(self, channel_id: str, ts: str) -> Message | None:
        with self._lock:
            for message in self._messages.get(channel_id, []):
                if message.ts == ts:
                    return message
                for reply in message.replies:
                    if reply.ts == ts:
                        return reply
        return None

    # ------------------------------------------------------------------ modal stack (driver side)
    def apply_submission_ack(self, view_id: str, ack: dict[str, Any] | None) -> None:
        """What Slack does with a view_submission ack: close, update, push, clear or show errors."""
        with self._changed:
            record = self._views.get(view_id)
            if record is None:
                return
            key = (record.team_id, record.user_id)
            stack = self._stacks.setdefault(key, [])
            ack = ack or {}
            action = ack.get("response_action")
            if action == "errors":
                return
            if action == "clear":
                for vid in stack:
                    self._views[vid].closed = True
                stack.clear()
            elif action == "update":
                self._store_view(record.team_id, record.user_id, ack["view"], "response_action:update", view_id)
            elif action == "push":
                new = self._store_view(record.team_id, record.user_id, ack["view"], "response_action:push")
                new.view["previous_view_id"] = view_id
                new.view["root_view_id"] = stack[0] if stack else new.id
                stack.append(new.id)
            else:
                if view_id in stack:
                    stack.remove(view_id)
                record.closed = True
            self._notify_changed()

    def close_modal(self, view_id: str) -> None:
        """The user closed the modal (Cancel / x): the whole stack goes."""
        with self._changed:
            record = self._views[view_id]
            stack = self._stacks.get((record.team_id, record.user_id), [])
            for vid in stack:
                self._views[vid].closed = True
            stack.clear()
            self._notify_changed()

    def _store_view(
        self, team_id: str, user_id: str, view: dict[str, Any], opened_by: str, view_id: str | None = None
    ) -> ViewRecord:
        workspace = self.workspaces[team_id]
        api = dict(view)
        vid = view_id or new_id("V")
        previous = self._views.get(vid)
        api.update(
            {
                "id": vid,
                "team_id": team_id,
                "app_id": APP_ID,
                "bot_id": workspace.bot_id,
                "app_installed_team_id": team_id,
                "hash": f"{int(time.time())}.{secrets.token_hex(4)}",
                "state": {"values": {}},
                "root_view_id": (previous.view.get("root_view_id") if previous else None) or vid,
                "previous_view_id": previous.view.get("previous_view_id") if previous else None,
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "external_id": view.get("external_id", ""),
                "clear_on_close": bool(view.get("clear_on_close", False)),
                "notify_on_close": bool(view.get("notify_on_close", False)),
            }
        )
        record = ViewRecord(vid, team_id, user_id, str(view.get("type")), api, opened_by)
        self._views[vid] = record
        return record

    # ------------------------------------------------------------------ request entry points
    def handle_api(
        self, method: str, args: dict[str, Any], token: str | None, http_method: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Process one Web API request. Returns (status, body, extra headers). May raise _Drop."""
        team_id: str | None = None
        workspace: Workspace | None = None
        try:
            with self._lock:
                workspace = self._by_app_token(token) if method in APP_LEVEL_METHODS else self._by_token(token)
            team_id = workspace.team_id
        except SlackError as error:
            auth_error: SlackError | None = error
        else:
            auth_error = None

        fault = self.faults.pick(method, team_id)
        if fault is not None:
            if fault.kind == "slow":
                time.sleep(fault.delay)
            else:
                response = {"ok": False, "error": f"emulated_fault_{fault.kind}"}
                self._record(
                    Call(
                        method,
                        team_id,
                        args,
                        response,
                        fault.status if fault.kind == "5xx" else 0,
                        time.time(),
                        http_method,
                    )
                )
                if fault.kind == "drop":
                    raise _Drop
                return fault.status, {"ok": False, "error": "service_unavailable"}, {}

        status, headers = 200, {}
        try:
            if auth_error is not None:
                raise auth_error
            assert workspace is not None
            problems = self.rules.check_method(method, args)
            if problems:
                self._violate(method, team_id, problems, args)
                raise SlackError(problems[0].error)
            retry_after = self.rate_limits.check(workspace.team_id, method, _channel_arg(args))
            if retry_after is not None:
                status, headers = 429, {"Retry-After": str(retry_after)}
                raise SlackError("ratelimited")
            implementation = _METHODS.get(method)
            if implementation is None:
                problem = Problem("not_implemented_in_emulator", f"{method} exists in Slack but not here")
                self._violate(method, team_id, [problem], args)
                raise SlackError(problem.error)
            with self._changed:
                response = {"ok": True, **implementation(self, workspace, args)}
                # Recorded under the same lock as the change it made (_record notifies the
                # waiters): whoever sees the change (a published Home, a message) sees its call too.
                self._record(Call(method, team_id, args, response, status, time.time(), http_method))
            return status, response, headers
        except SlackError as error:
            response = {"ok": False, "error": error.error, **error.extra}
        self._record(Call(method, team_id, args, response, status, time.time(), http_method))
        return status, response, headers

    def handle_response_url(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any] | str]:
        fault = self.faults.pick("response_url", None)
        if fault is not None:
            if fault.kind == "slow":
                time.sleep(fault.delay)
            elif fault.kind == "drop":
                raise _Drop
            else:
                return fault.status, "service unavailable"
        with self._changed:
            record = self._response_urls.get(key)
            if record is None:
                return 404, "no_such_url"
            team_id = record.team_id
            response: dict[str, Any]
            status = 200
            if len(record.posts) >= RESPONSE_URL_USES:
                status, response = 404, {"ok": False, "error": "used_url"}
            elif time.monotonic() - record.created > RESPONSE_URL_TTL_SECONDS:
                status, response = 404, {"ok": False, "error": "expired_url"}
            else:
                problems = self.rules.check_message(body)
                if problems:
                    self._violate("response_url", team_id, problems, body)
                    status, response = 400, {"ok": False, "error": problems[0].error}
                else:
                    record.posts.append(dict(body))
                    self._apply_response_post(record, body)
                    response = {"ok": True}
            self._calls.append(
                Call("response_url", team_id, {"url": record.url, **body}, response, status, time.time())
            )
            self._notify_changed()
        return status, response

    def _apply_response_post(self, record: ResponseUrl, body: dict[str, Any]) -> None:
        workspace = self.workspaces[record.team_id]
        original = (
            self._find_message(record.channel_id, record.message_ts)
            if record.channel_id and record.message_ts
            else None
        )
        if body.get("delete_original") and original is not None:
            original.deleted = True
            return
        if _truthy(body.get("replace_original")) and original is not None:
            original.edits.append({"text": original.text, "blocks": original.blocks, "edited_at": self._next_ts()})
            original.text = str(body.get("text") or "")
            original.blocks = body.get("blocks")
            return
        if body.get("response_type") == "in_channel" and record.channel_id:
            self._add_message(workspace, record.channel_id, body, via="response_url")
            return
        self._ephemerals.append(
            Ephemeral(
                record.team_id,
                record.channel_id,
                record.user_id,
                self._next_ts(),
                str(body.get("text") or ""),
                body.get("blocks"),
                body.get("thread_ts"),
                via="response_url",
            )
        )

    def handle_upload(self, file_id: str, content: bytes) -> tuple[int, str]:
        with self._changed:
            uploaded = self._files.get(file_id)
            if uploaded is None:
                return 404, "file not found"
            uploaded.content = content
            self._calls.append(
                Call(
                    "upload",
                    uploaded.team_id,
                    {"file_id": file_id, "size": len(content)},
                    {"ok": True},
                    200,
                    time.time(),
                )
            )
            self._notify_changed()
        return 200, f"OK - {len(content)}"

    def record_ack_ephemeral(self, team_id: str, channel: str | None, user: str, body: dict[str, Any]) -> None:
        """Driver hook: an ack body with text/blocks is an ephemeral reply to the user."""
        with self._changed:
            self._ephemerals.append(
                Ephemeral(
                    team_id, channel, user, self._next_ts(), str(body.get("text") or ""), body.get("blocks"), via="ack"
                )
            )
            self._notify_changed()

    # ------------------------------------------------------------------ shared behaviour
    def _resolve_channel(self, workspace: Workspace, channel: str, *, for_posting: bool) -> Channel:
        if not channel:
            raise SlackError("channel_not_found")
        if channel[0] in "UW" and channel in workspace.users:
            user = workspace.users[channel]
            if user.deleted:
                raise SlackError("user_disabled")
            return workspace.im_with(user.id)
        found = workspace.channels.get(channel)
        if found is None:
            with contextlib.suppress(KeyError):
                found = workspace.channel(channel)
        if found is None:
            raise SlackError("channel_not_found")
        is_member = workspace.bot_user_id in found.members
        if found.is_private and not is_member:
            raise SlackError("channel_not_found")
        if for_posting:
            if found.is_archived:
                raise SlackError("is_archived")
            if not is_member:
                raise SlackError("not_in_channel")
        return found

    def _check_message_args(self, method: str, workspace: Workspace, args: dict[str, Any]) -> None:
        problems = self.rules.check_message(args)
        if problems:
            self._violate(method, workspace.team_id, problems, args)
            raise SlackError(problems[0].error)
        if not args.get("text") and not args.get("blocks") and not args.get("attachments") and not args.get("files"):
            raise SlackError("no_text")

    def _add_message(self, workspace: Workspace, channel_id: str, args: dict[str, Any], via: str) -> Message:
        thread_ts = args.get("thread_ts") or None
        parent: Message | None = None
        if thread_ts:
            parent = self._find_message(channel_id, str(thread_ts))
            if parent is None or parent.deleted:
                raise SlackError("thread_not_found")
            if parent.is_reply:
                parent = self._find_message(channel_id, str(parent.thread_ts))
                assert parent is not None
        message = Message(
            team_id=workspace.team_id,
            channel=channel_id,
            ts=self._next_ts(),
            user=workspace.bot_user_id,
            bot_id=workspace.bot_id,
            text=str(args.get("text") or ""),
            blocks=args.get("blocks"),
            attachments=args.get("attachments"),
            metadata=args.get("metadata"),
            reply_broadcast=_truthy(args.get("reply_broadcast")),
            via=via,
            args=dict(args),
        )
        if parent is not None:
            message.thread_ts = parent.ts
            parent.thread_ts = parent.ts
            parent.replies.append(message)
            if message.reply_broadcast:
                self._messages.setdefault(channel_id, []).append(message)
        else:
            self._messages.setdefault(channel_id, []).append(message)
        return message

    def _use_trigger(self, workspace: Workspace, trigger_id: str) -> Trigger:
        trigger = self._triggers.get(trigger_id)
        if trigger is None or trigger.team_id != workspace.team_id:
            raise SlackError("invalid_trigger_id")
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if time.monotonic() - trigger.created >= self.trigger_ttl:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger

    def _check_view(self, method: str, workspace: Workspace, view: Any, expected_type: str) -> dict[str, Any]:
        problems = self.rules.check_view(view)
        if not problems and view.get("type") != expected_type:
            problems = [Problem("invalid_arguments", f"{method} needs a {expected_type} view")]
        if problems:
            self._violate(method, workspace.team_id, problems, {"view": view})
            raise SlackError(problems[0].error, response_metadata={"messages": [p.detail for p in problems]})
        return dict(view)


# ====================================================================== Web API methods
def _channel_arg(args: dict[str, Any]) -> str | None:
    value = args.get("channel") or args.get("channel_id")
    return str(value) if value else None


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "1"))


def _limit(args: dict[str, Any], default: int) -> int:
    try:
        value = int(args.get("limit") or 0)
    except (TypeError, ValueError):
        raise SlackError("invalid_limit") from None
    return value if value > 0 else default


def _page(items: list[T], args: dict[str, Any], prefix: str, default: int = 100) -> tuple[list[T], str]:
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
    size = _limit(args, default)
    chunk = items[start : start + size]
    end = start + size
    next_cursor = base64.b64encode(f"{prefix}:{end}".encode()).decode() if end < len(items) else ""
    return chunk, next_cursor


Method = Callable[[SlackEmulator, Workspace, dict[str, Any]], dict[str, Any]]
_METHODS: dict[str, Method] = {}


def _method(name: str) -> Callable[[Method], Method]:
    def register(function: Method) -> Method:
        _METHODS[name] = function
        return function

    return register


@_method("api.test")
def _api_test(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"args": {k: v for k, v in args.items() if k != "token"}}


@_method("auth.test")
def _auth_test(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {
        "url": f"https://{ws.domain}.slack.com/",
        "team": ws.name,
        "user": "tandem",
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "app_id": APP_ID,
        "is_enterprise_install": False,
    }


@_method("apps.connections.open")
def _apps_connections_open(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    endpoint = em.socket_mode
    if endpoint is None:
        raise SlackError("invalid_auth")
    return {"url": endpoint.connection_url()}


@_method("team.info")
def _team_info(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"team": {"id": ws.team_id, "name": ws.name, "domain": ws.domain, "email_domain": "example.com"}}


def _user(ws: Workspace, user_id: Any) -> User:
    user = ws.users.get(str(user_id or ""))
    if user is None:
        raise SlackError("user_not_found")
    return user


@_method("users.info")
def _users_info(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    return {"user": _user(ws, args.get("user")).to_api()}


@_method("users.list")
def _users_list(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    members, next_cursor = _page([u.to_api() for u in ws.users.values()], args, "users", default=200)
    return {"members": members, "cache_ts": int(time.time()), "response_metadata": {"next_cursor": next_cursor}}


@_method("users.lookupByEmail")
def _users_lookup(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    for user in ws.users.values():
        if not user.is_bot and user.email == args.get("email"):
            return {"user": user.to_api()}
    raise SlackError("users_not_found")


@_method("conversations.open")
def _conversations_open(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    if args.get("channel"):
        channel = em._resolve_channel(ws, str(args["channel"]), for_posting=False)
        return {"channel": channel.to_api(ws.bot_user_id) if _truthy(args.get("return_im")) else {"id": channel.id}}
    ids = [u.strip() for u in str(args.get("users") or "").split(",") if u.strip()]
    if not ids:
        raise SlackError("users_list_not_supplied")
    users = [_user(ws, uid) for uid in ids]
    if any(u.deleted for u in users):
        raise SlackError("user_disabled")
    if len(users) == 1:
        existed = any(c.is_im and c.im_user == users[0].id for c in ws.channels.values())
        channel = ws.im_with(users[0].id)
        body: dict[str, Any] = {
            "channel": channel.to_api(ws.bot_user_id) if _truthy(args.get("return_im")) else {"id": channel.id}
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


@_method("conversations.info")
def _conversations_info(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=False)
    return {"channel": channel.to_api(ws.bot_user_id)}


@_method("conversations.members")
def _conversations_members(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=False)
    members, next_cursor = _page(sorted(channel.members), args, "members")
    return {"members": members, "response_metadata": {"next_cursor": next_cursor}}


@_method("conversations.join")
def _conversations_join(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
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


@_method("conversations.list")
def _conversations_list(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    types = set(str(args.get("types") or "public_channel").split(","))
    exclude_archived = _truthy(args.get("exclude_archived"))

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
    page, next_cursor = _page(channels, args, "channels")
    return {"channels": page, "response_metadata": {"next_cursor": next_cursor}}


@_method("usergroups.users.list")
def _usergroups_users_list(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    group = ws.usergroups.get(str(args.get("usergroup") or ""))
    if group is None:
        raise SlackError("no_such_subteam")
    return {"users": list(group[1])}


@_method("usergroups.list")
def _usergroups_list(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    include_users = _truthy(args.get("include_users"))
    groups = []
    for group_id, (handle, users) in ws.usergroups.items():
        item: dict[str, Any] = {
            "id": group_id,
            "team_id": ws.team_id,
            "handle": handle,
            "name": handle.title(),
            "user_count": len(users),
        }
        if include_users:
            item["users"] = list(users)
        groups.append(item)
    return {"usergroups": groups}


@_method("chat.postMessage")
def _chat_post_message(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=True)
    em._check_message_args("chat.postMessage", ws, args)
    message = em._add_message(ws, channel.id, args, via="chat.postMessage")
    return {"channel": channel.id, "ts": message.ts, "message": message.to_api()}


@_method("chat.update")
def _chat_update(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
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


@_method("chat.delete")
def _chat_delete(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=False)
    message = em._find_message(channel.id, str(args.get("ts") or ""))
    if message is None or message.deleted:
        raise SlackError("message_not_found")
    if message.user != ws.bot_user_id:
        raise SlackError("cant_delete_message")
    message.deleted = True
    return {"channel": channel.id, "ts": message.ts}


@_method("chat.postEphemeral")
def _chat_post_ephemeral(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=True)
    user = _user(ws, args.get("user"))
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


@_method("chat.getPermalink")
def _chat_get_permalink(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=False)
    message = em._find_message(channel.id, str(args.get("message_ts") or ""))
    if message is None:
        raise SlackError("message_not_found")
    link = f"https://{ws.domain}.slack.com/archives/{channel.id}/p{message.ts.replace('.', '')}"
    if message.is_reply:
        link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
    return {"channel": channel.id, "permalink": link}


def _reaction_target(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> Message:
    channel = em._resolve_channel(ws, str(args.get("channel") or ""), for_posting=False)
    message = em._find_message(channel.id, str(args.get("timestamp") or ""))
    if message is None or message.deleted:
        raise SlackError("message_not_found")
    return message


@_method("reactions.add")
def _reactions_add(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    message = _reaction_target(em, ws, args)
    name = str(args.get("name") or "").strip(":")
    if not name or " " in name:
        raise SlackError("invalid_name")
    users = message.reactions.setdefault(name, [])
    if ws.bot_user_id in users:
        raise SlackError("already_reacted")
    users.append(ws.bot_user_id)
    return {}


@_method("reactions.remove")
def _reactions_remove(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    message = _reaction_target(em, ws, args)
    name = str(args.get("name") or "").strip(":")
    users = message.reactions.get(name, [])
    if ws.bot_user_id not in users:
        raise SlackError("no_reaction")
    users.remove(ws.bot_user_id)
    return {}


@_method("views.open")
def _views_open(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view = em._check_view("views.open", ws, args.get("view"), "modal")
    trigger = em._use_trigger(ws, str(args.get("trigger_id") or ""))
    record = em._store_view(ws.team_id, trigger.user_id, view, "views.open")
    for old in em._stacks.get((ws.team_id, trigger.user_id), []):
        em._views[old].closed = True
    em._stacks[(ws.team_id, trigger.user_id)] = [record.id]
    return {"view": record.view}


@_method("views.push")
def _views_push(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    view = em._check_view("views.push", ws, args.get("view"), "modal")
    trigger = em._use_trigger(ws, str(args.get("trigger_id") or ""))
    stack = em._stacks.setdefault((ws.team_id, trigger.user_id), [])
    if not stack:
        raise SlackError("not_found")
    if len(stack) >= MODAL_STACK_MAX:
        problem = Problem("push_limit_reached", "a modal holds at most 3 views")
        em._violate("views.push", ws.team_id, [problem], args)
        raise SlackError("push_limit_reached")
    record = em._store_view(ws.team_id, trigger.user_id, view, "views.push")
    record.view["previous_view_id"] = stack[-1]
    record.view["root_view_id"] = stack[0]
    stack.append(record.id)
    return {"view": record.view}


@_method("views.update")
def _views_update(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    record: ViewRecord | None = None
    if args.get("view_id"):
        record = em._views.get(str(args["view_id"]))
    elif args.get("external_id"):
        record = next((v for v in em._views.values() if v.view.get("external_id") == args["external_id"]), None)
    else:
        raise SlackError("invalid_arguments")
    if record is None or record.team_id != ws.team_id:
        raise SlackError("not_found")
    view = em._check_view("views.update", ws, args.get("view"), record.type)
    if args.get("hash") and args["hash"] != record.view.get("hash"):
        raise SlackError("hash_conflict")
    updated = em._store_view(ws.team_id, record.user_id, view, "views.update", record.id)
    updated.closed = record.closed
    return {"view": updated.view}


@_method("views.publish")
def _views_publish(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    user = _user(ws, args.get("user_id"))
    view = em._check_view("views.publish", ws, args.get("view"), "home")
    key = (ws.team_id, user.id)
    current = em._homes.get(key)
    if args.get("hash") and current and args["hash"] != em._views[current].view.get("hash"):
        raise SlackError("hash_conflict")
    record = em._store_view(ws.team_id, user.id, view, "views.publish", current)
    em._homes[key] = record.id
    return {"view": record.view}


@_method("files.getUploadURLExternal")
def _files_get_upload_url(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
    try:
        length = int(args.get("length") or 0)
    except (TypeError, ValueError):
        raise SlackError("invalid_arguments") from None
    if length <= 0:
        raise SlackError("invalid_arguments")
    uploaded = UploadedFile(new_id("F"), ws.team_id, str(args.get("filename")), length)
    em._files[uploaded.id] = uploaded
    return {"upload_url": f"{em.origin}/upload/{uploaded.id}", "file_id": uploaded.id}


@_method("files.completeUploadExternal")
def _files_complete_upload(em: SlackEmulator, ws: Workspace, args: dict[str, Any]) -> dict[str, Any]:
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


# ====================================================================== HTTP layer
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


class _Handler(BaseHTTPRequestHandler):
    emulator: SlackEmulator
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
        except _Drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
