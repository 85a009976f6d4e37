"""Micro-measurement: what one ``POST /goals/<id>/values`` costs in-process, and how long it holds
the database's write gate (SQLite), without HTTP or other load.

    python bench/goals_push.py                 # 300 pushes per scenario, SQLite file
    python bench/goals_push.py --pushes 1000 --checkpointer

The endpoint's WSGI app (``bot.goals.endpoint.values_endpoint``) is called directly, one push at
a time, on a fresh migrated SQLite database holding one goal and its push token; every push is a
new value (a new number and Idempotency-Key), the endpoint's most expensive path. Two scenarios:

- ``burst``: nothing sends the outbox, so the goal message's update stays pending and every push
  after the first folds into it (a burst faster than the drainer);
- ``sent``: between two pushes the pending update is marked sent, so every push starts a new
  version of the message (pushes slower than the drainer).

Reported per scenario: per push, the median, p99 and mean of the whole call and of the time the
write gate was held (what 50 concurrent writers queue behind), and the CPU time of the call (this
thread's: the figure other work on the machine disturbs least). Then what the outbox drainer spends
rendering one goal-message update right before sending it (outside the gate, once per update sent).
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.db import start_checkpointer  # noqa: E402
from bot.goals import setup, values  # noqa: E402
from bot.goals.endpoint import values_endpoint  # noqa: E402
from bot.runtime import build_services  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.slack.delivery_models import OutboxMessage, OutboxStatus  # noqa: E402
from bot.slack.drainer import render_for_send  # noqa: E402
from tests.goals.conftest import FakeDirectory, goal_input  # noqa: E402
from tests.scheduling.fixtures import make_settings  # noqa: E402
from tests.support.databases import migrate  # noqa: E402


class TimedGate:
    """The write gate, timing how long the pushing thread holds it each time."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.held: list[float] = []
        self.pusher = threading.get_ident()
        self._since = threading.local()

    def __enter__(self) -> TimedGate:
        self.inner.__enter__()
        self._since.value = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        if threading.get_ident() == self.pusher:  # not the checkpointer's catch-up
            self.held.append(time.perf_counter() - self._since.value)
        self.inner.__exit__(*exc)


def seed(services: Services) -> tuple[int, str]:
    now = datetime.now(UTC)
    with services.db.unit_of_work() as session:
        goal = setup.create_goal(
            session, team_id="T0BENCH001", data=goal_input(), created_by="U0PRODUCT1", today=now.date(), now=now,
            directory=FakeDirectory(), creator_tz="UTC",
        )  # fmt: skip
        token = values.issue_token(session, goal, now)
        # The goal's message was posted (its ts is known), as in the running app.
        goal.message_ts = "1700000000.000100"
        session.execute(update(OutboxMessage).values(status=OutboxStatus.SENT.value, result={"ts": goal.message_ts}))
        return goal.id, token


def call(app: Any, goal_id: int, token: str, key: str, value: float) -> str:
    body = f'{{"value": {value:.4f}, "note": "bench"}}'.encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": f"/goals/{goal_id}/values",
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_IDEMPOTENCY_KEY": key,
        "wsgi.input": io.BytesIO(body),
    }
    status: list[str] = []
    b"".join(app(environ, lambda s, _h, *_: status.append(s)))
    return status[0]


def figures(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, max(0, round(0.99 * len(ordered)) - 1))]
    return (
        f"median {statistics.median(ordered) * 1000:5.2f} ms  p99 {p99 * 1000:5.2f} ms  "
        f"mean {statistics.fmean(ordered) * 1000:5.2f} ms"
    )


def mark_sent(services: Services) -> None:
    with services.db.unit_of_work() as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.PENDING.value)
            .values(status=OutboxStatus.SENT.value, result={"ts": "1700000000.000100"})
        )


def scenario(services: Services, gate: TimedGate, name: str, pushes: int, goal_id: int, token: str) -> None:
    app = values_endpoint(services)
    for n in range(20):  # warm-up: imports on first use, statement caches
        call(app, goal_id, token, f"{name}-warm-{n}", 100 + n)
    mark_sent(services)
    gate.held.clear()
    total: list[float] = []
    cpu: list[float] = []
    for n in range(pushes):
        began, began_cpu = time.perf_counter(), time.thread_time()
        status = call(app, goal_id, token, f"{name}-{n}", 1000 + n + 0.5)
        total.append(time.perf_counter() - began)
        cpu.append(time.thread_time() - began_cpu)
        assert status.startswith("201"), status
        if name == "sent":
            mark_sent(services)
    held = gate.held[: len(total)]
    print(f"{name:<6} whole call   {figures(total)}")
    print(f"{name:<6} gate held    {figures(held)}")
    print(f"{name:<6} CPU of call  {figures(cpu)}")


def render_cost(services: Services, renders: int) -> None:
    """What the drainer spends rendering one goal-message update before its call, outside the gate."""
    with services.db.unit_of_work() as session:
        row = session.scalars(
            select(OutboxMessage).where(OutboxMessage.method == "chat.update").order_by(OutboxMessage.id.desc())
        ).first()
        assert row is not None
        team_id, args = row.team_id, dict(row.args)
    took = []
    for _ in range(renders):
        began = time.perf_counter()
        sent = render_for_send(services.db, services.hooks.renderers, team_id, args)
        took.append(time.perf_counter() - began)
        assert sent is not None and "blocks" in sent
    print(f"render at send (drainer, no gate) {figures(took)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pushes", type=int, default=300, help="per scenario")
    parser.add_argument(
        "--checkpointer", action="store_true", help="checkpoint in the background as `tandem run` does (bot.db)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-goals-push-") as folder:
        url = f"sqlite:///{Path(folder) / 'tandem.db'}"
        migrate(url)
        services = build_services(make_settings(url))
        gate = TimedGate(services.db.write_gate)
        services.db.write_gate = gate
        checkpointer = start_checkpointer(services.db) if args.checkpointer else None
        try:
            goal_id, token = seed(services)
            print(
                f"goals push micro-measurement: {args.pushes} pushes per scenario, one at a time, SQLite file, "
                f"checkpoints {'in the background' if checkpointer else 'by SQLite in commits'}"
            )
            scenario(services, gate, "burst", args.pushes, goal_id, token)
            scenario(services, gate, "sent", args.pushes, goal_id, token)
            render_cost(services, args.pushes)
        finally:
            if checkpointer is not None:
                checkpointer.stop()
            services.db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
