"""Fast tests of days off and escalation: the zone -> country table, public holidays in Germany, the
US and India, working days across weekends and holidays, company days off, who may change whose
calendar, and stale asks and blockers raised once (SQLite; the e2e tests run both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db import Database, insert_ignore
from bot.digest.compose import compile_digest
from bot.home.service import home_data
from bot.home.views import build_home_view
from bot.slack.delivery_models import OutboxMessage
from bot.standup import answers, calendars, daysoff, escalation, forms
from bot.standup.calendars import Calendar, default_for_zone, public_holiday, working_days_between
from bot.standup.data import NotAllowed, NotFound, StandupError
from bot.standup.ids import Action, Block, EscalationKind
from bot.standup.models import CompanyDayOff, StandupEscalation
from tests.standup.conftest import TEAM, FakeDirectory
from tests.standup.test_service import create, prompt_for

BERLIN = Calendar("DE", "BE")
BAVARIA = Calendar("DE", "BY")
NEW_YORK = Calendar("US", "NY")
INDIA = Calendar("IN", "")
AT = datetime(2027, 5, 10, 12, 0, tzinfo=UTC)  # a Monday


# --- the zone -> country table -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("Europe/Berlin", ("DE", "BE")),
        ("America/New_York", ("US", "NY")),
        ("Asia/Kolkata", ("IN", "")),
        ("America/Los_Angeles", ("US", "CA")),
        ("America/Chicago", ("", "")),  # a dozen states with different holidays: no default
        ("UTC", ("", "")),
        ("Not/AZone", ("", "")),
    ],
)
def test_a_time_zone_implies_a_calendar_only_when_unambiguous(zone: str, expected: tuple[str, str]) -> None:
    calendar = default_for_zone(zone)
    assert (calendar.country, calendar.subdivision) == expected
    assert not calendar.chosen


def test_every_default_in_the_table_is_a_calendar_the_library_knows() -> None:
    for zone, (country, subdivision) in calendars.ZONE_DEFAULTS.items():
        assert calendars.valid(country, subdivision), zone


def test_labels() -> None:
    assert BERLIN.label == "Germany (BE)"
    assert INDIA.label == "India"
    assert Calendar().label == "none"


# --- public holidays -----------------------------------------------------------------------------


def test_public_holidays_in_germany_the_us_and_india() -> None:
    whit_monday = date(2027, 5, 17)
    assert public_holiday(BERLIN, whit_monday) == "Pentecost Monday"
    assert public_holiday(NEW_YORK, whit_monday) is None
    assert public_holiday(BERLIN, date(2026, 12, 25)) == "Christmas Day"
    assert public_holiday(NEW_YORK, date(2026, 12, 25)) == "Christmas Day"
    assert public_holiday(NEW_YORK, date(2026, 11, 26)) == "Thanksgiving Day"
    assert public_holiday(BERLIN, date(2026, 11, 26)) is None
    assert public_holiday(INDIA, date(2027, 1, 26)) == "Republic Day"
    assert public_holiday(BERLIN, date(2027, 1, 26)) is None
    # Subdivisions differ: International Women's Day is a holiday in Berlin, not in Bavaria.
    assert public_holiday(BERLIN, date(2027, 3, 8)) is not None
    assert public_holiday(BAVARIA, date(2027, 3, 8)) is None
    assert public_holiday(Calendar(), date(2026, 12, 25)) is None  # no calendar: no public holidays
    assert public_holiday(Calendar("DE", "XX"), date(2026, 12, 25)) is None  # an unknown region is ignored


# --- working days --------------------------------------------------------------------------------


def none(_day: date) -> str | None:
    return None


def test_working_days_skip_weekends() -> None:
    monday = date(2027, 5, 10)
    assert working_days_between(monday, monday, none) == 0
    assert working_days_between(monday, monday + timedelta(days=1), none) == 1
    assert working_days_between(monday, monday + timedelta(days=2), none) == 2
    friday = date(2027, 5, 14)
    assert working_days_between(friday, friday + timedelta(days=1), none) == 0  # Saturday
    assert working_days_between(friday, friday + timedelta(days=2), none) == 0  # Sunday
    assert working_days_between(friday, friday + timedelta(days=3), none) == 1  # Monday
    assert working_days_between(monday, monday + timedelta(days=14), none) == 10


def test_working_days_skip_each_persons_holidays() -> None:
    friday, tuesday = date(2027, 5, 14), date(2027, 5, 18)
    assert working_days_between(friday, tuesday, lambda d: public_holiday(BERLIN, d)) == 1  # Whit Monday off
    assert working_days_between(friday, tuesday, lambda d: public_holiday(NEW_YORK, d)) == 2
    assert working_days_between(friday, tuesday, lambda d: public_holiday(INDIA, d)) == 1  # Eid al-Adha
    # Christmas week 2026 in Berlin: Thu 24 works, Fri 25 is off; then the weekend.
    assert working_days_between(date(2026, 12, 23), date(2026, 12, 28), lambda d: public_holiday(BERLIN, d)) == 2


# --- company days off ----------------------------------------------------------------------------


def test_company_days_off_admins_only_friendly_errors(db: Database) -> None:
    day = date(2027, 5, 12)
    with db.unit_of_work() as session:
        with pytest.raises(NotAllowed):
            daysoff.add_company_day_off(
                session, team_id=TEAM, actor_id="UPAT", actor_is_admin=False, day=day, name="Offsite", now=AT
            )
        daysoff.add_company_day_off(
            session, team_id=TEAM, actor_id="UADA", actor_is_admin=True, day=day, name="Offsite", now=AT
        )
    with db.unit_of_work() as session, pytest.raises(StandupError, match="already a company day off"):
        daysoff.add_company_day_off(
            session, team_id=TEAM, actor_id="UADA", actor_is_admin=True, day=day, name="Again", now=AT
        )
    with db.unit_of_work() as session:
        assert daysoff.company_days_off(session, TEAM, since=date(2027, 5, 1)) == [(day, "Offsite")]
        assert daysoff.company_days_off(session, "TOTHER", since=date(2027, 5, 1)) == []  # per workspace
        # A company day off counts before anybody's public holiday, whatever their zone.
        assert daysoff.day_off(session, TEAM, "UMAX", "Europe/Berlin", day) == "Offsite"
        assert daysoff.day_off(session, TEAM, "UPAT", "America/Chicago", day) == "Offsite"
        assert daysoff.day_off(session, TEAM, "UPAT", "America/New_York", date(2027, 5, 13)) is None
        with pytest.raises(NotAllowed):
            daysoff.remove_company_day_off(session, team_id=TEAM, actor_is_admin=False, day=day)
        with pytest.raises(NotFound):
            daysoff.remove_company_day_off(session, team_id=TEAM, actor_is_admin=True, day=date(2027, 5, 13))
        daysoff.remove_company_day_off(session, team_id=TEAM, actor_is_admin=True, day=day)
        assert daysoff.day_off(session, TEAM, "UMAX", "Europe/Berlin", day) is None


def test_parse_day_off_command() -> None:
    assert forms.parse_day_off("") == forms.DayOffCommand("list")
    assert forms.parse_day_off("list") == forms.DayOffCommand("list")
    assert forms.parse_day_off("add 2026-12-24 Christmas Eve") == forms.DayOffCommand(
        "add", date(2026, 12, 24), "Christmas Eve"
    )
    assert forms.parse_day_off("remove 2026-12-24") == forms.DayOffCommand("remove", date(2026, 12, 24))
    bad = forms.parse_day_off("add 24/12/2026")
    assert isinstance(bad, str) and "YYYY-MM-DD" in bad and "\n" not in bad
    assert isinstance(forms.parse_day_off("add 2026-02-30"), str)
    assert forms.parse_day_off("frobnicate") == forms.HOLIDAY_USAGE
    assert forms.parse_day_off("add") == forms.HOLIDAY_USAGE


# --- whose calendar ------------------------------------------------------------------------------


def test_who_may_change_a_calendar(db: Database, people: FakeDirectory) -> None:
    with db.unit_of_work() as session:
        create(session, people)  # owned by UPAT; UMAX is in it
        assert daysoff.calendar_of(session, TEAM, "UMAX", "Europe/Berlin") == Calendar("DE", "BE")
        # The person themselves.
        daysoff.set_calendar(session, team_id=TEAM, actor_id="UMAX", actor_is_admin=False, user_id="UMAX",
                             country="DE", subdivision="BY", now=AT)  # fmt: skip
        assert daysoff.calendar_of(session, TEAM, "UMAX", "Europe/Berlin") == Calendar("DE", "BY", chosen=True)
        # The owner of a stand-up they are in.
        daysoff.set_calendar(session, team_id=TEAM, actor_id="UPAT", actor_is_admin=False, user_id="UMAX",
                             country="DE", subdivision="BE", now=AT)  # fmt: skip
        # Somebody else: no.
        with pytest.raises(NotAllowed):
            daysoff.set_calendar(session, team_id=TEAM, actor_id="UNOAH", actor_is_admin=False, user_id="UMAX",
                                 country="US", subdivision="", now=AT)  # fmt: skip
        # A region of another country: a field error.
        with pytest.raises(StandupError) as error:
            daysoff.set_calendar(session, team_id=TEAM, actor_id="UMAX", actor_is_admin=False, user_id="UMAX",
                                 country="IN", subdivision="NY", now=AT)  # fmt: skip
        assert error.value.block_id == Block.HOLIDAY_SUBDIVISION
        assert daysoff.calendar_of(session, TEAM, "UMAX", "Europe/Berlin") == Calendar("DE", "BE", chosen=True)
        form = daysoff.holidays_form(session, TEAM, "UCHI", "America/Chicago")
        assert form.country == "" and form.zone_default == ""  # ambiguous zone: no default, said so
        form = daysoff.holidays_form(session, TEAM, "UMAX", "Europe/Berlin", country="US")
        assert form.country == "US" and ("NY", "New York") in form.subdivisions


# --- holidays in a round, and escalation -----------------------------------------------------------


WHIT_MONDAY_BERLIN_0930 = datetime(2027, 5, 17, 7, 30, tzinfo=UTC)
WHIT_MONDAY_NEW_YORK_0930 = datetime(2027, 5, 17, 13, 30, tzinfo=UTC)


def test_no_prompt_on_a_persons_holiday_and_the_summary_says_off(db: Database, people: FakeDirectory) -> None:
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        berlin = prompt_for(session, standup, "UMAX", WHIT_MONDAY_BERLIN_0930, tz="Europe/Berlin")
        assert berlin.off == ["UMAX"] and berlin.prompted == []
        new_york = prompt_for(session, standup, "UPAT", WHIT_MONDAY_NEW_YORK_0930, tz="America/New_York")
        assert new_york.prompted == ["UPAT"] and new_york.off == []
        dms = [m.args["channel"] for m in session.scalars(select(OutboxMessage)) if m.key.endswith(":prompt:UMAX")]
        assert dms == []


def test_a_blocker_open_two_working_days_is_raised_once(db: Database, people: FakeDirectory) -> None:
    monday = datetime(2027, 5, 10, 14, 0, tzinfo=UTC)
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        run = prompt_for(session, standup, "UPAT", monday, tz="America/New_York")
        assert run.occurrence is not None
        answers.submit_answer(
            session, people, team_id=TEAM, user_id="UPAT", occurrence_id=run.occurrence.id,
            answers=["a", "b"], blocker="Waiting on legal", ask_user=None, ask_text="", now=monday,
        )  # fmt: skip
        assert escalation.escalate_stale(session, standup, now=monday + timedelta(days=1, hours=6)) == []
        raised = escalation.escalate_stale(session, standup, now=monday + timedelta(days=2, hours=6))
        assert len(raised) == 1
        assert escalation.escalate_stale(session, standup, now=monday + timedelta(days=3, hours=6)) == []
        row = session.scalars(select(StandupEscalation)).one()
        assert (row.kind, row.target_user, row.owner_id) == (EscalationKind.BLOCKER, "UPAT", "UPAT")
        owner_dms = [m for m in session.scalars(select(OutboxMessage)) if m.key == f"standup:escalation:{row.id}"]
        assert len(owner_dms) == 1 and "Waiting on legal" in str(owner_dms[0].args)
        # The owner's nudge, once; a second call sends nothing more.
        escalation.nudge(session, team_id=TEAM, actor_id="UPAT", escalation_id=row.id, now=monday + timedelta(days=3))
        escalation.nudge(session, team_id=TEAM, actor_id="UPAT", escalation_id=row.id, now=monday + timedelta(days=3))
        nudges = [m for m in session.scalars(select(OutboxMessage)) if m.key.endswith(":nudge")]
        assert len(nudges) == 1 and nudges[0].args["channel"] == "UPAT"
        with pytest.raises(NotAllowed):
            escalation.nudge(session, team_id=TEAM, actor_id="UMAX", escalation_id=row.id, now=monday)


def test_a_blocker_cleared_by_a_later_answer_is_not_raised(db: Database, people: FakeDirectory) -> None:
    monday = datetime(2027, 5, 10, 14, 0, tzinfo=UTC)
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        for day, blocker in ((0, "Waiting on legal"), (1, "")):
            at = monday + timedelta(days=day)
            run = prompt_for(session, standup, "UPAT", at, tz="America/New_York")
            assert run.occurrence is not None
            answers.submit_answer(
                session, people, team_id=TEAM, user_id="UPAT", occurrence_id=run.occurrence.id,
                answers=["a", "b"], blocker=blocker, ask_user=None, ask_text="", now=at,
            )  # fmt: skip
        assert escalation.escalate_stale(session, standup, now=monday + timedelta(days=4)) == []


def test_escalation_off_and_a_holiday_delays_it(db: Database, people: FakeDirectory) -> None:
    friday = datetime(2027, 5, 14, 14, 0, tzinfo=UTC)  # Whit Monday follows (a Berlin holiday)
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        run = prompt_for(session, standup, "UMAX", friday, tz="Europe/Berlin")
        assert run.occurrence is not None
        answers.submit_answer(
            session, people, team_id=TEAM, user_id="UMAX", occurrence_id=run.occurrence.id,
            answers=["a", "b"], blocker="Waiting on the agency", ask_user=None, ask_text="", now=friday,
        )  # fmt: skip
        tuesday_evening = datetime(2027, 5, 18, 20, 0, tzinfo=UTC)  # Berlin: Mon off, Tue = 1 working day
        assert escalation.escalate_stale(session, standup, now=tuesday_evening) == []
        standup.escalate_after_days = 0  # "Never"
        assert escalation.escalate_stale(session, standup, now=tuesday_evening + timedelta(days=7)) == []
        standup.escalate_after_days = 2
        assert len(escalation.escalate_stale(session, standup, now=tuesday_evening + timedelta(days=1))) == 1


@pytest.mark.parametrize("url_fixture", ["sqlite_database_url", "postgres_database_url"])
def test_insert_ignore_says_whether_it_inserted_on_both_databases(
    url_fixture: str, request: pytest.FixtureRequest
) -> None:
    """What "raised once" and "already a company day off" stand on (psycopg 3 reports rowcount -1
    for INSERT ... ON CONFLICT DO NOTHING, so the answer comes from RETURNING)."""
    database = Database.from_url(request.getfixturevalue(url_fixture))
    values = {"team_id": TEAM, "day": date(2027, 5, 12), "name": "Offsite", "created_by": "U1", "created_at": AT}
    try:
        got = []
        for _ in range(2):
            with database.unit_of_work() as session:
                got.append(insert_ignore(session, CompanyDayOff, values, ["team_id", "day"]))
        assert got == [True, False]
    finally:
        database.dispose()


def test_the_digest_notes_who_was_off_and_each_open_asks_working_age(db: Database, people: FakeDirectory) -> None:
    """Max (Berlin) off on Whit Monday; Pat's ask to Max made the Friday before is 1 working day old
    on Tuesday evening in Berlin (the weekend and his holiday do not count)."""
    friday = datetime(2027, 5, 14, 14, 0, tzinfo=UTC)
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        run = prompt_for(session, standup, "UPAT", friday, tz="America/New_York")
        assert run.occurrence is not None
        answers.submit_answer(
            session, people, team_id=TEAM, user_id="UPAT", occurrence_id=run.occurrence.id,
            answers=["a", "b"], blocker="", ask_user="UMAX", ask_text="Launch copy?", now=friday,
        )  # fmt: skip
        prompt_for(session, standup, "UMAX", WHIT_MONDAY_BERLIN_0930, tz="Europe/Berlin")
        digest = compile_digest(session, TEAM, end=datetime(2027, 5, 18, 20, 0, tzinfo=UTC))
    assert digest.standups is not None
    assert [(o.user_id, o.holiday, o.day) for o in digest.standups.off] == [
        ("UMAX", "Pentecost Monday", date(2027, 5, 17))
    ]
    assert [(a.to_user, a.text, a.working_days) for a in digest.standups.asks] == [("UMAX", "Launch copy?", 1)]


def test_app_home_says_which_holidays_apply_and_when_there_is_no_default(db: Database) -> None:
    with db.unit_of_work() as session:
        berlin = home_data(session, team_id=TEAM, user_id="UMAX", user_tz="Europe/Berlin", is_admin=False, now=AT)
        chicago = home_data(session, team_id=TEAM, user_id="UCHI", user_tz="America/Chicago", is_admin=False, now=AT)
    assert berlin.holidays == "Germany (BE), from your time zone (Europe/Berlin)"
    assert "no default" in chicago.holidays and "America/Chicago" in chicago.holidays
    view = str(build_home_view(chicago))
    assert "My public holidays" in view and Action.OPEN_HOLIDAYS in view
