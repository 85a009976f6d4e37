"""Client-side pacing of Web API calls, so a fan-out is spread over time instead of running into 429s.

Slack limits each method per workspace per app (tiers: N calls per minute), and chat.postMessage
additionally to about one message per second per channel under a workspace-wide cap
(tests/slack_reference/rate-limits.json). A :class:`Pacer` keeps a sliding window per
``(team, method)`` and, for chat.postMessage, a token bucket per ``(team, channel)``; a
``Retry-After`` from a 429 blocks the same key until it expires. Pacing is per process: with
several replicas draining, Slack's 429s are the backstop.

A slot is reserved when a row is claimed, but Slack counts the call when it handles it, which can
be much later (the call waits in its lane behind others, the request queues on a busy server). So
when the answer comes back, :meth:`Pacer.settle` moves the slot to that instant, an upper bound of
Slack's own stamp: the window then never ends before Slack's does.
"""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# Requests per minute per tier (Slack's documented floors: "Tier 3: 50+ per minute").
TIER_PER_MINUTE: Mapping[str, float] = MappingProxyType({"Tier1": 1, "Tier2": 20, "Tier3": 50, "Tier4": 100})

METHOD_TIERS: Mapping[str, str] = MappingProxyType(
    {
        "chat.postEphemeral": "Tier4",
        "chat.update": "Tier3",
        "chat.delete": "Tier3",
        "chat.scheduleMessage": "Tier3",
        "conversations.open": "Tier3",
        "conversations.members": "Tier4",
        "conversations.info": "Tier3",
        "conversations.join": "Tier3",
        "users.info": "Tier4",
        "users.list": "Tier2",
        "views.publish": "Tier4",
        "views.update": "Tier4",
        "reactions.add": "Tier3",
        "reactions.remove": "Tier2",
        "files.getUploadURLExternal": "Tier4",
        "files.completeUploadExternal": "Tier4",
        "usergroups.users.list": "Tier2",
        "team.info": "Tier3",
    }
)


@dataclass(frozen=True)
class RateLimits:
    """The pacing table, in Slack's terms: calls per minute per method per workspace (a sliding
    window, as Slack counts them), and chat.postMessage's per-channel bucket (about 1 message per
    second, small bursts) under a workspace-wide cap ("several hundred per minute": 300).

    ``time_scale`` < 1 shrinks every window (an emulator running a minute in 0.6 s); Retry-After
    values are scaled the same way by the drainer.
    """

    tiers: Mapping[str, str] = field(default_factory=lambda: METHOD_TIERS)
    tier_per_minute: Mapping[str, float] = field(default_factory=lambda: TIER_PER_MINUTE)
    default_tier: str = "Tier3"
    post_message_per_minute: float = 300
    post_per_channel_per_second: float = 1.0
    post_channel_burst: float = 3.0
    time_scale: float = 1.0
    # Our clock starts a call's window before Slack's does: keep a small margin.
    window_margin: float = 0.02

    def per_minute(self, method: str) -> float:
        if method == "chat.postMessage":
            return self.post_message_per_minute
        return self.tier_per_minute[self.tiers.get(method, self.default_tier)]


@dataclass(frozen=True)
class Reservation:
    """What :meth:`Pacer.try_acquire` gave: a slot taken at ``taken_at`` (``wait`` 0), or the
    seconds to wait before asking again."""

    team_id: str
    method: str
    taken_at: float
    wait: float = 0.0


class _Window:
    """At most ``limit`` calls in any ``seconds``-long window. ``calls`` is kept sorted."""

    __slots__ = ("blocked_until", "calls", "limit", "seconds")

    def __init__(self, limit: int, seconds: float) -> None:
        self.limit = max(1, limit)
        self.seconds = seconds
        self.calls: list[float] = []
        self.blocked_until = 0.0

    def wait(self, now: float, slack: float = 0.0) -> float:
        seconds = self.seconds + slack
        expired = bisect.bisect_right(self.calls, now - seconds)
        if expired:
            del self.calls[:expired]
        wait = 0.0 if len(self.calls) < self.limit else self.calls[0] + seconds - now
        return max(wait, self.blocked_until - now, 0.0)

    def take(self, now: float) -> None:
        bisect.insort(self.calls, now)

    def restamp(self, taken: float, done: float) -> None:
        """The call reserved at ``taken`` was answered at ``done``: it counts from then on."""
        index = bisect.bisect_left(self.calls, taken)
        if index < len(self.calls) and self.calls[index] == taken:
            del self.calls[index]
        bisect.insort(self.calls, max(taken, done))


class _Bucket:
    __slots__ = ("blocked_until", "capacity", "interval", "stamp", "tokens")

    def __init__(self, interval: float, capacity: float, now: float) -> None:
        self.interval = interval  # seconds per token
        self.capacity = capacity
        self.tokens = capacity
        self.stamp = now
        self.blocked_until = 0.0

    def wait(self, now: float, slack: float = 0.0) -> float:
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) / self.interval)
        self.stamp = now
        wait = 0.0 if self.tokens >= 1 else (1 - self.tokens) * self.interval
        return max(wait, self.blocked_until - now, 0.0)

    def take(self, now: float) -> None:
        self.tokens -= 1


class Pacer:
    """Windows keyed by ``(team, method)`` and buckets by ``(team, "#" + channel)``. Thread-safe."""

    def __init__(self, limits: RateLimits | None = None, clock: Callable[[], float] | None = None) -> None:
        self.limits = limits or RateLimits()
        self._clock = clock or time.monotonic
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], _Window] = {}
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        # Slack stamps a call when it handles it, up to one request latency after we counted it:
        # windows are stretched by twice the recent latency (an exponentially weighted average).
        self._latency = 0.0

    def observe_latency(self, seconds: float) -> None:
        with self._lock:
            self._latency = seconds if self._latency == 0.0 else 0.8 * self._latency + 0.2 * seconds

    def _window(self, team_id: str, method: str) -> _Window:
        window = self._windows.get((team_id, method))
        if window is None:
            limits = self.limits
            seconds = 60.0 * limits.time_scale * (1 + limits.window_margin)
            window = self._windows[(team_id, method)] = _Window(int(limits.per_minute(method)), seconds)
        return window

    def _bucket(self, team_id: str, channel: str, now: float) -> _Bucket:
        bucket = self._buckets.get((team_id, channel))
        if bucket is None:
            limits = self.limits
            interval = limits.time_scale * (1 + limits.window_margin) / limits.post_per_channel_per_second
            bucket = self._buckets[(team_id, channel)] = _Bucket(interval, limits.post_channel_burst, now)
        return bucket

    def _limits_for(self, team_id: str, method: str, channel: str, now: float) -> list[_Window | _Bucket]:
        found: list[_Window | _Bucket] = [self._window(team_id, method)]
        if method == "chat.postMessage" and channel:
            found.append(self._bucket(team_id, channel, now))
        return found

    def try_acquire(self, team_id: str, method: str, channel: str = "") -> Reservation:
        """Take a slot for a call (``wait`` 0), or take nothing and say how many seconds to wait."""
        with self._lock:
            now = self._clock()
            limits = self._limits_for(team_id, method, channel, now)
            wait = max(limit.wait(now, 2 * self._latency) for limit in limits)
            if wait > 0:
                return Reservation(team_id, method, now, wait)
            for limit in limits:
                limit.take(now)
            return Reservation(team_id, method, now)

    def settle(self, reservation: Reservation) -> None:
        """The reserved call has been answered: its window slot counts from now (see the module doc)."""
        if reservation.wait > 0:
            return
        with self._lock:
            window = self._windows.get((reservation.team_id, reservation.method))
            if window is not None:
                window.restamp(reservation.taken_at, self._clock())

    def block(self, team_id: str, method: str, channel: str, seconds: float) -> None:
        """A 429 said wait ``seconds`` (real seconds): chat.postMessage blocks the channel if known
        (its per-channel limit is the usual cause), every other method blocks the method."""
        with self._lock:
            now = self._clock()
            limit = self._limits_for(team_id, method, channel, now)[-1]
            limit.blocked_until = max(limit.blocked_until, now + seconds)
