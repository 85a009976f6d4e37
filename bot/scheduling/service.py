"""Creating, editing, pausing and deleting schedules. Each call only changes rows (and flushes):
the next tick sees the change, so nothing needs a restart.

All instants are aware UTC; ``local_time`` is wall-clock time in ``timezone`` (an IANA name).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.scheduling.cadence import Cadence, CadenceKind, InvalidCadence, zone
from bot.scheduling.models import Schedule, ScheduleOccurrence, TimezoneSource

log = logging.getLogger(__name__)

_UNSET: Any = object()


def _check_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")


def _apply_cadence(schedule: Schedule, cadence: Cadence) -> None:
    cadence.validate()
    schedule.cadence = cadence.kind.value
    schedule.weekdays = ",".join(str(d) for d in cadence.weekdays)
    schedule.interval_weeks = cadence.interval_weeks
    schedule.nth = cadence.nth
    schedule.once_on = cadence.on


def recompute_next_run(schedule: Schedule, now: datetime) -> datetime | None:
    """Set ``next_run_at`` to the first fire time after ``now`` (None when nothing is left)."""
    schedule.next_run_at = schedule.recurrence().next_after(now)
    return schedule.next_run_at


def create_schedule(
    session: Session,
    *,
    team_id: str,
    kind: str,
    ref_id: int | str,
    cadence: Cadence,
    local_time: time,
    timezone: str,
    subject: str = "",
    starts_on: date | None = None,
    now: datetime,
    follow_user_timezone: bool = False,
    skip_dates: Iterable[date] = (),
) -> Schedule:
    """A recurring (or one-off) schedule at ``local_time`` in ``timezone``.

    ``starts_on`` (a local date in ``timezone``; default: today there) is the first date it may
    run and the anchor of every-N-weeks. For "each participant at their own local time" create
    one schedule per participant with ``subject=user_id``, their Slack ``tz`` as ``timezone`` and
    ``follow_user_timezone=True`` so ``refresh_user_timezones`` keeps it current.
    Raises InvalidCadence for an unknown zone or an invalid cadence.
    """
    _check_aware(now, "now")
    tz = zone(timezone)
    schedule = Schedule(
        team_id=team_id,
        kind=kind,
        ref_id=str(ref_id),
        subject=subject,
        local_time=local_time.replace(tzinfo=None, second=0, microsecond=0),
        timezone=timezone,
        timezone_source=(TimezoneSource.USER if follow_user_timezone else TimezoneSource.FIXED).value,
        timezone_checked_at=now if follow_user_timezone else None,
        starts_on=starts_on or now.astimezone(tz).date(),
        skip_dates=sorted(d.isoformat() for d in skip_dates),
        paused=False,
        created_at=now,
        updated_at=now,
    )
    _apply_cadence(schedule, cadence)
    recompute_next_run(schedule, now)
    session.add(schedule)
    session.flush()
    return schedule


def schedule_once(
    session: Session, *, team_id: str, kind: str, ref_id: int | str, at: datetime, subject: str = "", now: datetime
) -> Schedule:
    """A one-off timer at the instant ``at`` (reminders, closings, due-date nudges).

    If ``at`` is already past it runs on the next tick (subject to the job's grace).
    """
    _check_aware(at, "at")
    _check_aware(now, "now")
    at_utc = at.astimezone(UTC).replace(microsecond=0)
    schedule = Schedule(
        team_id=team_id,
        kind=kind,
        ref_id=str(ref_id),
        subject=subject,
        cadence=CadenceKind.ONCE.value,
        weekdays="",
        interval_weeks=1,
        nth=0,
        once_on=at_utc.date(),
        local_time=at_utc.time(),
        timezone="UTC",
        timezone_source=TimezoneSource.FIXED.value,
        starts_on=at_utc.date(),
        skip_dates=[],
        # The instant itself (not "after now"): a timer set for the past still fires once.
        next_run_at=at_utc,
        paused=False,
        created_at=now,
        updated_at=now,
    )
    session.add(schedule)
    session.flush()
    return schedule


def get_schedule(session: Session, team_id: str, schedule_id: int) -> Schedule | None:
    return session.scalar(select(Schedule).where(Schedule.team_id == team_id, Schedule.id == schedule_id))


def schedules_for(
    session: Session,
    team_id: str,
    kind_prefix: str = "",
    ref_id: int | str | None = None,
    subject: str | None = None,
) -> list[Schedule]:
    """Schedules of a team whose kind starts with ``kind_prefix`` (and of ``ref_id`` and
    ``subject``, the participant, if given)."""
    query = select(Schedule).where(Schedule.team_id == team_id)
    if kind_prefix:
        query = query.where(Schedule.kind.startswith(kind_prefix, autoescape=True))
    if ref_id is not None:
        query = query.where(Schedule.ref_id == str(ref_id))
    if subject is not None:
        query = query.where(Schedule.subject == subject)
    return list(session.scalars(query.order_by(Schedule.id)))


def update_schedule(
    session: Session,
    schedule: Schedule,
    *,
    now: datetime,
    cadence: Cadence | None = None,
    local_time: time | None = None,
    timezone: str | None = None,
    starts_on: date | None = None,
    skip_dates: Iterable[date] | None = None,
) -> Schedule:
    """Change when a schedule runs; ``next_run_at`` is recomputed from ``now``."""
    _check_aware(now, "now")
    if timezone is not None:
        zone(timezone)
        schedule.timezone = timezone
    if cadence is not None:
        _apply_cadence(schedule, cadence)
    if local_time is not None:
        schedule.local_time = local_time.replace(tzinfo=None, second=0, microsecond=0)
    if starts_on is not None:
        schedule.starts_on = starts_on
    if skip_dates is not None:
        schedule.skip_dates = sorted(d.isoformat() for d in skip_dates)
    schedule.updated_at = now
    recompute_next_run(schedule, now)
    session.flush()
    return schedule


def set_schedule_timezone(session: Session, schedule: Schedule, timezone: str, *, now: datetime) -> bool:
    """Move a (per-participant) schedule to ``timezone``; True if it changed."""
    schedule.timezone_checked_at = now
    if schedule.timezone == timezone:
        session.flush()
        return False
    try:
        zone(timezone)
    except InvalidCadence:
        log.warning("ignoring unknown time zone %r for schedule %s", timezone, schedule.id)
        session.flush()
        return False
    schedule.timezone = timezone
    schedule.updated_at = now
    if schedule.next_run_at is not None:
        recompute_next_run(schedule, now)
    session.flush()
    return True


def pause_schedule(session: Session, schedule: Schedule, *, now: datetime) -> None:
    schedule.paused = True
    schedule.updated_at = now
    session.flush()


def resume_schedule(session: Session, schedule: Schedule, *, now: datetime) -> None:
    """Resume from ``now``: occurrences that fell inside the pause are skipped, not caught up."""
    schedule.paused = False
    schedule.updated_at = now
    if schedule.cadence != CadenceKind.ONCE or schedule.next_run_at is None or schedule.next_run_at > now:
        recompute_next_run(schedule, now)
    session.flush()


def set_paused_for(
    session: Session, team_id: str, kind_prefix: str, ref_id: int | str, paused: bool, now: datetime
) -> int:
    """Pause or resume every schedule of a ritual; returns how many changed."""
    changed = 0
    for schedule in schedules_for(session, team_id, kind_prefix, ref_id):
        if schedule.paused != paused:
            (pause_schedule if paused else resume_schedule)(session, schedule, now=now)
            changed += 1
    return changed


def delete_schedules_for(
    session: Session, team_id: str, kind_prefix: str, ref_id: int | str, subject: str | None = None
) -> int:
    """Delete a ritual's schedules (all kinds starting with ``kind_prefix``; only ``subject``'s if
    given); their occurrences go too."""
    ids = [s.id for s in schedules_for(session, team_id, kind_prefix, ref_id, subject)]
    if not ids:
        return 0
    session.execute(delete(ScheduleOccurrence).where(ScheduleOccurrence.schedule_id.in_(ids)))
    session.execute(delete(Schedule).where(Schedule.id.in_(ids)).execution_options(synchronize_session="fetch"))
    session.flush()
    return len(ids)


@dataclass(frozen=True)
class Upcoming:
    at: datetime  # aware UTC
    schedule_id: int
    kind: str
    ref_id: str
    subject: str


def next_occurrences(
    session: Session,
    team_id: str,
    *,
    start: datetime,
    end: datetime,
    kind_prefix: str = "",
    ref_id: int | str | None = None,
    include_per_subject: bool = False,
    limit: int = 200,
) -> list[Upcoming]:
    """What runs in ``(start, end]`` for a team (digests' "coming next week", App Home), by time.

    Paused schedules are left out. Per-participant schedules (``subject`` set) are left out unless
    ``include_per_subject``: a ritual with 40 participants is one line in a digest, so callers
    usually ask for its ritual-level schedules only.
    """
    _check_aware(start, "start")
    _check_aware(end, "end")
    found: list[Upcoming] = []
    for schedule in schedules_for(session, team_id, kind_prefix, ref_id):
        if schedule.paused or schedule.next_run_at is None or (schedule.subject and not include_per_subject):
            continue
        if schedule.cadence == CadenceKind.ONCE:
            instants: Sequence[datetime] = [schedule.next_run_at] if start < schedule.next_run_at <= end else []
        else:
            after = max(start, schedule.next_run_at - timedelta(microseconds=1))
            instants = schedule.recurrence().between(after, end, limit=limit)
        found.extend(Upcoming(at, schedule.id, schedule.kind, schedule.ref_id, schedule.subject) for at in instants)
    found.sort(key=lambda u: (u.at, u.schedule_id))
    return found[:limit]
