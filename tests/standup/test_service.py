"""Fast tests of the stand-up service on a migrated SQLite database (no Slack: a fake directory)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from bot.db import Database
from bot.scheduling.cadence import local_to_utc
from bot.scheduling.models import Schedule
from bot.slack.delivery_models import OutboxMessage
from bot.standup import answers, asks, data, forms, lookups, rounds, setup
from bot.standup.ids import AskStatus, Block, JobKind, Side, ZoneMode
from bot.standup.models import Standup, StandupOccurrence, StandupPrompt
from bot.standup.summary import close_occurrence, summary_of
from tests.standup.conftest import TEAM, FakeDirectory

SETUP_AT = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)  # a Friday
MONDAY = date(2026, 11, 30)
BERLIN_0930 = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)  # 09:30 CET
NEW_YORK_0930 = datetime(2026, 11, 30, 14, 30, tzinfo=UTC)  # 09:30 EST


def make_input(**overrides: Any) -> data.StandupInput:
    values: dict[str, Any] = {
        "name": "Launch sync",
        "channel_id": "CSHARED",
        "people": {Side.PRODUCT: ["UPAT", "UNOAH"], Side.MARKETING: [], Side.OTHER: []},
        "groups": {Side.PRODUCT: [], Side.MARKETING: ["SMKT"], Side.OTHER: []},
        "days": [0, 1, 2, 3, 4],
        "local_time": "09:30",
        "zone_mode": ZoneMode.PERSONAL,
        "timezone": "Europe/Berlin",
        "questions": {"all": list(data.DEFAULT_QUESTIONS)},
        "blocker_question": data.DEFAULT_BLOCKER_QUESTION,
        "reminder_minutes": 120,
        "open_minutes": 480,
        "prefill": True,
    }
    values.update(overrides)
    return data.StandupInput(**values)


def create(session: Session, directory: FakeDirectory, **overrides: Any) -> setup.SaveResult:
    return setup.save_standup(
        session,
        directory,
        team_id=TEAM,
        actor_id="UPAT",
        actor_is_admin=False,
        data=make_input(**overrides),
        now=SETUP_AT,
    )


def outbox(session: Session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.team_id == TEAM).order_by(OutboxMessage.id)))


def posts_to(session: Session, channel: str) -> list[OutboxMessage]:
    return [m for m in outbox(session) if m.method == "chat.postMessage" and m.args["channel"] == channel]


def prompt_for(session: Session, standup: Standup, user_id: str, at: datetime, *, tz: str) -> rounds.PromptRun:
    return rounds.run_prompts(session, standup, scheduled_for=at, tz=tz, now=at, subject=user_id)


def test_setup_resolves_groups_drops_deactivated_and_creates_one_schedule_per_person(
    db: Database, people: FakeDirectory
) -> None:
    with db.unit_of_work() as session:
        result = create(session, people)
        assert result.dropped == ["UGONE"]
        assert {(p.user_id, p.side, p.timezone) for p in result.participants} == {
            ("UPAT", "product", "America/New_York"),
            ("UNOAH", "product", "America/New_York"),
            ("UMAX", "marketing", "Europe/Berlin"),
            ("ULENA", "marketing", "Europe/Berlin"),
        }
        schedules = list(session.scalars(select(Schedule).where(Schedule.kind == JobKind.PROMPT)))
        assert sorted((s.subject, s.timezone, s.local_time) for s in schedules) == [
            ("ULENA", "Europe/Berlin", time(9, 30)),
            ("UMAX", "Europe/Berlin", time(9, 30)),
            ("UNOAH", "America/New_York", time(9, 30)),
            ("UPAT", "America/New_York", time(9, 30)),
        ]
        # Set up Friday 12:00 UTC: Berlin's Friday 09:30 has passed (next: Monday); New York's hasn't.
        by_subject = {s.subject: s.next_run_at for s in schedules}
        assert by_subject["UMAX"] == BERLIN_0930
        assert by_subject["UPAT"] == NEW_YORK_0930 - timedelta(days=3)


def test_fixed_zone_mode_has_one_schedule_and_editing_switches_modes(db: Database, people: FakeDirectory) -> None:
    with db.unit_of_work() as session:
        result = create(session, people, zone_mode=ZoneMode.FIXED, timezone="America/New_York")
        schedules = list(session.scalars(select(Schedule).where(Schedule.kind == JobKind.PROMPT)))
        assert [(s.subject, s.timezone) for s in schedules] == [("", "America/New_York")]
        setup.save_standup(
            session, people, team_id=TEAM, actor_id="UPAT", actor_is_admin=False,
            data=make_input(zone_mode=ZoneMode.PERSONAL), now=SETUP_AT, standup_id=result.standup.id,
        )  # fmt: skip
        schedules = list(session.scalars(select(Schedule).where(Schedule.kind == JobKind.PROMPT)))
        assert len(schedules) == 4 and all(s.subject for s in schedules)


def test_duplicate_name_and_empty_people_are_refused(db: Database, people: FakeDirectory) -> None:
    with db.unit_of_work() as session:
        create(session, people)
        with pytest.raises(data.StandupError, match="already a stand-up"):
            create(session, people, name="launch SYNC")
        with pytest.raises(data.StandupError, match="None of the people"):
            create(session, people, name="Other", people={Side.PRODUCT: ["UGONE"]}, groups={})


def test_names_match_whatever_their_case_accents_width_or_spacing(database_url: str, people: FakeDirectory) -> None:
    """Names are matched by the stored ``name_key``, not SQL ``lower()`` (ASCII only on SQLite and
    in PostgreSQL's C locale), so on both databases "Équipe Produit" is found and kept unique."""
    db = Database.from_url(database_url)
    try:
        with db.unit_of_work() as session:
            standup = create(session, people, name="Équipe Produit").standup
            assert standup.name_key == "équipe produit"
            for typed in (
                "équipe produit",
                "ÉQUIPE  PRODUIT",
                " E\u0301quipe\tProduit ",
                "Équipe \uff30\uff32\uff2f\uff24\uff35\uff29\uff34",  # full-width PRODUIT
            ):
                assert lookups.find_by_name(session, TEAM, typed) is not None, typed
            assert lookups.find_by_name(session, TEAM, "Equipe Produit") is None  # accents still count
            with pytest.raises(data.StandupError, match="already a stand-up called “équipe produit”"):
                create(session, people, name="équipe produit")
            assert lookups.name_taken(session, TEAM, "ÉQUIPE PRODUIT", None)
            assert not lookups.name_taken(session, TEAM, "ÉQUIPE PRODUIT", standup.id)  # its own name
            paused = setup.set_paused(
                session, team_id=TEAM, name="ÉQUIPE  PRODUIT", actor_id="UPAT", actor_is_admin=False,
                paused=True, now=SETUP_AT,
            )  # fmt: skip
            assert paused.id == standup.id
        with db.unit_of_work() as session:  # renaming moves the key with the name
            setup.save_standup(
                session, people, team_id=TEAM, actor_id="UPAT", actor_is_admin=False,
                data=make_input(name="Straße"), now=SETUP_AT, standup_id=standup.id,
            )  # fmt: skip
        with db.unit_of_work() as session:
            found = lookups.find_by_name(session, TEAM, "STRASSE")
            assert found is not None and (found.id, found.name, found.name_key) == (standup.id, "Straße", "strasse")
            assert lookups.find_by_name(session, TEAM, "Équipe Produit") is None
    finally:
        db.dispose()


def test_rows_inserted_without_the_orm_get_their_name_key(db: Database) -> None:
    with db.unit_of_work() as session:
        session.execute(
            insert(Standup),
            [
                {
                    "team_id": TEAM, "name": name, "channel_id": "C1", "owner_id": "UPAT", "weekdays": "0",
                    "local_time": "09:00", "zone_mode": "fixed", "timezone": "UTC", "questions": {"all": ["?"]},
                    "blocker_question": "?", "usergroups": {}, "reminder_minutes": 0, "open_minutes": 60,
                    "prefill": False, "created_at": SETUP_AT, "updated_at": SETUP_AT,
                }
                for name in ("Équipe Produit", "Straße")
            ],
        )  # fmt: skip
        assert sorted(session.scalars(select(Standup.name_key))) == ["strasse", "équipe produit"]
        assert lookups.find_by_name(session, TEAM, "ÉQUIPE PRODUIT") is not None


def test_personal_zones_share_one_occurrence_per_local_date(db: Database, people: FakeDirectory) -> None:
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        berlin = prompt_for(session, standup, "UMAX", BERLIN_0930, tz="Europe/Berlin")
        new_york = prompt_for(session, standup, "UPAT", NEW_YORK_0930, tz="America/New_York")
        assert berlin.occurrence is not None and new_york.occurrence is not None
        assert berlin.occurrence.id == new_york.occurrence.id
        occurrence = berlin.occurrence
        assert occurrence.local_date == MONDAY
        # Open until eight hours after the last (New York) prompt of that date.
        assert occurrence.closes_at == NEW_YORK_0930 + timedelta(minutes=480)
        assert len(posts_to(session, "CSHARED")) == 1  # one parent per occurrence
        assert len(posts_to(session, "UMAX")) == 1 and len(posts_to(session, "UPAT")) == 1
        # Running the same prompt again (a retried job) sends nothing new.
        prompt_for(session, standup, "UMAX", BERLIN_0930, tz="Europe/Berlin")
        assert len(posts_to(session, "UMAX")) == 1
        # One reminder timer per prompt run, before closing.
        reminders = list(session.scalars(select(Schedule).where(Schedule.kind == JobKind.REMIND)))
        assert sorted(r.next_run_at for r in reminders if r.next_run_at) == [
            BERLIN_0930 + timedelta(hours=2),
            NEW_YORK_0930 + timedelta(hours=2),
        ]


def test_fixed_zone_skips_people_whose_local_day_is_not_a_standup_day(db: Database, people: FakeDirectory) -> None:
    people.add("ULA", "Lee Angeles", "America/Los_Angeles")
    with db.unit_of_work() as session:
        standup = create(
            session, people, zone_mode=ZoneMode.FIXED, timezone="America/Los_Angeles", local_time="17:00",
            people={Side.PRODUCT: ["ULA"], Side.MARKETING: ["UMAX"], Side.OTHER: []}, groups={},
        ).standup  # fmt: skip
        friday_5pm_la = local_to_utc(
            date(2026, 12, 4), time(17, 0), __import__("zoneinfo").ZoneInfo("America/Los_Angeles")
        )
        run = rounds.run_prompts(
            session, standup, scheduled_for=friday_5pm_la, tz="America/Los_Angeles", now=friday_5pm_la
        )
        # 17:00 Friday in LA is 02:00 Saturday in Berlin: Max is left alone (and not "missing").
        assert run.prompted == ["ULA"]
        assert run.not_today == ["UMAX"]


def test_out_of_office_gets_nothing_and_counts_as_away(db: Database, people: FakeDirectory) -> None:
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        setup.add_absence(session, team_id=TEAM, user_id="UMAX", starts_on=MONDAY, ends_on=MONDAY, now=SETUP_AT)
        run = prompt_for(session, standup, "UMAX", BERLIN_0930, tz="Europe/Berlin")
        assert run.away == ["UMAX"] and run.prompted == []
        assert posts_to(session, "UMAX") == []
        assert run.occurrence is not None
        summary = summary_of(session, run.occurrence)
        assert summary.sides[Side.MARKETING].away == 1


def test_single_reminder_only_to_people_who_neither_answered_nor_skipped(db: Database, people: FakeDirectory) -> None:
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        for user in ("UMAX", "ULENA"):
            prompt_for(session, standup, user, BERLIN_0930, tz="Europe/Berlin")
        for user in ("UPAT", "UNOAH"):
            prompt_for(session, standup, user, NEW_YORK_0930, tz="America/New_York")
        occurrence = session.scalars(select(StandupOccurrence)).one()
        answers.submit_answer(
            session, people, team_id=TEAM, user_id="UMAX", occurrence_id=occurrence.id, answers=["Brief", "Launch"],
            blocker="", ask_user=None, ask_text="", now=BERLIN_0930 + timedelta(minutes=5),
        )  # fmt: skip
        rounds.skip_occurrence(session, team_id=TEAM, user_id="UPAT", occurrence_id=occurrence.id, now=NEW_YORK_0930)
        later = NEW_YORK_0930 + timedelta(hours=2)
        reminded = rounds.send_reminders(session, team_id=TEAM, occurrence_id=occurrence.id, subject="", now=later)
        assert sorted(reminded) == ["ULENA", "UNOAH"]
        assert rounds.send_reminders(session, team_id=TEAM, occurrence_id=occurrence.id, subject="", now=later) == []
        assert len(posts_to(session, "ULENA")) == 2  # the prompt and the one reminder
        assert len(posts_to(session, "UMAX")) == 1
        assert len(posts_to(session, "UPAT")) == 1


def test_answer_posts_in_thread_and_edit_updates_in_place(db: Database, people: FakeDirectory) -> None:
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        run = prompt_for(session, standup, "UMAX", BERLIN_0930, tz="Europe/Berlin")
        assert run.occurrence is not None
        occurrence_id = run.occurrence.id
        first = answers.submit_answer(
            session, people, team_id=TEAM, user_id="UMAX", occurrence_id=occurrence_id,
            answers=["Shipped <!channel> copy", "Press kit"], blocker="Waiting on pricing", ask_user=None,
            ask_text="", now=BERLIN_0930,
        )  # fmt: skip
        assert not first.edited
        answers.submit_answer(
            session, people, team_id=TEAM, user_id="UMAX", occurrence_id=occurrence_id,
            answers=["Shipped copy", "Press kit v2"], blocker="", ask_user=None, ask_text="",
            now=BERLIN_0930 + timedelta(minutes=3),
        )  # fmt: skip
        rows = outbox(session)
        reply = next(r for r in rows if r.key == f"standup:{occurrence_id}:answer:UMAX")
        assert reply.args["thread_ts"] == {"$result": f"standup:{occurrence_id}:parent", "field": "ts"}
        assert "&lt;!channel&gt;" in str(reply.args["blocks"]) and "<!channel>" not in str(reply.args["blocks"])
        updates = [r for r in rows if r.method == "chat.update"]
        assert len(updates) == 1
        assert updates[0].args["ts"] == {"$result": reply.key, "field": "ts"}
        assert "Press kit v2" in str(updates[0].args["blocks"]) and "edited" in str(updates[0].args["blocks"])
        answer = lookups.get_answer(session, TEAM, first.answer.id)
        assert answer is not None and answer.edited_at is not None and answer.blocker == ""


def test_ask_across_sides_is_notified_once_shown_in_next_prompt_until_handled(
    db: Database, people: FakeDirectory
) -> None:
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        occurrence = prompt_for(session, standup, "UMAX", BERLIN_0930, tz="Europe/Berlin").occurrence
        assert occurrence is not None
        with pytest.raises(data.StandupError) as rejected:
            answers.submit_answer(
                session, people, team_id=TEAM, user_id="UMAX", occurrence_id=occurrence.id, answers=["a", "b"],
                blocker="", ask_user="ULENA", ask_text="same side", now=BERLIN_0930,
            )  # fmt: skip
        assert rejected.value.block_id == Block.ASK_USER  # shown on the ask field of the modal
        for minute in (0, 1):  # the edit keeps the same ask: still one notification
            answers.submit_answer(
                session, people, team_id=TEAM, user_id="UMAX", occurrence_id=occurrence.id, answers=["a", "b"],
                blocker="", ask_user="UPAT", ask_text="Final pricing by Wed?",
                now=BERLIN_0930 + timedelta(minutes=minute),
            )  # fmt: skip
        assert len(posts_to(session, "UPAT")) == 1  # the ask DM (Pat's prompt comes later)
        prompt_for(session, standup, "UPAT", NEW_YORK_0930, tz="America/New_York")
        pat_prompt = posts_to(session, "UPAT")[-1]
        assert "Final pricing by Wed?" in str(pat_prompt.args["blocks"])
        form = answers.answer_form(session, team_id=TEAM, user_id="UPAT", occurrence_id=occurrence.id)
        assert [a.text for a in form.asks_for_me] == ["Final pricing by Wed?"]
        ask_id = form.asks_for_me[0].ask_id
        with pytest.raises(data.NotAllowed):
            asks.mark_ask_handled(session, team_id=TEAM, user_id="UNOAH", ask_id=ask_id, now=NEW_YORK_0930)
        ask = asks.mark_ask_handled(session, team_id=TEAM, user_id="UPAT", ask_id=ask_id, now=NEW_YORK_0930)
        assert ask.status == AskStatus.HANDLED
        assert lookups.open_asks_for(session, TEAM, "UPAT") == []


def test_closing_summary_counts_by_side_with_blockers_and_asks(db: Database, people: FakeDirectory) -> None:
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        for user in ("UMAX", "ULENA"):
            prompt_for(session, standup, user, BERLIN_0930, tz="Europe/Berlin")
        for user in ("UPAT", "UNOAH"):
            prompt_for(session, standup, user, NEW_YORK_0930, tz="America/New_York")
        occurrence = session.scalars(select(StandupOccurrence)).one()
        answers.submit_answer(
            session, people, team_id=TEAM, user_id="UMAX", occurrence_id=occurrence.id, answers=["a", "b"],
            blocker="Need the demo env", ask_user="UPAT", ask_text="Demo env access", now=BERLIN_0930,
        )  # fmt: skip
        answers.submit_answer(
            session, people, team_id=TEAM, user_id="UPAT", occurrence_id=occurrence.id, answers=["a", "b"],
            blocker="", ask_user=None, ask_text="", now=NEW_YORK_0930,
        )  # fmt: skip
        rounds.skip_occurrence(session, team_id=TEAM, user_id="ULENA", occurrence_id=occurrence.id, now=NEW_YORK_0930)
        close_occurrence(session, team_id=TEAM, occurrence_id=occurrence.id, now=occurrence.closes_at)
        summary = summary_of(session, occurrence)
        assert (summary.sides[Side.PRODUCT].answered, summary.sides[Side.PRODUCT].missing) == (1, 1)
        assert (summary.sides[Side.MARKETING].answered, summary.sides[Side.MARKETING].skipped) == (1, 1)
        assert summary.blockers == [("Max Marketing", Side.MARKETING, "Need the demo env")]
        assert summary.asks == [("Max Marketing", "Pat Product", "Demo env access", False)]
        update = [r for r in outbox(session) if r.method == "chat.update" and r.key.startswith(occurrence.parent_key)]
        assert len(update) == 1 and update[0].args["ts"] == {"$result": occurrence.parent_key, "field": "ts"}
        # A late answer joins the same thread and refreshes the summary in place.
        late = answers.submit_answer(
            session, people, team_id=TEAM, user_id="UNOAH", occurrence_id=occurrence.id, answers=["a", "b"],
            blocker="", ask_user=None, ask_text="", now=occurrence.closes_at + timedelta(hours=1),
        )  # fmt: skip
        assert late.answer.late
        assert len([r for r in outbox(session) if r.key.startswith(occurrence.parent_key + ":update")]) == 2
        assert len(posts_to(session, "CSHARED")) == 4  # parent + three answers, no new top-level post


def test_only_owner_or_admin_can_pause_edit_or_delete(db: Database, people: FakeDirectory) -> None:
    with db.unit_of_work() as session:
        create(session, people)
        with pytest.raises(data.NotAllowed):
            setup.set_paused(session, team_id=TEAM, name="Launch sync", actor_id="UMAX", actor_is_admin=False,
                               paused=True, now=SETUP_AT)  # fmt: skip
        with pytest.raises(data.NotAllowed):
            setup.delete_standup(session, team_id=TEAM, name="Launch sync", actor_id="UMAX", actor_is_admin=False)
        standup = setup.set_paused(session, team_id=TEAM, name="launch sync", actor_id="UMAX", actor_is_admin=True,
                                     paused=True, now=SETUP_AT)  # fmt: skip
        assert standup.paused
        assert all(s.paused for s in session.scalars(select(Schedule).where(Schedule.kind == JobKind.PROMPT)))
        with pytest.raises(data.NotFound, match="Launch sync"):
            setup.set_paused(session, team_id=TEAM, name="nope", actor_id="UPAT", actor_is_admin=False,
                               paused=False, now=SETUP_AT)  # fmt: skip
        assert setup.delete_standup(session, team_id=TEAM, name="Launch sync", actor_id="UPAT", actor_is_admin=False)
        assert session.scalars(select(Schedule).where(Schedule.kind == JobKind.PROMPT)).all() == []


def test_other_team_cannot_see_or_answer(db: Database, people: FakeDirectory) -> None:
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        occurrence = prompt_for(session, standup, "UMAX", BERLIN_0930, tz="Europe/Berlin").occurrence
        assert occurrence is not None
        with pytest.raises(data.NotFound):
            answers.answer_form(session, team_id="TOTHER", user_id="UMAX", occurrence_id=occurrence.id)
        with pytest.raises(data.NotAllowed):
            answers.answer_form(session, team_id=TEAM, user_id="USTRANGER", occurrence_id=occurrence.id)
        assert lookups.find_by_name(session, "TOTHER", "Launch sync") is None


def test_validate_answer_and_setup() -> None:
    errors = forms.validate_answer(["   ", "x" * 2001], "", "UME", "", "UME")
    assert set(errors) == {Block.answer(0), Block.answer(1), Block.ASK_USER, Block.ASK_TEXT}
    assert forms.validate_answer(["ok", "ok"], "", None, "", "UME") == {}
    bad = make_input(name="", channel_id="", people={}, groups={}, days=[], questions={"all": []}, timezone="Mars/Base")
    assert set(forms.validate_setup(bad)) == {
        Block.NAME, Block.CHANNEL, Block.PEOPLE_PRODUCT, Block.DAYS, Block.TIMEZONE, Block.QUESTIONS,
    }  # fmt: skip
    assert forms.validate_setup(make_input()) == {}


def test_prompt_rows_are_scoped_to_the_team(db: Database, people: FakeDirectory) -> None:
    with db.unit_of_work() as session:
        standup = create(session, people).standup
        prompt_for(session, standup, "UMAX", BERLIN_0930, tz="Europe/Berlin")
        assert {p.team_id for p in session.scalars(select(StandupPrompt))} == {TEAM}
        assert all(m.team_id == TEAM for m in outbox(session))


def test_two_participants_prompted_at_the_same_moment_in_two_processes_share_one_occurrence(
    database_url: str, people: FakeDirectory
) -> None:
    """Per-person schedules of one stand-up run concurrently on replicas: one occurrence, one parent.
    (On both databases: on PostgreSQL the two transactions really overlap.)"""
    import threading

    db = Database.from_url(database_url)

    with db.unit_of_work() as session:
        standup_id = create(session, people).standup.id
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def prompt(user_id: str) -> None:
        try:
            with db.unit_of_work() as session:
                standup = session.get_one(Standup, standup_id)
                start.wait(timeout=10)
                prompt_for(session, standup, user_id, BERLIN_0930, tz="Europe/Berlin")
        except BaseException as error:  # noqa: BLE001 - reported to the test thread below
            failures.append(error)

    threads = [threading.Thread(target=prompt, args=(user,)) for user in ("UMAX", "ULENA")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, failures
    with db.unit_of_work() as session:
        occurrences = list(session.scalars(select(StandupOccurrence).where(StandupOccurrence.standup_id == standup_id)))
        assert len(occurrences) == 1
        assert len(posts_to(session, "CSHARED")) == 1
        assert len(posts_to(session, "UMAX")) == 1 and len(posts_to(session, "ULENA")) == 1
    db.dispose()
