"""Recurrence rules and their next fire times, computed with ``zoneinfo`` (no APScheduler triggers).

A cadence picks *local dates* in the schedule's zone; the schedule's local time on such a date is
turned into an instant with these rules:

- **Wall clock is kept across DST**: 09:00 Europe/Berlin is 09:00 local before and after a change.
- **A local time that does not exist** (spring forward: 02:30 America/New_York on 2026-03-08) runs
  *the same wall-clock distance after the gap*, i.e. at 03:30 EDT. This is ``zoneinfo``'s fold=0
  reading of the non-existent time (the pre-transition offset), which lands 30 minutes past 03:00.
- **An ambiguous local time** (fall back: 01:30 America/New_York on 2026-11-01) runs once, at its
  first occurrence (fold=0, still on summer time).
- **Weekdays and dates are those of the schedule's zone** (the participant's own zone for
  per-participant schedules), never the server's.

APScheduler's CronTrigger has no "every N weeks anchored on a start date" nor "last Thursday of
the month" in the shape we need and its gap handling differs, so we compute next fire times
here and test them directly (tests/scheduling/test_cadence.py).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class CadenceKind(StrEnum):
    WEEKLY = "weekly"  # chosen weekdays, every ``interval_weeks`` weeks (1 = every week)
    MONTHLY = "monthly"  # the ``nth`` ``weekday`` of each month (nth=-1: the last one)
    ONCE = "once"  # one date


class InvalidCadence(ValueError):
    """A cadence, local time or zone that cannot be scheduled. ``str()`` is user-presentable."""


@dataclass(frozen=True)
class Cadence:
    """When a ritual recurs. Build it with the class methods rather than the constructor.

    ``weekdays`` use Python's numbering (0 = Monday ... 6 = Sunday).
    """

    kind: CadenceKind
    weekdays: tuple[int, ...] = ()
    interval_weeks: int = 1
    nth: int = 0
    on: date | None = None

    @classmethod
    def days(cls, *weekdays: int) -> Cadence:
        """Every week on each of ``weekdays`` (e.g. ``Cadence.days(0, 2, 4)`` = Mon, Wed, Fri)."""
        return cls.every_n_weeks(1, *weekdays)

    @classmethod
    def weekdays_only(cls) -> Cadence:
        return cls.days(0, 1, 2, 3, 4)

    @classmethod
    def weekly(cls, weekday: int) -> Cadence:
        return cls.every_n_weeks(1, weekday)

    @classmethod
    def every_n_weeks(cls, n: int, *weekdays: int) -> Cadence:
        """Every ``n``-th week (counted from the schedule's ``starts_on`` week) on ``weekdays``."""
        cadence = cls(CadenceKind.WEEKLY, weekdays=tuple(sorted(set(weekdays))), interval_weeks=n)
        cadence.validate()
        return cadence

    @classmethod
    def monthly(cls, nth: int, weekday: int) -> Cadence:
        """The ``nth`` (1-4, or -1 for the last) ``weekday`` of every month."""
        cadence = cls(CadenceKind.MONTHLY, weekdays=(weekday,), nth=nth)
        cadence.validate()
        return cadence

    @classmethod
    def once(cls, on: date) -> Cadence:
        return cls(CadenceKind.ONCE, on=on)

    def validate(self) -> None:
        if self.kind is CadenceKind.WEEKLY:
            if not self.weekdays:
                raise InvalidCadence("Pick at least one day of the week.")
            if not 1 <= self.interval_weeks <= 52:
                raise InvalidCadence("Repeat every 1 to 52 weeks.")
        if self.kind is CadenceKind.MONTHLY and (len(self.weekdays) != 1 or self.nth not in (1, 2, 3, 4, -1)):
            raise InvalidCadence("Pick the first, second, third, fourth or last weekday of the month.")
        if self.kind is CadenceKind.ONCE and self.on is None:
            raise InvalidCadence("A one-off needs a date.")
        if any(not 0 <= day <= 6 for day in self.weekdays):
            raise InvalidCadence("Weekdays are 0 (Monday) to 6 (Sunday).")

    def describe(self) -> str:
        """Short English description, e.g. ``every 2 weeks on Mon, Thu``."""
        names = ", ".join(WEEKDAY_NAMES[d].capitalize() for d in self.weekdays)
        if self.kind is CadenceKind.WEEKLY:
            if self.weekdays == (0, 1, 2, 3, 4) and self.interval_weeks == 1:
                return "every weekday"
            every = "every week" if self.interval_weeks == 1 else f"every {self.interval_weeks} weeks"
            return f"{every} on {names}"
        if self.kind is CadenceKind.MONTHLY:
            ordinal = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}[self.nth]
            return f"the {ordinal} {calendar.day_name[self.weekdays[0]]} of every month"
        assert self.on is not None
        return f"once on {self.on.isoformat()}"


def zone(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name; InvalidCadence if unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidCadence(f"Unknown time zone {name!r}.") from error


def local_to_utc(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant of wall-clock ``at`` on ``day`` in ``tz`` (gap: shifted forward; fold: first)."""
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0)).replace(tzinfo=tz)
    return local.astimezone(UTC)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def nth_weekday(year: int, month: int, nth: int, weekday: int) -> date | None:
    """The ``nth`` ``weekday`` of a month (nth=-1: the last); None if the month has no such day."""
    if nth == -1:
        last = date(year, month, calendar.monthrange(year, month)[1])
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    return day if day.month == month else None


def matching_dates(cadence: Cadence, start: date, anchor: date) -> Iterator[date]:
    """Local dates on or after ``start`` that ``cadence`` picks, in order (infinite unless ONCE).

    ``anchor`` is the first date the schedule may run (its ``starts_on``); every-N-weeks counts
    weeks from the Monday of the anchor's week.
    """
    start = max(start, anchor)
    if cadence.kind is CadenceKind.ONCE:
        assert cadence.on is not None
        if cadence.on >= start:
            yield cadence.on
        return
    if cadence.kind is CadenceKind.MONTHLY:
        year, month = start.year, start.month
        while True:
            day = nth_weekday(year, month, cadence.nth, cadence.weekdays[0])
            if day is not None and day >= start:
                yield day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    anchor_monday = _monday(anchor)
    week_start = _monday(start)
    while True:
        weeks = (week_start - anchor_monday).days // 7
        if weeks % cadence.interval_weeks == 0:
            for weekday in cadence.weekdays:
                day = week_start + timedelta(days=weekday)
                if day >= start:
                    yield day
            week_start += timedelta(weeks=cadence.interval_weeks)
        else:
            week_start += timedelta(weeks=cadence.interval_weeks - weeks % cadence.interval_weeks)


@dataclass(frozen=True)
class Recurrence:
    """Everything needed to compute fire times: cadence + wall-clock time + zone + bounds."""

    cadence: Cadence
    local_time: time
    timezone: str
    starts_on: date
    skip_dates: frozenset[date] = frozenset()

    def occurrences_after(self, after: datetime) -> Iterator[datetime]:
        """Fire instants (aware UTC) strictly after ``after``, in order."""
        tz = zone(self.timezone)
        # Start a day early: a local date's instant can precede ``after``'s local date in UTC terms.
        first_day = after.astimezone(tz).date() - timedelta(days=1)
        previous: datetime | None = None
        for day in matching_dates(self.cadence, first_day, self.starts_on):
            if day in self.skip_dates:
                continue
            instant = local_to_utc(day, self.local_time, tz)
            if instant > after and instant != previous:
                previous = instant
                yield instant

    def next_after(self, after: datetime) -> datetime | None:
        return next(self.occurrences_after(after), None)

    def between(self, start: datetime, end: datetime, limit: int = 10_000) -> list[datetime]:
        """Fire instants in ``(start, end]``, at most ``limit`` of them (the earliest)."""
        found: list[datetime] = []
        for instant in self.occurrences_after(start):
            if instant > end or len(found) >= limit:
                break
            found.append(instant)
        return found

    def previous_at_or_before(self, moment: datetime, since: datetime) -> datetime | None:
        """The latest fire instant in ``(since, moment]``: what a tick at ``moment`` may run."""
        latest = None
        for instant in self.occurrences_after(since):
            if instant > moment:
                break
            latest = instant
        return latest
