"""Benchmark: one stand-up prompt fanned out as DMs to 1,000 participants, through the outbox and
the drainer, against the Slack emulator's rate limits (tests/support), over loopback HTTP.

    python bench/fanout.py                 # SQLite; --postgres: also PostgreSQL (bench/postgres.py)

The emulator enforces chat.postMessage's workspace cap of 300 per minute (sliding window) and
1/s per channel, with its time scale set to 0.05 (a Slack minute lasts 3 s) so the run is short.
The floor those limits allow for N posts is (ceil(N / 300) - 1) windows: the last batch can
start only when the previous window has passed. Reported: drain time / floor, 429s received,
and lost / duplicated DMs (both must be 0).
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from bench.postgres import scratch_database
from bot.db import Database
from bot.migrate import upgrade_to_head
from bot.playground.slack_emulator import SlackEmulator
from bot.runtime import build_services
from bot.settings import Settings
from bot.slack.drainer import Drainer
from bot.slack.outbox import enqueue
from bot.slack.ratelimit import Pacer, RateLimits
from tests.support.conformance import REFERENCE_RULES

PARTICIPANTS = 1_000
TIME_SCALE = 0.05
PER_MINUTE = 300


def run(url: str, label: str) -> None:
    db = Database.from_url(url)
    upgrade_to_head(db)
    db.dispose()
    with SlackEmulator(rules=REFERENCE_RULES) as emulator:
        ws = emulator.workspace
        people = [ws.add_user(f"p{i}", f"Person {i}").id for i in range(PARTICIPANTS)]
        emulator.rate_limits.enable(time_scale=TIME_SCALE, workspace_posts_per_minute=PER_MINUTE)
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            slack_bot_token=ws.bot_token,
            slack_signing_secret="bench",
            slack_api_url=emulator.base_url,
            database_url=url,
        )
        services = build_services(settings)
        began = time.perf_counter()
        now = datetime.now(UTC)
        with services.db.unit_of_work() as session:
            for user in people:
                enqueue(
                    session,
                    team_id=ws.team_id,
                    method="chat.postMessage",
                    args={"channel": user, "text": "Morning! Time for the joint stand-up."},
                    key=f"standup:1:2026-03-02:prompt:{user}",
                    now=now,
                )
        enqueued = time.perf_counter() - began
        drainer = Drainer(services, pacer=Pacer(RateLimits(time_scale=TIME_SCALE, post_message_per_minute=PER_MINUTE)))
        began = time.perf_counter()
        report = drainer.drain(deadline=600)
        elapsed = time.perf_counter() - began
        drainer.close()
        services.db.dispose()
        window = 60 * TIME_SCALE
        floor = (math.ceil(PARTICIPANTS / PER_MINUTE) - 1) * window
        delivered = Counter(c.args["channel"] for c in emulator.calls("chat.postMessage") if c.ok)
        lost = sum(1 for user in people if delivered[user] == 0)
        duplicated = sum(count - 1 for count in delivered.values() if count > 1)
        limited = sum(1 for c in emulator.calls("chat.postMessage") if c.status == 429)
        print(
            f"{label:10s} {PARTICIPANTS} DMs: enqueue {enqueued:.2f} s; drain {elapsed:.2f} s vs floor {floor:.2f} s "
            f"-> ratio {elapsed / floor:.3f}; sent {report.sent}, 429s {limited}, lost {lost}, duplicated {duplicated}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--postgres", action="store_true", help="also run on PostgreSQL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        run(f"sqlite:///{tmp}/fanout.db", "sqlite")
    if args.postgres:
        with scratch_database("fanout") as url:
            run(url, "postgresql")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
