"""A ``tandem tick`` process killed (SIGKILL) in the middle of a fan-out: a restart finishes it,
and nothing already sent is sent again."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.db import Database
from bot.playground.slack_emulator import SlackEmulator
from bot.slack.delivery_models import OutboxMessage, OutboxStatus
from bot.slack.drainer import DrainPolicy
from bot.slack.outbox import enqueue
from tests.scheduling.test_processes import ROOT, child_env
from tests.support.conformance import REFERENCE_RULES

FANOUT = 120


def test_killed_drainer_resumes_without_resending(database_url: str, tmp_path: Path) -> None:
    with SlackEmulator(rules=REFERENCE_RULES) as emulator:
        ws = emulator.workspace
        people = [ws.add_user(f"p{i}", f"Person {i}").id for i in range(FANOUT)]
        # Every post takes 20 ms at "Slack", so the kill lands mid-fan-out.
        emulator.faults.add("chat.postMessage", "slow", count=None, delay=0.02)
        db = Database.from_url(database_url)
        with db.unit_of_work() as session:
            for user in people:
                enqueue(
                    session,
                    team_id=ws.team_id,
                    method="chat.postMessage",
                    args={"channel": user, "text": f"prompt for {user}"},
                    key=f"prompt:{user}",
                    now=datetime.now(UTC),
                )
        clock_file = tmp_path / "clock"
        env = child_env(database_url, emulator, TANDEM_CLOCK_FILE=str(clock_file))
        command = [sys.executable, "-m", "tests.scheduling.proc", "tick"]
        child = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        emulator.wait_for(lambda: len(emulator.calls("chat.postMessage")) >= FANOUT // 3 or None, timeout=60)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        with db.unit_of_work() as session:
            states = {row.key: row.status for row in session.scalars(select(OutboxMessage))}
        sent_before = {key for key, status in states.items() if status == OutboxStatus.SENT}
        in_flight = {key for key, status in states.items() if status == OutboxStatus.SENDING}
        assert 0 < len(sent_before) < FANOUT, "the kill should land mid-fan-out"
        time.sleep(0.1)  # let the emulator finish a request the dead process had in flight
        delivered_before = Counter(c.args.get("channel") for c in emulator.calls("chat.postMessage"))

        # Restart later than the lease: leased rows of the dead process are taken over.
        clock_file.write_text((datetime.now(UTC) + timedelta(minutes=5)).isoformat())
        rerun = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=120)
        assert rerun.returncode == 0, rerun.stderr
        with db.unit_of_work() as session:
            final = {row.key: row.status for row in session.scalars(select(OutboxMessage))}
        db.dispose()
        assert set(final.values()) == {OutboxStatus.SENT}
        posts = Counter(c.args.get("channel") for c in emulator.calls("chat.postMessage") if c.ok)
        assert set(posts) == set(people)  # nothing lost
        duplicated = {user for user, count in posts.items() if count > 1}
        # Rows marked sent before the crash were never re-sent. Only calls in flight at the kill
        # (Slack got them, we never recorded the answer) can be posted twice: the documented
        # at-least-once window, at most one per concurrent call.
        assert not {f"prompt:{u}" for u in duplicated} & sent_before
        assert {f"prompt:{u}" for u in duplicated} <= in_flight
        assert len(duplicated) <= DrainPolicy().concurrency
        print(
            f"sent before kill: {len(sent_before)}, leased at kill: {len(in_flight)}, "
            f"delivered before restart: {sum(delivered_before.values())}, duplicated: {len(duplicated)}"
        )
