"""A job spec's ``prepare`` step (added for summaries, issue #17): run by the tick for a due
schedule before the claim's unit of work, with no transaction open, its result handed to the
handler; never for a schedule that is not due or paused; a failing one never stops the job. That
no lock is held meanwhile is shown end to end, on SQLite, by
``tests/summaries/test_e2e_summaries.py::test_a_slow_model_delays_the_closing_summary_by_at_most_the_timeout_and_no_ack``."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest
from sqlalchemy import select

from bot.scheduling import Cadence, JobContext, JobSpec
from bot.scheduling.models import OccurrenceStatus, Schedule, ScheduleOccurrence
from bot.scheduling.service import create_schedule, pause_schedule
from bot.scheduling.tick import run_due
from bot.services import Services
from tests.scheduling.fixtures import MutableClock

MONDAY_0800 = datetime(2026, 3, 2, 8, 0, 30, tzinfo=UTC)  # 09:00 Berlin and 30 s


class Recorder:
    def __init__(self, *, fail: bool = False) -> None:
        self.prepared: list[tuple[str, str, datetime]] = []
        self.handled: list[Any] = []
        self.fail = fail

    def prepare(self, services: Services, team_id: str, ref_id: str, due_at: datetime) -> object:
        self.prepared.append((team_id, ref_id, due_at))
        if self.fail:
            raise RuntimeError("model client bug")
        return f"summary for {ref_id}"

    def handle(self, ctx: JobContext) -> None:
        self.handled.append(ctx.prepared)


def make(services: Services, clock: MutableClock, kind: str) -> int:
    with services.db.unit_of_work() as session:
        return create_schedule(
            session, team_id="T1", kind=kind, ref_id=7, cadence=Cadence.weekdays_only(), local_time=time(9, 0),
            timezone="Europe/Berlin", now=clock(),
        ).id  # fmt: skip


def test_prepare_runs_first_and_its_result_reaches_the_handler(services: Services, clock: MutableClock) -> None:
    recorder, plain = Recorder(), Recorder()
    services.jobs = services.jobs.plus(
        JobSpec("test.summarised", recorder.handle, prepare=recorder.prepare), JobSpec("test.plain", plain.handle)
    )
    make(services, clock, "test.summarised")
    make(services, clock, "test.plain")
    assert run_due(services, datetime(2026, 3, 2, 7, 59, tzinfo=UTC)).ran == {}
    assert recorder.prepared == []  # not due: nothing prepared
    report = run_due(services, MONDAY_0800)
    assert report.ran == {"test.summarised": 1, "test.plain": 1}
    assert recorder.prepared == [("T1", "7", datetime(2026, 3, 2, 8, 0, tzinfo=UTC))]
    assert recorder.handled == ["summary for 7"] and plain.handled == [None]
    assert run_due(services, MONDAY_0800).ran == {} and len(recorder.prepared) == 1  # claimed: not again


def test_a_paused_schedule_is_not_prepared(services: Services, clock: MutableClock) -> None:
    recorder = Recorder()
    services.jobs = services.jobs.plus(JobSpec("test.summarised", recorder.handle, prepare=recorder.prepare))
    schedule_id = make(services, clock, "test.summarised")
    with services.db.unit_of_work() as session:
        schedule = session.get(Schedule, schedule_id)
        assert schedule is not None
        pause_schedule(session, schedule, now=clock())
    assert run_due(services, MONDAY_0800).ran == {} and recorder.prepared == []


def test_a_failing_prepare_never_stops_the_job(
    services: Services, clock: MutableClock, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = Recorder(fail=True)
    services.jobs = services.jobs.plus(JobSpec("test.summarised", recorder.handle, prepare=recorder.prepare))
    make(services, clock, "test.summarised")
    assert run_due(services, MONDAY_0800).ran == {"test.summarised": 1}
    assert recorder.handled == [None] and "runs without it" in caplog.text
    with services.db.unit_of_work() as session:
        statuses = list(session.scalars(select(ScheduleOccurrence.status)))
    assert statuses == [OccurrenceStatus.DONE]
