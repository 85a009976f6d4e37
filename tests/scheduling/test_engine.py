"""The tick against a real database (SQLite and PostgreSQL, schema from the migrations)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from bot.scheduling import Cadence, JobContext, JobSpec
from bot.scheduling.models import OccurrenceStatus, Schedule, ScheduleOccurrence
from bot.scheduling.service import (
    create_schedule,
    delete_schedules_for,
    next_occurrences,
    pause_schedule,
    resume_schedule,
    schedule_once,
    set_schedule_timezone,
    update_schedule,
)
from bot.scheduling.tick import run_due
from bot.services import Services
from bot.slack.delivery_models import OutboxMessage
from bot.slack.outbox import enqueue
from tests.scheduling.fixtures import MutableClock

RUNS: list[tuple[str, str, datetime, datetime]] = []


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def record(ctx: JobContext) -> None:
    RUNS.append((ctx.schedule.kind, ctx.subject, ctx.scheduled_for, ctx.now))
    enqueue(
        ctx.session,
        team_id=ctx.schedule.team_id,
        method="chat.postMessage",
        args={"channel": ctx.subject or "C1", "text": "prompt"},
        key=ctx.occurrence_key,
        now=ctx.now,
    )


def explode(ctx: JobContext) -> None:
    enqueue(
        ctx.session,
        team_id="T1",
        method="chat.postMessage",
        args={"channel": "C1", "text": "never"},
        key="boom",
        now=ctx.now,
    )
    raise RuntimeError("handler bug")


@pytest.fixture(autouse=True)
def jobs(services: Services) -> Iterator[None]:
    RUNS.clear()
    # This test's Services only: the tick reads its job table from services.jobs.
    services.jobs = services.jobs.plus(
        JobSpec("test.prompt", record, grace=timedelta(hours=2)),
        JobSpec("test.reminder", record, grace=timedelta(minutes=30)),
        JobSpec("test.boom", explode),
    )
    yield


def occurrences(services: Services) -> list[tuple[str, datetime, str]]:
    with services.db.unit_of_work() as session:
        rows = session.scalars(select(ScheduleOccurrence).order_by(ScheduleOccurrence.scheduled_for))
        return [(r.kind, r.scheduled_for, r.status) for r in rows]


def outbox_count(services: Services) -> int:
    with services.db.unit_of_work() as session:
        return int(session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


def make(services: Services, clock: MutableClock, **kw: object) -> int:
    values: dict[str, object] = {
        "team_id": "T1",
        "kind": "test.prompt",
        "ref_id": 7,
        "cadence": Cadence.weekdays_only(),
        "local_time": time(9, 0),
        "timezone": "Europe/Berlin",
    } | kw
    with services.db.unit_of_work() as session:
        return create_schedule(session, now=clock(), **values).id  # type: ignore[arg-type]


def test_runs_each_occurrence_once_and_advances(services: Services, clock: MutableClock) -> None:
    make(services, clock)  # created Sunday; Mon 2026-03-02 08:00 UTC = 09:00 Berlin
    assert run_due(services, utc(2026, 3, 2, 7, 59)).ran == {}
    report = run_due(services, utc(2026, 3, 2, 8, 0, 30))
    assert report.ran == {"test.prompt": 1}
    assert run_due(services, utc(2026, 3, 2, 8, 1)).ran == {}  # same occurrence: not again
    assert [("test.prompt", "", utc(2026, 3, 2, 8), utc(2026, 3, 2, 8, 0, 30))] == RUNS
    assert outbox_count(services) == 1
    with services.db.unit_of_work() as session:
        assert session.scalar(select(Schedule.next_run_at)) == utc(2026, 3, 3, 8)


def test_downtime_runs_only_the_latest_within_grace_and_records_the_rest_missed(
    services: Services, clock: MutableClock
) -> None:
    make(services, clock)
    # Down from Monday morning to Thursday 09:30 Berlin: Mon, Tue, Wed missed; Thu (30 min late) runs.
    report = run_due(services, utc(2026, 3, 5, 8, 30))
    assert report.ran == {"test.prompt": 1} and report.missed == 3
    assert [r[0:2] for r in RUNS] == [("test.prompt", "")]
    assert RUNS[0][2] == utc(2026, 3, 5, 8)
    assert occurrences(services) == [
        ("test.prompt", utc(2026, 3, 2, 8), OccurrenceStatus.MISSED),
        ("test.prompt", utc(2026, 3, 3, 8), OccurrenceStatus.MISSED),
        ("test.prompt", utc(2026, 3, 4, 8), OccurrenceStatus.MISSED),
        ("test.prompt", utc(2026, 3, 5, 8), OccurrenceStatus.DONE),
    ]


def test_downtime_longer_than_grace_sends_nothing(services: Services, clock: MutableClock) -> None:
    make(services, clock)
    report = run_due(services, utc(2026, 3, 2, 10, 1))  # 2 h 1 min after 09:00 Berlin
    assert report.ran == {} and report.missed == 1
    assert outbox_count(services) == 0
    assert run_due(services, utc(2026, 3, 3, 8, 5)).ran == {"test.prompt": 1}


def test_per_job_grace(services: Services, clock: MutableClock) -> None:
    with services.db.unit_of_work() as session:
        schedule_once(session, team_id="T1", kind="test.reminder", ref_id="r1", at=utc(2026, 3, 2, 9), now=clock())
        schedule_once(session, team_id="T1", kind="test.prompt", ref_id="p1", at=utc(2026, 3, 2, 9), now=clock())
    report = run_due(services, utc(2026, 3, 2, 9, 45))
    assert report.ran == {"test.prompt": 1} and report.missed == 1  # reminder's grace is 30 min
    with services.db.unit_of_work() as session:
        assert list(session.scalars(select(Schedule.next_run_at))) == [None, None]


def test_per_participant_schedules_use_each_persons_zone_and_weekday(services: Services, clock: MutableClock) -> None:
    for user, tz in (("U_BERLIN", "Europe/Berlin"), ("U_NY", "America/New_York"), ("U_AKL", "Pacific/Auckland")):
        make(services, clock, subject=user, timezone=tz, cadence=Cadence.weekly(0), follow_user_timezone=True)
    run_due(services, utc(2026, 3, 9, 23, 59))  # a week of ticks collapsed into one per instant below
    RUNS.clear()
    ticks = [utc(2026, 3, 15, 20), utc(2026, 3, 16, 8), utc(2026, 3, 16, 13)]
    for tick in ticks:
        run_due(services, tick)
    # Monday 09:00 local: Auckland = Sun 20:00 UTC (NZDT), Berlin = Mon 08:00 UTC, New York = Mon 13:00 UTC (EDT).
    assert [(subject, at) for _kind, subject, at, _now in RUNS] == [
        ("U_AKL", utc(2026, 3, 15, 20)),
        ("U_BERLIN", utc(2026, 3, 16, 8)),
        ("U_NY", utc(2026, 3, 16, 13)),
    ]


def test_set_schedule_timezone_moves_next_run(services: Services, clock: MutableClock) -> None:
    schedule_id = make(services, clock, subject="U1", follow_user_timezone=True)
    with services.db.unit_of_work() as session:
        schedule = session.get(Schedule, schedule_id)
        assert schedule is not None
        assert set_schedule_timezone(session, schedule, "Asia/Kolkata", now=clock())
        assert not set_schedule_timezone(session, schedule, "Asia/Kolkata", now=clock())
        assert schedule.next_run_at == utc(2026, 3, 2, 3, 30)  # Monday 09:00 IST


def test_pause_resume_edit_delete_take_effect_on_next_tick(services: Services, clock: MutableClock) -> None:
    schedule_id = make(services, clock)
    with services.db.unit_of_work() as session:
        schedule = session.get(Schedule, schedule_id)
        assert schedule is not None
        pause_schedule(session, schedule, now=clock())
    assert run_due(services, utc(2026, 3, 2, 8, 5)).ran == {}
    clock.instant = utc(2026, 3, 4, 12)
    with services.db.unit_of_work() as session:
        schedule = session.get(Schedule, schedule_id)
        assert schedule is not None
        resume_schedule(session, schedule, now=clock())  # the paused days are not caught up
        assert schedule.next_run_at == utc(2026, 3, 5, 8)
        update_schedule(session, schedule, now=clock(), local_time=time(15, 30), timezone="America/New_York")
        assert schedule.next_run_at == utc(2026, 3, 4, 20, 30)
    assert run_due(services, utc(2026, 3, 4, 20, 31)).ran == {"test.prompt": 1}
    assert occurrences(services) == [("test.prompt", utc(2026, 3, 4, 20, 30), OccurrenceStatus.DONE)]
    with services.db.unit_of_work() as session:
        assert delete_schedules_for(session, "T1", "test.", 7) == 1
        assert delete_schedules_for(session, "T2", "test.", 7) == 0
    assert run_due(services, utc(2026, 3, 5, 20, 31)).ran == {}
    assert occurrences(services) == []


def test_failing_handler_is_rolled_back_recorded_and_does_not_loop(services: Services, clock: MutableClock) -> None:
    make(services, clock, kind="test.boom")
    report = run_due(services, utc(2026, 3, 2, 8, 1))
    assert report.failed == 1 and report.ran == {}
    assert outbox_count(services) == 0  # its enqueue was rolled back
    assert occurrences(services) == [("test.boom", utc(2026, 3, 2, 8), OccurrenceStatus.FAILED)]
    assert run_due(services, utc(2026, 3, 2, 8, 2)).failed == 0


def test_unregistered_kinds_are_left_alone(services: Services, clock: MutableClock) -> None:
    make(services, clock, kind="elsewhere.job")
    assert run_due(services, utc(2026, 3, 2, 8, 1)).ran == {}
    with services.db.unit_of_work() as session:
        assert session.scalar(select(Schedule.next_run_at)) == utc(2026, 3, 2, 8)


def test_next_occurrences_for_the_coming_week(services: Services, clock: MutableClock) -> None:
    make(services, clock, cadence=Cadence.days(0, 3))  # Mon, Thu 09:00 Berlin
    make(services, clock, kind="test.reminder", cadence=Cadence.monthly(-1, 4), timezone="Asia/Kolkata")
    make(services, clock, subject="U1")  # per-participant: left out by default
    paused = make(services, clock, ref_id=8)
    with services.db.unit_of_work() as session:
        schedule = session.get(Schedule, paused)
        assert schedule is not None
        pause_schedule(session, schedule, now=clock())
        coming = next_occurrences(session, "T1", start=utc(2026, 3, 22), end=utc(2026, 3, 29))
        other_team = next_occurrences(session, "T9", start=utc(2026, 3, 22), end=utc(2026, 3, 29))
    assert [(u.kind, u.at) for u in coming] == [
        ("test.prompt", utc(2026, 3, 23, 8)),
        ("test.prompt", utc(2026, 3, 26, 8)),
        ("test.reminder", utc(2026, 3, 27, 3, 30)),
    ]
    assert other_team == []


def test_starts_on_delays_the_first_run(services: Services, clock: MutableClock) -> None:
    make(services, clock, starts_on=date(2026, 3, 10))
    with services.db.unit_of_work() as session:
        assert session.scalar(select(Schedule.next_run_at)) == utc(2026, 3, 10, 8)
