"""The playground's clock: time stands still until the person at the page moves it.

One object is handed to everything that asks for the time: the app's ``Services.clock`` (the
scheduler, the outbox, every service), and the embedded Slack's message timestamps
(:meth:`PlaygroundClock.epoch`). It only moves forward.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class PlaygroundClock:
    """A ``bot.clock.Clock`` (call it for the aware UTC now) that moves only when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("PlaygroundClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            return self._now

    def epoch(self) -> float:
        """Now as epoch seconds (what Slack message timestamps are made of)."""
        return self().timestamp()

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the playground clock only moves forward")
        with self._lock:
            self._now += delta
            return self._now

    def move_to(self, instant: datetime) -> datetime:
        """Jump to ``instant`` (aware); an instant in the past leaves the clock where it is."""
        if instant.tzinfo is None:
            raise ValueError("move_to needs an aware datetime")
        with self._lock:
            self._now = max(self._now, instant.astimezone(UTC))
            return self._now


def demo_start(today: datetime) -> datetime:
    """Where a new playground's clock starts: the coming Monday, 03:00 UTC (before anyone's
    stand-up: 08:30 in Kolkata, 04:00 in Berlin, 22:00 on Sunday in New York), so the first thing a
    visitor sees is the week about to begin."""
    monday = (today.astimezone(UTC) + timedelta(days=7 - today.astimezone(UTC).weekday())).date()
    return datetime(monday.year, monday.month, monday.day, 3, 0, tzinfo=UTC)
