"""Managing a retro series in the service (no Slack): edit (schedule included), pause, resume,
delete, and "N days after a launch". Run on SQLite and PostgreSQL: the schedule rows matter."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.retro.data import NotAllowed, RetroError, RetroNotFound, SeriesSetup, SetupResult
from bot.retro.ids import Anonymity, JobKind, RetroTemplate, StartMode
from bot.retro.items import add_item, vote_state
from bot.retro.lookups import get_series
from bot.retro.models import Retro, RetroSeries
from bot.retro.runs import open_retro
from bot.retro.series import (
    create_series,
    delete_series,
    edit_form,
    list_series,
    pause_series,
    resume_series,
    update_series,
)
from bot.retro.templates import TEMPLATES
from bot.scheduling.models import Schedule
from bot.slack.delivery_models import OutboxMessage
from tests.retro.helpers import field_error

TEAM = "T0ACME0001"
OTHER_TEAM = "T0GLOBEX01"
FACILITATOR = "UFACIL0001"
ALICE = "UALICE0001"
NOW = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # a Monday


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    yield database
    database.dispose()


def setup_of(**changes: object) -> SeriesSetup:
    values: dict[str, object] = {
        "title": "Spring launch",
        "channel_id": "C0SHARED01",
        "start_mode": StartMode.RECURRING,
        "template": RetroTemplate.WELL_NOT_TRY,
        "prompts": list(TEMPLATES[RetroTemplate.WELL_NOT_TRY].prompts),
        "anonymity": Anonymity.OPTIONAL,
        "votes_per_person": 3,
        "collect_minutes": 60,
        "start_date": date(2026, 3, 20),  # Friday
        "local_time": time(15, 0),
        "timezone": "Europe/Berlin",
        "repeat_weeks": 1,
    }
    values.update(changes)
    return SeriesSetup(**values)  # type: ignore[arg-type]


def create(db: Database, **changes: object) -> int:
    with db.unit_of_work() as session:
        result = create_series(session, team_id=TEAM, facilitator_id=FACILITATOR, setup=setup_of(**changes), now=NOW)
        return result.series.id


def edit(
    db: Database,
    series_id: int,
    *,
    user: str = FACILITATOR,
    admin: bool = False,
    now: datetime = NOW,
    **changes: object,
) -> SetupResult:
    with db.unit_of_work() as session:
        result = update_series(
            session,
            team_id=TEAM,
            series_id=series_id,
            user_id=user,
            is_admin=lambda: admin,
            setup=setup_of(**changes),
            now=now,
        )
        session.expunge(result.series)
        return result


def open_schedules(db: Database, series_id: int) -> list[Schedule]:
    with db.unit_of_work() as session:
        rows = list(
            session.scalars(select(Schedule).where(Schedule.kind == JobKind.OPEN, Schedule.ref_id == str(series_id)))
        )
        session.expunge_all()
        return rows


def runs(db: Database, series_id: int) -> list[Retro]:
    with db.unit_of_work() as session:
        rows = list(session.scalars(select(Retro).where(Retro.series_id == series_id).order_by(Retro.number)))
        session.expunge_all()
        return rows


def test_edit_updates_the_series_and_its_schedule_in_place(db: Database) -> None:
    series_id = create(db)
    [before] = open_schedules(db, series_id)
    assert before.next_run_at == datetime(2026, 3, 20, 14, 0, tzinfo=UTC)  # Friday 15:00 CET
    result = edit(
        db,
        series_id,
        title="Spring launch (joint)",
        template=RetroTemplate.CUSTOM,
        prompts=["What surprised us?"],
        start_date=date(2026, 3, 24),  # Tuesday
        local_time=time(10, 30),
        timezone="America/New_York",
        repeat_weeks=2,
        anonymity=Anonymity.ALWAYS,
        votes_per_person=5,
        collect_minutes=24 * 60,
        include_insights=True,
    )
    assert result.first_run_at == datetime(2026, 3, 24, 14, 30, tzinfo=UTC)  # 10:30 EDT
    assert result.cadence_text.startswith("every 2 weeks")
    [after] = open_schedules(db, series_id)
    assert after.id == before.id  # the same row, updated through update_schedule
    assert (after.timezone, after.local_time, after.interval_weeks) == ("America/New_York", time(10, 30), 2)
    with db.unit_of_work() as session:
        form = edit_form(session, team_id=TEAM, user_id=FACILITATOR, is_admin=lambda: False, series_id=series_id)
    setup = form.setup
    assert (setup.title, setup.template, setup.prompts) == (
        "Spring launch (joint)",
        RetroTemplate.CUSTOM,
        ["What surprised us?"],
    )
    assert (setup.start_date, setup.local_time, setup.timezone, setup.repeat_weeks) == (
        date(2026, 3, 24),
        time(10, 30),
        "America/New_York",
        2,
    )
    assert (setup.anonymity, setup.votes_per_person, setup.collect_minutes, setup.include_insights) == (
        Anonymity.ALWAYS,
        5,
        24 * 60,
        True,
    )


def test_an_open_run_keeps_its_promises_and_the_next_run_gets_the_edit(db: Database) -> None:
    with db.unit_of_work() as session:
        result = create_series(
            session,
            team_id=TEAM,
            facilitator_id=FACILITATOR,
            setup=setup_of(start_mode=StartMode.NOW, anonymity=Anonymity.ALWAYS, votes_per_person=2),
            now=NOW,
        )
        assert result.opened is not None
        series_id, open_id = result.series.id, result.opened.id
    edited = edit(db, series_id, start_mode=StartMode.NOW, anonymity=Anonymity.OFF, votes_per_person=4)
    assert edited.opened is None  # a "start now" series is not run again by an edit
    with db.unit_of_work() as session:
        item = add_item(
            session, team_id=TEAM, retro_id=open_id, user_id=ALICE, prompt_index=0, text="x", anonymous=False, now=NOW
        )
        assert item.author_id is None  # the open run promised anonymity
        state = vote_state(session, team_id=TEAM, retro_id=open_id, user_id=ALICE, app_secret=b"k" * 32)
        assert state.allowed == 2
        series = get_series(session, TEAM, series_id)
        nxt = open_retro(session, series, NOW + timedelta(days=7))
        assert (nxt.anonymity, nxt.votes_per_person) == (Anonymity.OFF, 4)


def test_switching_between_recurring_on_a_date_and_start_now(db: Database) -> None:
    series_id = create(db)
    result = edit(db, series_id, start_mode=StartMode.ON_DATE, start_date=date(2026, 4, 2), local_time=time(9, 0))
    assert result.first_run_at == datetime(2026, 4, 2, 7, 0, tzinfo=UTC)  # 09:00 CEST
    [schedule] = open_schedules(db, series_id)
    assert schedule.cadence == "once" and schedule.next_run_at == result.first_run_at
    result = edit(db, series_id, start_mode=StartMode.NOW)
    assert result.opened is not None  # from scheduled to "start now": one run opens now
    assert open_schedules(db, series_id) == []
    assert [r.number for r in runs(db, series_id)] == [1]


def test_keeping_a_one_offs_past_date_is_fine_but_a_new_past_date_is_not(db: Database) -> None:
    series_id = create(db, start_mode=StartMode.ON_DATE, start_date=date(2026, 3, 20))
    later = datetime(2026, 3, 25, 9, 0, tzinfo=UTC)
    result = edit(db, series_id, now=later, start_mode=StartMode.ON_DATE, title="Renamed")
    assert result.series.title == "Renamed" and result.first_run_at is None
    with field_error(match="passed") as raised:
        edit(db, series_id, now=later, start_mode=StartMode.ON_DATE, start_date=date(2026, 3, 21))
    assert raised.value.block_id == "retro_date"


def test_only_the_facilitator_or_an_admin_manages_a_series(db: Database) -> None:
    series_id = create(db)
    with pytest.raises(NotAllowed, match="Only the facilitator"):
        edit(db, series_id, user=ALICE, title="Hijacked")
    assert (
        edit(db, series_id, user=ALICE, admin=True, title="Renamed by an admin").series.title == "Renamed by an admin"
    )
    with db.unit_of_work() as session:
        for manage in (pause_series, delete_series):
            with pytest.raises(NotAllowed):
                manage(
                    session, team_id=TEAM, title="Renamed by an admin", user_id=ALICE, is_admin=lambda: False, now=NOW
                )
        with pytest.raises(NotAllowed):
            edit_form(session, team_id=TEAM, user_id=ALICE, is_admin=lambda: False, title="renamed BY an admin")
        with pytest.raises(RetroNotFound):  # another workspace's id
            edit_form(session, team_id=OTHER_TEAM, user_id=FACILITATOR, is_admin=lambda: True, series_id=series_id)


def test_edit_refuses_a_title_another_series_has(db: Database) -> None:
    create(db, title="Autumn campaign")
    series_id = create(db)
    with field_error(match="already a retro") as raised:
        edit(db, series_id, title="autumn CAMPAIGN")
    assert raised.value.block_id == "retro_title"
    assert edit(db, series_id, title="SPRING launch").series.title == "SPRING launch"  # its own title is fine


def test_titles_match_whatever_their_case_accents_width_or_spacing(db: Database) -> None:
    """Titles are matched by the stored ``title_key``, not SQL ``lower()`` (ASCII only on SQLite and
    in PostgreSQL's C locale)."""
    series_id = create(db, title="Équipe Produit")
    with field_error(match="already a retro") as raised, db.unit_of_work() as session:
        create_series(
            session, team_id=TEAM, facilitator_id=FACILITATOR, setup=setup_of(title="équipe produit"), now=NOW
        )
    assert raised.value.block_id == "retro_title"
    other_id = create(db, title="Straße")
    with field_error(match="already a retro"):  # renaming onto another's title
        edit(db, other_id, title="ÉQUIPE  PRODUIT")
    with db.unit_of_work() as session:
        for typed in (
            "équipe produit",
            "ÉQUIPE  PRODUIT",
            " E\u0301quipe\t\uff30\uff32\uff2f\uff24\uff35\uff29\uff34 ",  # full-width PRODUIT
        ):
            form = edit_form(session, team_id=TEAM, user_id=FACILITATOR, is_admin=lambda: False, title=typed)
            assert form.series_id == series_id, typed
        paused = pause_series(
            session, team_id=TEAM, title="STRASSE", user_id=FACILITATOR, is_admin=lambda: False, now=NOW
        )
        assert (paused.series.id, paused.series.title_key) == (other_id, "strasse")
    renamed = edit(db, series_id, title="Rétro d'été").series
    assert (renamed.title, renamed.title_key) == ("Rétro d'été", "rétro d'été")  # the key follows the title
    with db.unit_of_work() as session:
        with pytest.raises(RetroError, match="couldn't find"):
            pause_series(
                session, team_id=TEAM, title="équipe produit", user_id=FACILITATOR, is_admin=lambda: False, now=NOW
            )
        assert pause_series(
            session, team_id=TEAM, title="RÉTRO D'ÉTÉ", user_id=FACILITATOR, is_admin=lambda: False, now=NOW
        ).series.paused


def test_pause_resume_and_delete(db: Database) -> None:
    series_id = create(db)
    with db.unit_of_work() as session:
        paused = pause_series(
            session, team_id=TEAM, title="spring launch", user_id=FACILITATOR, is_admin=lambda: False, now=NOW
        )
        assert paused.series.paused
        with pytest.raises(RetroError, match="already paused"):
            pause_series(
                session, team_id=TEAM, title="Spring launch", user_id=FACILITATOR, is_admin=lambda: False, now=NOW
            )
        assert [line.paused for line in list_series(session, TEAM)] == [True]
    assert all(s.paused for s in open_schedules(db, series_id))
    # Editing a paused series keeps it paused, even when the schedule is replaced.
    edit(db, series_id, start_mode=StartMode.ON_DATE, start_date=date(2026, 4, 2))
    assert all(s.paused for s in open_schedules(db, series_id))
    edit(db, series_id, start_mode=StartMode.RECURRING, start_date=date(2026, 3, 20))
    three_weeks_later = NOW + timedelta(weeks=3)
    with db.unit_of_work() as session:
        resumed = resume_series(
            session,
            team_id=TEAM,
            title="Spring launch",
            user_id=FACILITATOR,
            is_admin=lambda: False,
            now=three_weeks_later,
        )
        # No catch-up of the Fridays inside the pause: the next one after "now".
        assert resumed.next_run_at == datetime(2026, 4, 10, 13, 0, tzinfo=UTC)  # 15:00 CEST
        with pytest.raises(RetroError, match="isn't paused"):
            resume_series(
                session, team_id=TEAM, title="Spring launch", user_id=FACILITATOR, is_admin=lambda: False, now=NOW
            )
        series = get_series(session, TEAM, series_id)
        open_retro(session, series, three_weeks_later)  # one run happened: history
        deleted = delete_series(
            session,
            team_id=TEAM,
            title="Spring launch",
            user_id=FACILITATOR,
            is_admin=lambda: False,
            now=three_weeks_later,
        )
        assert deleted.runs == 1 and deleted.open_closes_at is not None
        assert list_series(session, TEAM) == []
        with pytest.raises(RetroError, match="couldn't find"):
            pause_series(
                session, team_id=TEAM, title="Spring launch", user_id=FACILITATOR, is_admin=lambda: False, now=NOW
            )
    assert open_schedules(db, series_id) == []
    assert len(runs(db, series_id)) == 1  # history kept
    with db.unit_of_work() as session:
        assert session.get(RetroSeries, series_id) is not None
        # The run that was open still closes on its own timer.
        assert session.scalar(select(Schedule).where(Schedule.kind == JobKind.CLOSE)) is not None
    create(db)  # the title is free again


def test_nothing_to_pause_without_upcoming_runs(db: Database) -> None:
    create(db, start_mode=StartMode.NOW)
    with pytest.raises(RetroError, match="no upcoming"), db.unit_of_work() as session:
        pause_series(session, team_id=TEAM, title="Spring launch", user_id=FACILITATOR, is_admin=lambda: False, now=NOW)


def test_n_days_after_a_launch_opens_at_the_chosen_time_and_zone(db: Database) -> None:
    with db.unit_of_work() as session:
        result = create_series(
            session,
            team_id=TEAM,
            facilitator_id=FACILITATOR,
            setup=setup_of(
                start_mode=StartMode.ON_DATE,
                start_date=None,
                launch_date=date(2026, 3, 24),
                days_after_launch=14,
                local_time=time(16, 0),
                timezone="America/Los_Angeles",
            ),
            now=NOW,
        )
        series_id = result.series.id
    # 24 March + 14 days = 7 April, 16:00 PDT = 23:00 UTC.
    assert result.first_run_at == datetime(2026, 4, 7, 23, 0, tzinfo=UTC)
    [schedule] = open_schedules(db, series_id)
    assert schedule.next_run_at == result.first_run_at
    with db.unit_of_work() as session:
        form = edit_form(session, team_id=TEAM, user_id=FACILITATOR, is_admin=lambda: False, series_id=series_id)
    assert (form.setup.launch_date, form.setup.days_after_launch, form.setup.start_date) == (
        date(2026, 3, 24),
        14,
        None,
    )
    # Zero days: the launch day itself.
    result = edit(
        db, series_id, start_mode=StartMode.ON_DATE, start_date=None, launch_date=date(2026, 3, 24), days_after_launch=0
    )
    assert result.first_run_at == datetime(2026, 3, 24, 14, 0, tzinfo=UTC)  # 15:00 CET


@pytest.mark.parametrize(
    ("changes", "block", "message"),
    [
        (
            {"start_date": None, "launch_date": date(2026, 4, 1), "days_after_launch": 91},
            "retro_days_after_launch",
            "0 to 90",
        ),
        (
            {"start_date": None, "launch_date": date(2026, 4, 1), "days_after_launch": -1},
            "retro_days_after_launch",
            "0 to 90",
        ),
        ({"start_date": None, "days_after_launch": 7}, "retro_launch_date", "launch date"),
        ({"launch_date": date(2026, 4, 1), "days_after_launch": 7}, "retro_date", "not both"),
        ({"start_date": None}, "retro_date", "launch date"),
        ({"start_date": None, "launch_date": date(2026, 3, 1), "days_after_launch": 7}, "retro_launch_date", "passed"),
    ],
)
def test_launch_date_errors_name_the_field(db: Database, changes: dict[str, object], block: str, message: str) -> None:
    with field_error(match=message) as raised, db.unit_of_work() as session:
        create_series(
            session,
            team_id=TEAM,
            facilitator_id=FACILITATOR,
            setup=setup_of(start_mode=StartMode.ON_DATE, **changes),
            now=NOW,
        )
    assert raised.value.block_id == block
    with db.unit_of_work() as session:
        assert session.scalar(select(OutboxMessage)) is None
