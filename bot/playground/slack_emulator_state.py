"""The emulator's state and the shared behaviour the Web API methods build on.

:class:`EmulatorState` holds the workspaces, messages, views, triggers, response_urls and files,
the lock that guards them (``_changed`` wakes whoever waits for a change), the recorded calls and
violations, and what every method family needs: token and channel resolution, timestamps,
message and view storage, trigger use, rule checks. :class:`bot.playground.slack_emulator.SlackEmulator`
adds the HTTP server, the request entry points and the queries tests make. The method families
(``slack_methods_*.py``) take an ``EmulatorState`` and run under its lock.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
import time
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any

from bot.playground.limits import Faults, RateLimiter
from bot.playground.slack_emulator_types import Call, SlackError, SocketModeEndpoint, Violation
from bot.playground.slack_method_args import truthy
from bot.playground.slack_rules import BlockKitRules, Problem, SlackRules
from bot.playground.workspace_state import (
    APP_ID,
    Channel,
    Ephemeral,
    Message,
    ResponseUrl,
    Trigger,
    UploadedFile,
    ViewRecord,
    Workspace,
    build_workspace,
    new_id,
)

TRIGGER_TTL_SECONDS = 3.0


class EmulatorState:
    """State, lock and shared behaviour of the emulator (see the module docstring)."""

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

    def _record(self, call: Call) -> None:
        with self._changed:
            self._calls.append(call)
            self._notify_changed()

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
            reply_broadcast=truthy(args.get("reply_broadcast")),
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


# One Web API method: (emulator, the caller's workspace, the request's arguments) -> the response's
# fields beyond ``"ok": true``; raises SlackError for ``"ok": false``. Runs under the emulator's lock.
Method = Callable[[EmulatorState, Workspace, dict[str, Any]], dict[str, Any]]
