"""One Web API call for the drainer, over httpx, classified: ok, rate-limited, transient or permanent.

No hidden retries: the drainer decides what to do with each ``Outcome`` (``bot.slack.drainer``).
Every call is counted on /metrics like the Bolt client's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.metrics import record_slack_call
from bot.services import Services
from bot.slack.clients import WorkspaceNotInstalled
from bot.slack.delivery_errors import TRANSIENT_ERRORS

# Methods slack_sdk sends as a JSON body; everything else goes form-encoded, as slack_sdk does.
JSON_METHODS = frozenset(
    {
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "chat.scheduleMessage",
        "views.publish",
        "views.update",
        "views.open",
        "views.push",
    }
)


@dataclass(frozen=True)
class Outcome:
    kind: str  # "ok" | "ratelimited" | "transient" | "permanent"
    data: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    retry_after: float = 0.0


class HttpSender:
    """Calls the Web API with httpx, no automatic retries (the drainer decides).

    One connection per call, as slack_sdk does: keep-alive against a server that writes headers
    and body in two segments (the emulator, http.server) stalls ~40 ms per call on Nagle plus
    delayed ACK."""

    def __init__(self, services: Services, timeout: float = 10.0) -> None:
        self._services = services
        self._base = services.settings.slack_api_url
        self._client = httpx.Client(timeout=timeout, limits=httpx.Limits(max_keepalive_connections=0))
        self.timeout = timeout

    def _token(self, team_id: str) -> str:
        token = self._services.slack.for_team(team_id).token
        if not token:
            raise LookupError(team_id)
        return token

    def send(self, team_id: str, method: str, args: dict[str, Any]) -> Outcome:
        try:
            token = self._token(team_id)
        except (WorkspaceNotInstalled, LookupError):
            return Outcome("permanent", error="not_installed")  # no call made: nothing to count
        outcome = self._call(token, method, args)
        # /metrics counts outbox calls like Bolt-client ones (bot.slack.clients.InstrumentedWebClient).
        transport = outcome.error.startswith(("connection_error", "timeout"))
        record_slack_call(method, "ok" if outcome.kind == "ok" else "connection_error" if transport else outcome.error)
        return outcome

    def _call(self, token: str, method: str, args: dict[str, Any]) -> Outcome:
        headers = {"Authorization": f"Bearer {token}"}
        try:
            if method in JSON_METHODS:
                response = self._client.post(self._base + method, json=args, headers=headers)
            else:
                form = {k: v if isinstance(v, str) else json.dumps(v) for k, v in args.items() if v is not None}
                response = self._client.post(self._base + method, data=form, headers=headers)
        except httpx.TimeoutException:
            return Outcome("transient", error="timeout")
        except httpx.TransportError as error:
            return Outcome("transient", error=f"connection_error:{type(error).__name__}")
        if response.status_code == 429:
            return Outcome("ratelimited", error="ratelimited", retry_after=_retry_after(response))
        if response.status_code >= 500 or response.status_code == 408:
            return Outcome("transient", error=f"http_{response.status_code}")
        try:
            data = response.json()
        except ValueError:
            return Outcome("transient" if response.status_code < 400 else "permanent", error="invalid_response")
        if not isinstance(data, dict):
            return Outcome("permanent", error="invalid_response")
        if data.get("ok"):
            return Outcome("ok", data=data)
        slack_error = str(data.get("error") or f"http_{response.status_code}")
        if slack_error in ("ratelimited", "rate_limited"):
            return Outcome("ratelimited", error=slack_error, retry_after=_retry_after(response))
        kind = "transient" if slack_error in TRANSIENT_ERRORS else "permanent"
        return Outcome(kind, data=data, error=slack_error)

    def close(self) -> None:
        self._client.close()


def _retry_after(response: httpx.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "1")))
    except ValueError:
        return 1.0


Sender = Callable[[str, str, dict[str, Any]], Outcome]
