"""Rate limits and injectable faults for the emulator.

Rate limits (OFF unless enabled): per method and workspace, a sliding window of the method's
tier (Tier 1..4 = 1/20/50/100 per minute; the tiers come from the emulator's rules: the test
suite's reference rules read rate-limits.json), and for ``chat.postMessage`` a token
bucket of about 1 message per second per channel with a small burst plus a workspace-wide cap.
``time_scale`` shrinks every window (0.01 makes a minute last 0.6 s) so tests stay fast. A limited
call gets HTTP 429, ``Retry-After`` (whole Slack seconds, at least 1) and
``{"ok": false, "error": "ratelimited"}``.

Faults: by method (or ``"*"``), a number of times or with a probability drawn from a seeded RNG:
``"5xx"`` (an HTTP error status), ``"slow"`` (sleep, then answer normally) or ``"drop"`` (close the
connection without any response).
"""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

TIER_PER_MINUTE = {"Tier1": 1, "Tier2": 20, "Tier3": 50, "Tier4": 100}
SPECIAL_PER_MINUTE = {"SpecialTier_auth_test": 600, "SpecialTier_chat_getPermalink": 600}


@dataclass
class RateLimiter:
    enabled: bool = False
    time_scale: float = 1.0
    post_per_channel_per_second: float = 1.0
    post_burst: int = 3
    workspace_posts_per_minute: int = 300
    overrides: dict[str, int] = field(default_factory=dict)  # method -> per minute
    # Method -> its tier (Tier1..Tier4); the emulator plugs in its rules' table. Unknown: Tier3.
    tier_of: Callable[[str], str] = field(default=lambda _method: "Tier3", repr=False)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, str], deque[float]] = {}
        self._buckets: dict[tuple[str, str], tuple[float, float]] = {}  # (team, channel) -> (tokens, at)

    def enable(self, time_scale: float = 1.0, **settings: float) -> None:
        """Turn rate limiting on; ``time_scale`` < 1 makes every window shorter in real time."""
        with self._lock:
            self.enabled = True
            self.time_scale = time_scale
            for key, value in settings.items():
                if not hasattr(self, key):
                    raise AttributeError(key)
                setattr(self, key, type(getattr(self, key))(value))
            self._windows.clear()
            self._buckets.clear()

    def disable(self) -> None:
        with self._lock:
            self.enabled = False

    def set_limit(self, method: str, per_minute: int) -> None:
        self.overrides[method] = per_minute

    def per_minute(self, method: str) -> int | None:
        if method in self.overrides:
            return self.overrides[method]
        tier = self.tier_of(method)
        if method == "chat.postMessage":
            return self.workspace_posts_per_minute
        return TIER_PER_MINUTE.get(tier) or SPECIAL_PER_MINUTE.get(tier)

    def check(self, team_id: str, method: str, channel: str | None) -> int | None:
        """Count the call; return Retry-After (Slack seconds) when it is over the limit."""
        if not self.enabled:
            return None
        now = time.monotonic()
        with self._lock:
            waits: list[float] = []
            if method == "chat.postMessage" and channel:
                interval = self.time_scale / self.post_per_channel_per_second
                tokens, at = self._buckets.get((team_id, channel), (float(self.post_burst), now))
                tokens = min(float(self.post_burst), tokens + (now - at) / interval)
                if tokens < 1.0:
                    waits.append((1.0 - tokens) * interval)
                    self._buckets[(team_id, channel)] = (tokens, now)
                else:
                    self._buckets[(team_id, channel)] = (tokens - 1.0, now)
            limit = self.per_minute(method)
            if limit is not None and not waits:
                window = 60.0 * self.time_scale
                calls = self._windows.setdefault((team_id, method), deque())
                while calls and calls[0] <= now - window:
                    calls.popleft()
                if len(calls) >= limit:
                    waits.append(calls[0] + window - now)
                else:
                    calls.append(now)
            if not waits:
                return None
            return max(1, math.ceil(max(waits) / self.time_scale))


FaultKind = Literal["5xx", "slow", "drop"]


@dataclass
class Fault:
    method: str  # Web API method, "response_url", "upload", or "*"
    kind: FaultKind
    count: int | None = 1  # how many times it fires (None: unlimited)
    probability: float | None = None  # fire with this probability (seeded RNG) instead of always
    status: int = 503
    delay: float = 1.0
    team_id: str | None = None
    fired: int = 0

    def matches(self, method: str, team_id: str | None) -> bool:
        if self.method not in ("*", method):
            return False
        if self.team_id is not None and team_id is not None and self.team_id != team_id:
            return False
        return self.count is None or self.fired < self.count


class Faults:
    """Injected faults, consulted before every request. ``seed`` makes probabilities repeatable."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self._rng = random.Random(seed)

    def seed(self, seed: int) -> None:
        with self._lock:
            self._rng.seed(seed)

    def add(
        self,
        method: str,
        kind: FaultKind,
        *,
        count: int | None = 1,
        probability: float | None = None,
        status: int = 503,
        delay: float = 1.0,
        team_id: str | None = None,
    ) -> Fault:
        if kind not in ("5xx", "slow", "drop"):
            raise ValueError(f"unknown fault kind {kind!r}")
        fault = Fault(method, kind, count, probability, status, delay, team_id)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def pick(self, method: str, team_id: str | None) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if not fault.matches(method, team_id):
                    continue
                if fault.probability is not None and self._rng.random() >= fault.probability:
                    continue
                fault.fired += 1
                return fault
        return None
