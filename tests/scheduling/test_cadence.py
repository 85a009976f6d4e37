"""Fire times at chosen instants: DST gaps and folds (Berlin, New York), half-hour zones, local
weekdays, every-N-weeks anchoring, Nth weekday, one-offs. Expected values are written out in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from bot.scheduling.cadence import Cadence, InvalidCadence, Recurrence, local_to_utc, nth_weekday, zone


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def rec(cadence: Cadence, at: str, tz: str, starts_on: date = date(2026, 1, 1), **kw: object) -> Recurrence:
    hour, minute = (int(p) for p in at.split(":"))
    return Recurrence(cadence, time(hour, minute), tz, starts_on, **kw)  # type: ignore[arg-type]


EVERY_DAY = Cadence.days(0, 1, 2, 3, 4, 5, 6)


@pytest.mark.parametrize(
    ("tz", "after", "expected"),
    [
        # Berlin: CET (+1) until 2026-03-29 01:00 UTC, CEST (+2) until 2026-10-25 01:00 UTC.
        ("Europe/Berlin", utc(2026, 3, 27, 12), [utc(2026, 3, 28, 8), utc(2026, 3, 29, 7), utc(2026, 3, 30, 7)]),
        ("Europe/Berlin", utc(2026, 10, 23, 12), [utc(2026, 10, 24, 7), utc(2026, 10, 25, 8), utc(2026, 10, 26, 8)]),
        # New York: EST (-5) until 2026-03-08 07:00 UTC, EDT (-4) until 2026-11-01 06:00 UTC.
        ("America/New_York", utc(2026, 3, 6, 20), [utc(2026, 3, 7, 14), utc(2026, 3, 8, 13), utc(2026, 3, 9, 13)]),
        (
            "America/New_York",
            utc(2026, 10, 30, 20),
            [utc(2026, 10, 31, 13), utc(2026, 11, 1, 14), utc(2026, 11, 2, 14)],
        ),
        # Half-hour zone, no DST: 09:00 IST = 03:30 UTC.
        (
            "Asia/Kolkata",
            utc(2026, 3, 27, 12),
            [utc(2026, 3, 28, 3, 30), utc(2026, 3, 29, 3, 30), utc(2026, 3, 30, 3, 30)],
        ),
    ],
)
def test_nine_oclock_stays_nine_oclock_local_across_dst(tz: str, after: datetime, expected: list[datetime]) -> None:
    fired = rec(EVERY_DAY, "09:00", tz).between(after, expected[-1])
    assert fired == expected
    assert all(instant.astimezone(zone(tz)).time() == time(9, 0) for instant in fired)


def test_spring_forward_gap_new_york_runs_same_distance_after_the_gap() -> None:
    # 02:30 does not exist on 2026-03-08 in New York (02:00 EST -> 03:00 EDT): run at 03:30 EDT.
    fired = rec(EVERY_DAY, "02:30", "America/New_York").between(utc(2026, 3, 7, 12), utc(2026, 3, 9, 12))
    assert fired == [utc(2026, 3, 8, 7, 30), utc(2026, 3, 9, 6, 30)]
    assert fired[0].astimezone(zone("America/New_York")).strftime("%H:%M %Z") == "03:30 EDT"


def test_spring_forward_gap_berlin() -> None:
    # 02:30 does not exist on 2026-03-29 in Berlin (02:00 CET -> 03:00 CEST): 03:30 CEST = 01:30 UTC.
    fired = rec(EVERY_DAY, "02:30", "Europe/Berlin").between(utc(2026, 3, 28, 12), utc(2026, 3, 30, 12))
    assert fired == [utc(2026, 3, 29, 1, 30), utc(2026, 3, 30, 0, 30)]
    assert fired[0].astimezone(zone("Europe/Berlin")).strftime("%H:%M %Z") == "03:30 CEST"


def test_fall_back_fold_new_york_runs_once_at_first_occurrence() -> None:
    # 01:30 happens twice on 2026-11-01 in New York (EDT 05:30 UTC, then EST 06:30 UTC): run once, at the first.
    fired = rec(EVERY_DAY, "01:30", "America/New_York").between(utc(2026, 10, 31, 12), utc(2026, 11, 2, 12))
    assert fired == [utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)]


def test_fall_back_fold_berlin_runs_once_at_first_occurrence() -> None:
    # 02:30 happens twice on 2026-10-25 in Berlin (CEST 00:30 UTC, then CET 01:30 UTC).
    fired = rec(EVERY_DAY, "02:30", "Europe/Berlin").between(utc(2026, 10, 24, 12), utc(2026, 10, 26, 12))
    assert fired == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)]


def test_next_after_inside_the_fold_does_not_run_the_second_occurrence() -> None:
    # A tick between the two 01:30s (after the first ran) must not find another one that day.
    recurrence = rec(EVERY_DAY, "01:30", "America/New_York")
    assert recurrence.next_after(utc(2026, 11, 1, 5, 30)) == utc(2026, 11, 2, 6, 30)


def test_weekdays_are_the_schedule_zones_not_utcs() -> None:
    # Mondays 09:00 in Auckland (NZDT +13 in March) is Sunday 20:00 UTC.
    monday = rec(Cadence.weekly(0), "09:00", "Pacific/Auckland").next_after(utc(2026, 3, 4))
    assert monday == utc(2026, 3, 8, 20)
    assert monday.weekday() == 6 and monday.astimezone(zone("Pacific/Auckland")).weekday() == 0
    # Fridays 17:00 in Los Angeles (PST -8 on 2026-03-06) is Saturday 01:00 UTC.
    friday = rec(Cadence.weekly(4), "17:00", "America/Los_Angeles").next_after(utc(2026, 3, 4))
    assert friday == utc(2026, 3, 7, 1)


def test_weekdays_only_skips_the_weekend() -> None:
    fired = rec(Cadence.weekdays_only(), "09:00", "Europe/Berlin").between(utc(2026, 3, 6, 12), utc(2026, 3, 10, 12))
    assert [f.date() for f in fired] == [date(2026, 3, 9), date(2026, 3, 10)]


def test_every_two_weeks_counts_from_the_start_week() -> None:
    # Starts Wed 2026-03-04: week of Mon 03-02 is week 0, so Tuesdays of weeks 0, 2, 4... but not before the start.
    recurrence = rec(Cadence.every_n_weeks(2, 1, 3), "10:00", "UTC", starts_on=date(2026, 3, 4))
    fired = recurrence.between(utc(2026, 3, 1), utc(2026, 4, 3))
    assert [f.date() for f in fired] == [
        date(2026, 3, 5),  # Thu, week 0
        date(2026, 3, 17),  # Tue, week 2
        date(2026, 3, 19),
        date(2026, 3, 31),  # week 4
        date(2026, 4, 2),
    ]


def test_every_three_weeks_across_a_year_boundary() -> None:
    recurrence = rec(Cadence.every_n_weeks(3, 0), "09:00", "Europe/Berlin", starts_on=date(2025, 12, 1))
    fired = recurrence.between(utc(2025, 11, 30), utc(2026, 2, 1))
    assert [f.date() for f in fired] == [date(2025, 12, 1), date(2025, 12, 22), date(2026, 1, 12)]


@pytest.mark.parametrize(
    ("nth", "weekday", "expected"),
    [
        (1, 0, [date(2026, 1, 5), date(2026, 2, 2), date(2026, 3, 2)]),  # first Monday
        (2, 1, [date(2026, 1, 13), date(2026, 2, 10), date(2026, 3, 10)]),  # second Tuesday
        (4, 3, [date(2026, 1, 22), date(2026, 2, 26), date(2026, 3, 26)]),  # fourth Thursday
        (-1, 4, [date(2026, 1, 30), date(2026, 2, 27), date(2026, 3, 27)]),  # last Friday
        (-1, 6, [date(2026, 1, 25), date(2026, 2, 22), date(2026, 3, 29)]),  # last Sunday (DST day in Berlin)
    ],
)
def test_monthly_nth_weekday(nth: int, weekday: int, expected: list[date]) -> None:
    recurrence = rec(Cadence.monthly(nth, weekday), "09:00", "Europe/Berlin")
    fired = recurrence.between(utc(2026, 1, 1), utc(2026, 3, 31, 23))
    assert [f.astimezone(zone("Europe/Berlin")).date() for f in fired] == expected
    assert all(f.astimezone(zone("Europe/Berlin")).time() == time(9) for f in fired)


def test_nth_weekday_helper() -> None:
    assert nth_weekday(2026, 2, 4, 5) == date(2026, 2, 28)
    assert nth_weekday(2026, 12, -1, 3) == date(2026, 12, 31)


def test_one_off_fires_once_then_never() -> None:
    recurrence = rec(Cadence.once(date(2026, 3, 8)), "02:30", "America/New_York")
    assert recurrence.next_after(utc(2026, 3, 1)) == utc(2026, 3, 8, 7, 30)
    assert recurrence.next_after(utc(2026, 3, 8, 7, 30)) is None


def test_skip_dates_are_local_dates() -> None:
    recurrence = rec(EVERY_DAY, "09:00", "Asia/Kolkata", skip_dates=frozenset({date(2026, 3, 3)}))
    fired = recurrence.between(utc(2026, 3, 2), utc(2026, 3, 4, 12))
    assert [f.date() for f in fired] == [date(2026, 3, 2), date(2026, 3, 4)]


def test_local_to_utc_regular_gap_and_fold() -> None:
    ny = zone("America/New_York")
    assert local_to_utc(date(2026, 6, 1), time(9), ny) == utc(2026, 6, 1, 13)
    assert local_to_utc(date(2026, 3, 8), time(2, 0), ny) == utc(2026, 3, 8, 7)  # 03:00 EDT
    assert local_to_utc(date(2026, 11, 1), time(1, 0), ny) == utc(2026, 11, 1, 5)  # first 01:00 (EDT)


@pytest.mark.parametrize(
    "build",
    [
        lambda: Cadence.days(),
        lambda: Cadence.every_n_weeks(0, 1),
        lambda: Cadence.monthly(5, 1),
        lambda: Cadence.days(7),
    ],
)
def test_invalid_cadences_are_refused(build: object) -> None:
    with pytest.raises(InvalidCadence):
        build()  # type: ignore[operator]


def test_unknown_zone_is_refused() -> None:
    with pytest.raises(InvalidCadence):
        zone("Mars/Olympus_Mons")
