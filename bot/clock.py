"""The one place Tandem reads the time. Everything else is handed a ``Clock``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def parse_instant(value: str) -> datetime:
    """An ISO-8601 instant; a value without an offset is taken as UTC. Raises ValueError."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def file_clock(path: Path) -> Clock:
    """A clock that reads its instant from a file (tests and demos drive a running bot with it).

    An empty or missing file falls back to the system clock, so a test can move time only when
    it needs to.
    """

    def now() -> datetime:
        try:
            text = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return system_clock()
        return parse_instant(text) if text else system_clock()

    return now


def fixed_clock(instant: datetime) -> Clock:
    if instant.tzinfo is None:
        raise ValueError("fixed_clock needs an aware datetime")

    def now() -> datetime:
        return instant

    return now
