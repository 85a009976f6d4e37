"""The emulator's vocabulary: the Slack error it answers, what it records, what Socket Mode needs.

Imported by every part of the emulator (:mod:`bot.playground.slack_emulator` re-exports them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


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
