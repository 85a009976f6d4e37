"""Helpers of the fault and replica tests: bot processes started by the test itself, a clock that
moves, a PostgreSQL cluster that can be stopped and started again, a round-robin transport, and
what the outbox and the emulator hold."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.db import Database
from bot.playground.signed_requests import Driver, HttpTransport
from bot.playground.slack_emulator import SlackEmulator
from bot.settings import normalize_database_url
from tests.support.botproc import TEST_SIGNING_SECRET, BotProcess, ClockFile, bot_env
from tests.support.databases import PostgresCluster
from tests.support.fixtures import BotUnderTest


def start_bot(
    emulator: SlackEmulator,
    database_url: str,
    clock: ClockFile,
    workdir: Path,
    *,
    scheduler: bool = True,
    tick_seconds: float = 0.5,
    **env: str,
) -> BotProcess:
    """``tandem run --http`` (scheduler on by default, ticking every ``tick_seconds``) in ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    environment = bot_env(
        api_url=emulator.base_url,
        bot_token=emulator.workspace.bot_token,
        signing_secret=TEST_SIGNING_SECRET,
        database_url=database_url,
        clock_file=clock.path,
        TANDEM_TICK_SECONDS=str(tick_seconds),
        **env,
    )
    return BotProcess(environment, workdir, scheduler=scheduler).start()


def handle_for(
    emulator: SlackEmulator, process: BotProcess, clock: ClockFile, database_url: str, transport: Any = None
) -> BotUnderTest:
    """A BotUnderTest (``.user()``, ``.tick()``...) for a process the test started."""
    driver = Driver(emulator, transport or HttpTransport(process.url), TEST_SIGNING_SECRET)
    return BotUnderTest(emulator, driver, clock, database_url, process.env, process.workdir, process)


class RoundRobinTransport:
    """Each request goes to the next bot in turn: a load balancer in front of replicas."""

    def __init__(self, urls: Sequence[str]) -> None:
        self._transports = [HttpTransport(url) for url in urls]
        self._lock = threading.Lock()
        self._next = 0
        self.served = Counter[int]()

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        with self._lock:
            index = self._next
            self._next = (self._next + 1) % len(self._transports)
            self.served[index] += 1
        return self._transports[index].post(body, headers)

    def close(self) -> None:
        for transport in self._transports:
            transport.close()


class RunningClock:
    """The bot's clock file, moving forward at ``rate`` bot seconds per real second.

    Retries (5xx backoff, ``Retry-After``) are due at "now + delay" of the bot's clock: with a
    frozen clock they would wait for the test to move it. Here time passes, fast; ritual
    instants are reached with ``jump`` (never backwards) and an explicit tick."""

    def __init__(self, clock: ClockFile, rate: float = 60.0, step: float = 0.1) -> None:
        self.clock = clock
        self.rate = rate
        self.step = step
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="running-clock", daemon=True)

    def start(self, instant: datetime | str) -> RunningClock:
        self.clock.set(instant)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.step):
            with self._lock:
                self.clock.advance(timedelta(seconds=self.rate * self.step))

    def jump(self, instant: datetime | str) -> datetime:
        """Move to ``instant`` unless the clock is already past it; returns the clock's instant."""
        with self._lock:
            target = self.clock.set(instant) if self.now() < _instant(instant) else self.now()
        return target

    def now(self) -> datetime:
        current = self.clock.now()
        assert current is not None
        return current

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(2)


def _instant(value: datetime | str) -> datetime:
    from bot.clock import parse_instant

    return parse_instant(value) if isinstance(value, str) else value


class RestartableCluster(PostgresCluster):
    """A throwaway PostgreSQL cluster of this test that can go away and come back (same data)."""

    def _options(self) -> str:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        return options + " -c synchronous_commit=off -c max_connections=200"

    def halt(self) -> None:
        """Stop the server (fast shutdown: connections are cut), keeping the data directory."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        log = str(self.root / "pg.log")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", self._options(), "-l", log, "-w", "start")


# ---------------------------------------------------------------------------------------- queries


def query(database_url: str, sql: str, **params: Any) -> list[dict[str, Any]]:
    db = Database.from_url(normalize_database_url(database_url))
    try:
        with db.engine.connect() as connection:
            return [dict(row._mapping) for row in connection.execute(text(sql), params)]
    finally:
        db.dispose()


def outbox_waiting(database_url: str) -> int:
    rows = query(database_url, "SELECT count(*) AS n FROM outbox WHERE status NOT IN ('sent', 'failed')")
    return int(rows[0]["n"])


@dataclass
class CallStats:
    ok: int
    by_status: Counter[int]


def call_stats(emulator: SlackEmulator, methods: Sequence[str]) -> CallStats:
    """Outcomes of the bot's calls of ``methods``: ok, and the HTTP status of the failed ones
    (0: dropped connection)."""
    calls = [c for c in emulator.calls() if c.method in methods]
    return CallStats(sum(1 for c in calls if c.ok), Counter(c.status for c in calls if not c.ok))


def due_schedules(database_url: str, now: datetime) -> int:
    """Schedules due at ``now`` that no tick has handled yet."""
    sql = "SELECT count(*) AS n FROM schedules WHERE paused = false AND next_run_at <= :now"
    return int(query(database_url, sql, now=now)[0]["n"])
