"""Models for the scheduling engine: schedules (the source of truth) and their occurrences.

``Schedule.ref_id`` is a **string** (``String(64)``): the id of the ritual row the job acts on,
whatever its type. Pass ``str(ritual.id)``; the service functions accept ``int | str`` and
convert. ``subject`` is a participant's Slack user id for per-person schedules, else ``""``.

``ScheduleOccurrence`` is the claim: ``(schedule_id, scheduled_for)`` is unique, so however many
processes tick, each occurrence of each schedule (and so of each subject, whose schedules are
separate rows) runs at most once. A missed occurrence (older than the job's grace) gets a row
with status ``missed``.
"""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base
from bot.scheduling.cadence import Cadence, CadenceKind, Recurrence


class TimezoneSource(StrEnum):
    FIXED = "fixed"  # the ritual's zone, chosen by its owner
    USER = "user"  # the subject's Slack ``tz``, refreshed by ``refresh_user_timezones``


class OccurrenceStatus(StrEnum):
    DONE = "done"  # the handler ran and its unit of work committed
    MISSED = "missed"  # older than the grace when a tick saw it (downtime): not run
    FAILED = "failed"  # the handler raised; its work was rolled back


class Schedule(Base):
    __tablename__ = "schedules"
    __table_args__ = (
        Index("ix_schedules_due", "paused", "next_run_at"),
        Index("ix_schedules_ref", "team_id", "kind", "ref_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    ref_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(32), default="")
    cadence: Mapped[str] = mapped_column(String(16))  # CadenceKind
    weekdays: Mapped[str] = mapped_column(String(16), default="")  # "0,2,4"
    interval_weeks: Mapped[int] = mapped_column(Integer, default=1)
    nth: Mapped[int] = mapped_column(Integer, default=0)
    once_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    local_time: Mapped[time] = mapped_column(Time)
    timezone: Mapped[str] = mapped_column(String(64))
    timezone_source: Mapped[str] = mapped_column(String(8), default=TimezoneSource.FIXED)
    timezone_checked_at: Mapped[datetime | None] = mapped_column(nullable=True)
    starts_on: Mapped[date] = mapped_column(Date)
    skip_dates: Mapped[list[str]] = mapped_column(JSON, default=list)  # local ISO dates to skip
    next_run_at: Mapped[datetime | None] = mapped_column(nullable=True)  # None: finished (one-off)
    last_run_at: Mapped[datetime | None] = mapped_column(nullable=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    def cadence_value(self) -> Cadence:
        days = tuple(int(d) for d in self.weekdays.split(",") if d)
        kind = CadenceKind(self.cadence)
        if kind is CadenceKind.ONCE:
            assert self.once_on is not None
            return Cadence.once(self.once_on)
        if kind is CadenceKind.MONTHLY:
            return Cadence.monthly(self.nth, days[0])
        return Cadence.every_n_weeks(self.interval_weeks, *days)

    def recurrence(self) -> Recurrence:
        return Recurrence(
            cadence=self.cadence_value(),
            local_time=self.local_time,
            timezone=self.timezone,
            starts_on=self.starts_on,
            skip_dates=frozenset(date.fromisoformat(d) for d in self.skip_dates or ()),
        )

    def __repr__(self) -> str:
        return f"<Schedule {self.id} {self.team_id} {self.kind} ref={self.ref_id} subject={self.subject!r}>"


class ScheduleOccurrence(Base):
    __tablename__ = "schedule_occurrences"
    __table_args__ = (UniqueConstraint("schedule_id", "scheduled_for"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("schedules.id", ondelete="CASCADE"), index=True)
    team_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(64))
    ref_id: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(32), default="")
    scheduled_for: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(8))  # OccurrenceStatus
    ran_at: Mapped[datetime]
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
