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

The emulator in modules: this one (:class:`SlackEmulator`: lifecycle, request entry points,
queries for tests, driver hooks), ``slack_emulator_state.py`` (state, lock, shared behaviour),
``slack_emulator_http.py`` (the HTTP handler), ``slack_emulator_types.py`` (SlackError, Call,
Violation), ``slack_methods.py`` (the table of Web API methods it is built with, listing the
families ``slack_methods_auth/users/conversations/chat/views/files.py``) and
``slack_method_args.py`` (argument helpers the families share).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from http.server import ThreadingHTTPServer
from typing import Any, TypeVar

from bot.playground.slack_emulator_http import DropConnection, EmulatorRequestHandler, parse_request_args
from bot.playground.slack_emulator_state import TRIGGER_TTL_SECONDS, EmulatorState, Method
from bot.playground.slack_emulator_types import Call, SlackError, SocketModeEndpoint, Violation
from bot.playground.slack_method_args import channel_arg, truthy
from bot.playground.slack_methods import METHODS
from bot.playground.slack_rules import Problem, SlackRules
from bot.playground.workspace_state import Ephemeral, Message, ResponseUrl, UploadedFile, ViewRecord, Workspace

__all__ = [
    "TRIGGER_TTL_SECONDS",
    "Call",
    "Method",
    "SlackEmulator",
    "SlackError",
    "SocketModeEndpoint",
    "Violation",
    "parse_request_args",
]

T = TypeVar("T")

RESPONSE_URL_USES = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60
# Methods called with the app-level token (xapp-...), not a workspace's bot token.
APP_LEVEL_METHODS = frozenset({"apps.connections.open"})


class SlackEmulator(EmulatorState):
    """The emulator: state + a ThreadingHTTPServer on 127.0.0.1 (ephemeral port).

    Public attributes: ``workspace`` (the first workspace), ``workspaces`` (by team id),
    ``rate_limits`` (:class:`RateLimiter`, off by default), ``faults`` (:class:`Faults`),
    ``base_url`` (``http://127.0.0.1:<port>/api/``).
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        workspace_name: str = "Acme",
        rules: SlackRules | None = None,
        methods: Mapping[str, Method] = METHODS,
    ) -> None:
        super().__init__(seed=seed, workspace_name=workspace_name, rules=rules)
        # The Web API methods it answers (bot.playground.slack_methods); anything else is
        # not_implemented_in_emulator.
        self.methods: Mapping[str, Method] = methods

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> SlackEmulator:
        emulator = self

        class Handler(EmulatorRequestHandler):
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

    # ------------------------------------------------------------------ request entry points
    def handle_api(
        self, method: str, args: dict[str, Any], token: str | None, http_method: str
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Process one Web API request. Returns (status, body, extra headers). May raise DropConnection."""
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
                    raise DropConnection
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
            retry_after = self.rate_limits.check(workspace.team_id, method, channel_arg(args))
            if retry_after is not None:
                status, headers = 429, {"Retry-After": str(retry_after)}
                raise SlackError("ratelimited")
            implementation = self.methods.get(method)
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
                raise DropConnection
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
        if truthy(body.get("replace_original")) and original is not None:
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
