"""Two real ``tandem tick`` processes against the same PostgreSQL database: every occurrence runs
once and every message is posted once (Slack emulator over loopback HTTP)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import UTC, datetime, time
from pathlib import Path

from sqlalchemy import func, select

from bot.db import Database
from bot.playground.slack_emulator import SlackEmulator
from bot.scheduling import Cadence
from bot.scheduling.models import OccurrenceStatus, ScheduleOccurrence
from bot.scheduling.service import create_schedule
from bot.slack.delivery_models import OutboxMessage
from tests.support.conformance import REFERENCE_RULES

ROOT = Path(__file__).resolve().parents[2]


def child_env(database_url: str, emulator: SlackEmulator, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_", "TANDEM_"))}
    env.update(
        DATABASE_URL=database_url,
        SLACK_BOT_TOKEN=emulator.workspace.bot_token,
        SLACK_SIGNING_SECRET="test-secret",
        SLACK_API_URL=emulator.base_url,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    return env


def test_two_concurrent_ticks_run_each_occurrence_once(postgres_database_url: str) -> None:
    with SlackEmulator(rules=REFERENCE_RULES) as emulator:
        ws = emulator.workspace
        people = [ws.add_user(f"p{i}", f"Person {i}", tz="Europe/Berlin").id for i in range(150)]
        db = Database.from_url(postgres_database_url)
        created = datetime(2026, 3, 1, 12, tzinfo=UTC)
        with db.unit_of_work() as session:
            for user in people:
                create_schedule(
                    session,
                    team_id=ws.team_id,
                    kind="proc.prompt",
                    ref_id=1,
                    subject=user,
                    cadence=Cadence.weekdays_only(),
                    local_time=time(9),
                    timezone="Europe/Berlin",
                    now=created,
                )
        env = child_env(postgres_database_url, emulator)
        command = [sys.executable, "-m", "tests.scheduling.proc", "tick", "--now", "2026-03-02T08:00:30Z"]
        children = [
            subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(2)
        ]
        outputs = [child.communicate(timeout=120) for child in children]
        for child, (_out, err) in zip(children, outputs, strict=True):
            assert child.returncode == 0, err
        ran = [int(out.split("proc.prompt: ")[1].split(";")[0]) if "proc.prompt: " in out else 0 for out, _ in outputs]
        print("occurrences run per process:", ran)
        assert sum(ran) == 150
        with db.unit_of_work() as session:
            statuses = Counter(session.scalars(select(ScheduleOccurrence.status)))
            outbox = session.scalar(select(func.count()).select_from(OutboxMessage))
        db.dispose()
        assert statuses == {OccurrenceStatus.DONE: 150}
        assert outbox == 150  # a double run would have enqueued a second row (the key carries the pid)
        assert sorted(len(emulator.dms_to(user)) for user in people) == [1] * 150
        # Ticking again at the same instant does nothing.
        again = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
        assert "nothing due" in again.stdout
        assert sum(len(emulator.dms_to(user)) for user in people) == 150
