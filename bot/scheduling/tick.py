"""One tick: run everything that is due up to ``now``. Both drivers call this: APScheduler inside
``tandem run`` (bot/scheduling/runner.py) and ``tandem tick --now``.

Per due schedule whose job spec has a ``prepare`` step (a summary model's call), that step runs
first, outside any transaction, so slow network work never holds a lock; then, in **one unit of
work**:

1. lock the schedule row (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL; a replica already
   working on it is skipped; SQLite has one writer at a time);
2. list its occurrences in ``[next_run_at, now]``; the latest runs if it is within the job's
   grace, every other one gets a ``missed`` occurrence row (downtime never causes a burst);
3. claim the occurrence by inserting ``(schedule_id, scheduled_for)`` (unique,
   ``ON CONFLICT DO NOTHING``): no row inserted means someone ran it already;
4. advance ``next_run_at`` past ``now`` and call the handler with the same session.

The claim, the handler's writes (outbox rows) and the new ``next_run_at`` commit together, so an
occurrence runs exactly once; Slack posting happens later, from the outbox. A handler that raises
is rolled back and its occurrence recorded as ``failed`` (and the schedule still advances).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.metrics import TICKS
from bot.scheduling.cadence import CadenceKind
from bot.scheduling.models import OccurrenceStatus, Schedule, ScheduleOccurrence
from bot.scheduling.registry import JobContext, JobSpec
from bot.services import Services

log = logging.getLogger(__name__)

MAX_MISSED_RECORDED = 1_000  # per schedule per tick; older ones are counted in ``details``
DUE_BATCH = 500


@dataclass
class TickReport:
    now: datetime
    ran: dict[str, int] = field(default_factory=dict)
    missed: int = 0
    failed: int = 0
    skipped: int = 0  # claimed by another process (or changed under us)

    def summary(self) -> str:
        done = ", ".join(f"{kind}: {count}" for kind, count in sorted(self.ran.items())) or "nothing due"
        extra = f"; {self.failed} failed" if self.failed else ""
        return f"tick at {self.now.isoformat()}: {done}; {self.missed} missed{extra}"


def _insert_occurrence(session: Session, values: dict[str, Any]) -> bool:
    """Insert an occurrence unless ``(schedule_id, scheduled_for)`` exists; True if inserted."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(ScheduleOccurrence)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["schedule_id", "scheduled_for"])
        .returning(ScheduleOccurrence.id)
    )
    return session.execute(statement).first() is not None


def _lock_due(session: Session, schedule_id: int, now: datetime) -> Schedule | None:
    query = select(Schedule).where(Schedule.id == schedule_id, Schedule.paused.is_(False), Schedule.next_run_at <= now)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return session.scalar(query)


def _occurrence_values(schedule: Schedule, at: datetime, status: OccurrenceStatus, now: datetime) -> dict[str, Any]:
    return {
        "schedule_id": schedule.id,
        "team_id": schedule.team_id,
        "kind": schedule.kind,
        "ref_id": schedule.ref_id,
        "subject": schedule.subject,
        "scheduled_for": at,
        "status": status.value,
        "ran_at": now,
    }


def _plan(schedule: Schedule, spec: JobSpec, now: datetime) -> tuple[datetime | None, list[datetime], int]:
    """(occurrence to run or None, occurrences to record as missed, missed ones not recorded)."""
    assert schedule.next_run_at is not None
    first = schedule.next_run_at
    if schedule.cadence == CadenceKind.ONCE:
        instants = [first]
    else:
        later = schedule.recurrence().between(first, now, limit=100_000)
        instants = [first, *later]
    latest = instants[-1]
    missed = instants[:-1]
    run_at: datetime | None = latest
    if now - latest > spec.grace:
        missed.append(latest)
        run_at = None
    dropped = max(0, len(missed) - MAX_MISSED_RECORDED)
    return run_at, missed[dropped:], dropped


def _advance(schedule: Schedule, now: datetime) -> None:
    if schedule.cadence == CadenceKind.ONCE:
        schedule.next_run_at = None
    else:
        schedule.next_run_at = schedule.recurrence().next_after(now)
    schedule.last_run_at = now


def _prepare(services: Services, schedule_id: int, now: datetime) -> object:
    """The spec's ``prepare`` for a due schedule, outside any transaction; None if it has none or
    it failed (the handler then runs without it: preparing is never what stops a job)."""
    with services.db.unit_of_work() as session:
        schedule = session.get(Schedule, schedule_id)
        if schedule is None or schedule.paused or schedule.next_run_at is None or schedule.next_run_at > now:
            return None
        spec = services.jobs.get(schedule.kind)
        team_id, ref_id, due_at = schedule.team_id, schedule.ref_id, schedule.next_run_at
    if spec is None or spec.prepare is None:
        return None
    try:
        return spec.prepare(services, team_id, ref_id, due_at)
    except Exception:
        log.exception("preparing schedule %s failed; its job runs without it", schedule_id)
        return None


def _run_schedule(services: Services, schedule_id: int, now: datetime, report: TickReport, prepare: bool) -> None:
    prepared = _prepare(services, schedule_id, now) if prepare else None
    try:
        with services.db.unit_of_work() as session:
            schedule = _lock_due(session, schedule_id, now)
            if schedule is None:
                report.skipped += 1
                return
            spec = services.jobs.get(schedule.kind)
            if spec is None:  # not a kind this process knows: leave it for a process that does
                report.skipped += 1
                return
            run_at, missed, dropped = _plan(schedule, spec, now)
            for at in missed:
                if _insert_occurrence(session, _occurrence_values(schedule, at, OccurrenceStatus.MISSED, now)):
                    report.missed += 1
            report.missed += dropped
            if missed:
                log.info("schedule %s (%s): %d occurrence(s) missed", schedule.id, schedule.kind, len(missed) + dropped)
            _advance(schedule, now)
            if run_at is None:
                return
            if not _insert_occurrence(session, _occurrence_values(schedule, run_at, OccurrenceStatus.DONE, now)):
                report.skipped += 1
                return
            spec.handler(JobContext(services, session, schedule, run_at, now, prepared))
            session.flush()
        report.ran[schedule.kind] = report.ran.get(schedule.kind, 0) + 1
    except OperationalError:
        # SQLite's single writer (another process's transaction won the race): nothing was run here.
        if services.db.dialect != "sqlite":
            raise
        log.info("schedule %s: busy, leaving it to the other process", schedule_id)
        report.skipped += 1
    except Exception as error:
        log.exception("job for schedule %s failed", schedule_id)
        _record_failure(services, schedule_id, now, error, report)


def _record_failure(services: Services, schedule_id: int, now: datetime, error: Exception, report: TickReport) -> None:
    """The handler raised and its work was rolled back: record the occurrence as failed, advance."""
    with services.db.unit_of_work() as session:
        schedule = _lock_due(session, schedule_id, now)
        if schedule is None:
            return
        spec = services.jobs.get(schedule.kind)
        if spec is None:
            return
        run_at, missed, _dropped = _plan(schedule, spec, now)
        for at in missed:
            _insert_occurrence(session, _occurrence_values(schedule, at, OccurrenceStatus.MISSED, now))
        if run_at is not None:
            values = _occurrence_values(schedule, run_at, OccurrenceStatus.FAILED, now)
            values["error"] = f"{type(error).__name__}: {error}"[:2000]
            _insert_occurrence(session, values)
        _advance(schedule, now)
    report.failed += 1


def due_schedule_ids(
    session: Session, now: datetime, kinds: list[str], *, after_id: int = 0, limit: int = DUE_BATCH
) -> list[int]:
    """Ids of due, unpaused schedules of ``kinds`` (uses ``ix_schedules_due``), by id from ``after_id``."""
    query = (
        select(Schedule.id)
        .where(
            Schedule.paused.is_(False), Schedule.next_run_at <= now, Schedule.kind.in_(kinds), Schedule.id > after_id
        )
        .order_by(Schedule.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def run_due(services: Services, now: datetime, *, max_schedules: int | None = None) -> TickReport:
    """Run every occurrence due at ``now`` (aware UTC) whose kind is in ``services.jobs``."""
    if now.tzinfo is None:
        raise ValueError("run_due needs an aware datetime")
    TICKS.inc()
    report = TickReport(now=now)
    kinds = services.jobs.kinds()
    if not kinds:
        return report
    preparing = [kind for kind in kinds if services.jobs[kind].prepare is not None]
    last_id = 0
    handled = 0
    while max_schedules is None or handled < max_schedules:
        with services.db.unit_of_work() as session:
            ids = due_schedule_ids(session, now, kinds, after_id=last_id)
            to_prepare = (
                set(session.scalars(select(Schedule.id).where(Schedule.id.in_(ids), Schedule.kind.in_(preparing))))
                if ids and preparing
                else set()
            )
        if not ids:
            break
        for schedule_id in ids:
            if max_schedules is not None and handled >= max_schedules:
                break
            _run_schedule(services, schedule_id, now, report, schedule_id in to_prepare)
            last_id = schedule_id
            handled += 1
    if report.ran:
        services.outbox_wakeup.set()
    return report


def occurrences_of(session: Session, team_id: str, schedule_id: int) -> list[ScheduleOccurrence]:
    return list(
        session.scalars(
            select(ScheduleOccurrence)
            .where(ScheduleOccurrence.team_id == team_id, ScheduleOccurrence.schedule_id == schedule_id)
            .order_by(ScheduleOccurrence.scheduled_for)
        )
    )
