"""Benchmark: ``POST /goals/<id>/values`` with 50 concurrent writers on SQLite, in the same run as a
bare endpoint baseline (``GET /healthz`` of the same process: waitress, the WSGI stack, one
database round trip).

    python bench/goals_values.py                          # 50 writers x 40 requests, 2 rounds
    python bench/goals_values.py --writers 50 --requests 40 --rounds 2 --threads 8 --think-ms 0

Processes on 127.0.0.1: this one (the writers, one thread and one keep-alive HTTP client each,
plus the harness's Slack Web API emulator answering the drainer's ``chat.update`` of the goal's
message), and the real bot (``python -m bot run --http`` with its outbox drainer, no scheduler)
on a fresh migrated SQLite database holding one goal and its push token.

Each writer sends its next request when the previous one is answered (closed loop; ``--think-ms``
adds a mean think time, exponentially distributed). Every push is a new value (a unique
Idempotency-Key and a new number), so each one inserts a row, moves the current value and
enqueues the update of the goal's channel message: the endpoint's most expensive path. Per round
the baseline runs first, then the endpoint, so machine noise hits both alike. Latency is measured
by the client (send to full answer). Reported per target and round: p50, p99, max, throughput and
answers other than the expected status; the p99 ratio endpoint/baseline; and the values stored
(must equal the pushes answered 201). Goal: endpoint p99 <= 50 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.db import Database  # noqa: E402
from bot.goals import setup, values  # noqa: E402
from bot.goals.models import GoalValue  # noqa: E402
from bot.playground.slack_emulator import SlackEmulator  # noqa: E402
from tests.goals.conftest import FakeDirectory, goal_input  # noqa: E402
from tests.support.botproc import TEST_SIGNING_SECRET, BotProcess, bot_env  # noqa: E402
from tests.support.databases import migrate  # noqa: E402

GOAL_P99_MS = 50.0


@dataclass
class Sample:
    latencies: list[float] = field(default_factory=list)  # seconds
    unexpected: int = 0
    elapsed: float = 0.0

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies)
        count = len(ordered)
        p99 = ordered[min(count - 1, max(0, round(0.99 * count) - 1))] if count else float("nan")
        return {
            "n": count,
            "p50_ms": statistics.median(ordered) * 1000 if count else float("nan"),
            "p99_ms": p99 * 1000,
            "max_ms": ordered[-1] * 1000 if count else float("nan"),
            "rps": count / self.elapsed if self.elapsed else 0.0,
            "unexpected": self.unexpected,
        }


def run_load(
    writers: int,
    requests: int,
    think_ms: float,
    send: Callable[[httpx.Client, int, int], httpx.Response],
    expected: int,
) -> Sample:
    sample = Sample()
    lock = threading.Lock()
    start = threading.Barrier(writers + 1)

    def writer(index: int) -> None:
        rng = random.Random(index)
        mine: list[float] = []
        bad = 0
        with httpx.Client(timeout=30.0) as client:
            start.wait()
            for n in range(requests):
                if think_ms:
                    time.sleep(rng.expovariate(1000.0 / think_ms))
                began = time.perf_counter()
                response = send(client, index, n)
                mine.append(time.perf_counter() - began)
                if response.status_code != expected:
                    bad += 1
        with lock:
            sample.latencies.extend(mine)
            sample.unexpected += bad

    threads = [threading.Thread(target=writer, args=(i,), daemon=True) for i in range(writers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    sample.elapsed = time.perf_counter() - began
    return sample


def seed(database_url: str, emulator: SlackEmulator) -> tuple[int, str]:
    ws = emulator.workspace
    db = Database.from_url(database_url)
    now = datetime.now(UTC)
    try:
        with db.unit_of_work() as session:
            data = goal_input(
                product_owners=(ws.user_id("pat"),),
                marketing_owners=(ws.user_id("asha"),),
                channel_id=ws.channel_id("product-marketing"),
                due_on=date(now.year + 1, 6, 30),
            )
            goal = setup.create_goal(
                session, team_id=ws.team_id, data=data, created_by=ws.user_id("pat"), today=now.date(), now=now,
                directory=FakeDirectory(), creator_tz="UTC",
            )  # fmt: skip
            token = values.issue_token(session, goal, now)
            return goal.id, token
    finally:
        db.dispose()


def stored_values(database_url: str) -> int:
    db = Database.from_url(database_url)
    try:
        with db.unit_of_work() as session:
            return int(session.scalar(select(func.count()).select_from(GoalValue)) or 0)
    finally:
        db.dispose()


def line(name: str, figures: dict[str, float]) -> str:
    return (
        f"  {name:<9} n={figures['n']:>5}  p50 {figures['p50_ms']:6.1f} ms  p99 {figures['p99_ms']:6.1f} ms  "
        f"max {figures['max_ms']:7.1f} ms  {figures['rps']:6.0f} req/s  unexpected {figures['unexpected']}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--requests", type=int, default=40, help="per writer, per target and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8, help="the bot's HTTP worker threads (tandem run default)")
    parser.add_argument("--think-ms", type=float, default=0.0, help="mean think time between a writer's requests")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-goals-values-") as folder:
        workdir = Path(folder)
        database_url = f"sqlite:///{workdir / 'tandem.db'}"
        migrate(database_url)
        emulator = SlackEmulator().start()
        goal_id, token = seed(database_url, emulator)
        env = bot_env(
            api_url=emulator.base_url,
            bot_token=emulator.workspace.bot_token,
            signing_secret=TEST_SIGNING_SECRET,
            database_url=database_url,
            log_level="WARNING",
        )
        bot = BotProcess(env, workdir, extra_args=("--threads", str(args.threads))).start()
        url = f"{bot.url}/goals/{goal_id}/values"
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

        def healthz(client: httpx.Client, _writer: int, _n: int) -> httpx.Response:
            return client.get(f"{bot.url}/healthz")

        def push(client: httpx.Client, writer: int, n: int) -> httpx.Response:
            key = f"{run_id}-{writer}-{n}"  # unique: every push is a new value
            body = f'{{"value": {writer * 1000 + n + random.random():.4f}, "note": "bench"}}'
            return client.post(url, content=body, headers={**headers, "Idempotency-Key": key})

        print(
            f"goals values bench: {args.writers} writers x {args.requests} requests, {args.rounds} rounds, "
            f"bot threads {args.threads}, think {args.think_ms:g} ms, SQLite"
        )
        pushed_ok = 0
        ratios = []
        endpoint_p99 = []
        try:
            # Warm-up: connections, the first queries, imports on first use.
            run_load(min(args.writers, 8), 5, 0, healthz, 200)
            for round_index in range(1, args.rounds + 1):
                run_id = f"warm{round_index}"
                warm = run_load(min(args.writers, 8), 3, 0, push, 201).summary()  # warm the endpoint's path
                run_id = f"r{round_index}"
                pushed_ok += int(warm["n"] - warm["unexpected"])
                base = run_load(args.writers, args.requests, args.think_ms, healthz, 200).summary()
                ours = run_load(args.writers, args.requests, args.think_ms, push, 201)
                figures = ours.summary()
                pushed_ok += int(figures["n"] - figures["unexpected"])
                ratio = figures["p99_ms"] / base["p99_ms"] if base["p99_ms"] else float("nan")
                ratios.append(ratio)
                endpoint_p99.append(figures["p99_ms"])
                print(f"round {round_index}")
                print(line("/healthz", base))
                print(line("values", figures))
                print(f"  p99 ratio values / healthz: {ratio:.2f}")
            stored = stored_values(database_url)
        finally:
            code = bot.stop()
            emulator.stop()
        print(f"values stored {stored}, pushes answered 201 {pushed_ok} (must be equal); bot exit {code}")
        median_p99 = statistics.median(endpoint_p99)
        print(
            f"median over rounds: values p99 {median_p99:.1f} ms (goal <= {GOAL_P99_MS:.0f} ms: "
            f"{'met' if median_p99 <= GOAL_P99_MS else 'NOT met'}), p99 ratio {statistics.median(ratios):.2f}"
        )
        return 0 if stored == pushed_ok and code == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
