"""Benchmark: one tick with 10,000 active schedules, on SQLite and PostgreSQL.

    python bench/tick.py            # both backends (PostgreSQL: TANDEM_BENCH_POSTGRES or a throwaway cluster)
    python bench/tick.py --sqlite   # SQLite only

10,000 per-participant schedules (weekdays, 07:00-18:59 local, 8 zones incl. Asia/Kolkata), as a
big workspace would have. Measured: ticks 20 s apart across a busy hour (the real cadence of
``tandem run``; each runs the few occurrences that came due and enqueues one outbox row each),
and idle ticks (nothing due). Median of the runs, plus the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import tempfile
import time as clock
from datetime import UTC, datetime, timedelta
from datetime import time as wall
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.postgres import scratch_database
from bot.clock import fixed_clock
from bot.db import Database
from bot.migrate import upgrade_to_head
from bot.runtime import build_services
from bot.scheduling import Cadence, JobContext, JobSpec
from bot.scheduling.service import create_schedule
from bot.scheduling.tick import run_due
from bot.settings import Settings
from bot.slack.outbox import enqueue

ZONES = (
    "Europe/Berlin",
    "America/New_York",
    "Asia/Kolkata",
    "Europe/London",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
)
SCHEDULES = 10_000


def prompt(ctx: JobContext) -> None:
    enqueue(
        ctx.session,
        team_id=ctx.schedule.team_id,
        method="chat.postMessage",
        args={"channel": ctx.subject, "text": "Time for your stand-up"},
        key=ctx.occurrence_key,
        now=ctx.now,
    )


def populate(db: Database, start: datetime) -> None:
    rng = random.Random(7)
    with db.unit_of_work() as session:
        for i in range(SCHEDULES):
            create_schedule(
                session,
                team_id="T_BENCH",
                kind="bench.prompt",
                ref_id=i // 50,
                subject=f"U{i:06d}",
                cadence=Cadence.weekdays_only(),
                local_time=wall(rng.randint(7, 18), rng.randint(0, 59)),
                timezone=rng.choice(ZONES),
                now=start,
            )


def bench(url: str, label: str) -> dict[str, float]:
    db = Database.from_url(url)
    upgrade_to_head(db)
    start = datetime(2026, 3, 1, 12, tzinfo=UTC)  # Sunday: first runs on Monday
    populate(db, start)
    db.dispose()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-bench",
        slack_signing_secret="bench",
        slack_api_url="http://127.0.0.1:9/api/",
        database_url=url,
    )
    services = build_services(settings, clock=fixed_clock(start))
    services.jobs = services.jobs.plus(JobSpec("bench.prompt", prompt))
    # Busy hour: Monday 08:00-09:00 UTC (09:00-10:00 Berlin, 13:30-14:30 Kolkata, 08:00 London...).
    busy: list[float] = []
    working: list[tuple[float, int]] = []  # ticks that ran something: (seconds, occurrences)
    ran = 0
    moment = datetime(2026, 3, 2, 8, tzinfo=UTC)
    run_due(services, moment)  # warm-up (also catches up the night's occurrences as missed)
    for _ in range(180):
        moment += timedelta(seconds=20)
        began = clock.perf_counter()
        report = run_due(services, moment)
        busy.append(clock.perf_counter() - began)
        ran += sum(report.ran.values())
        if report.ran:
            working.append((busy[-1], sum(report.ran.values())))
    idle: list[float] = []
    for _ in range(50):
        began = clock.perf_counter()
        run_due(services, moment)
        idle.append(clock.perf_counter() - began)
    services.db.dispose()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "busy_median_ms": statistics.median(busy) * 1000,
        "busy_p95_ms": sorted(busy)[int(len(busy) * 0.95)] * 1000,
        "busy_max_ms": max(busy) * 1000,
        "occurrences_per_busy_tick": ran / len(busy),
        "working_median_ms": statistics.median(t for t, _ in working) * 1000,
        "occurrences_per_working_tick": statistics.mean(n for _, n in working),
        "idle_median_ms": statistics.median(idle) * 1000,
        "peak_rss_mb": rss_mb,
    }
    print(
        f"{label:10s} schedules={SCHEDULES} busy tick: median {result['busy_median_ms']:.1f} ms, "
        f"p95 {result['busy_p95_ms']:.1f} ms, max {result['busy_max_ms']:.1f} ms "
        f"({result['occurrences_per_busy_tick']:.1f} occurrences/tick over {len(busy)} ticks); "
        f"ticks that ran jobs: median {result['working_median_ms']:.1f} ms "
        f"({len(working)} ticks, {result['occurrences_per_working_tick']:.1f} occurrences each); "
        f"idle tick: median {result['idle_median_ms']:.2f} ms; peak RSS {rss_mb:.0f} MB"
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sqlite", action="store_true", help="SQLite only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench(f"sqlite:///{tmp}/bench.db", "sqlite")
    if not args.sqlite:
        with scratch_database("tick") as url:
            bench(url, "postgresql")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
