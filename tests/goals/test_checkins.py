"""Check-in rounds and recording a check-in (service level, both databases): round identity
across zones, the pull before asking, one reminder only while open, missing and going stale
after exactly two misses (told once), the double submit, permissions."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.goals import checkin_forms, checkins, setup
from bot.goals.data import CheckinInput, GoalClosed, NotGoalOwner
from bot.goals.ids import CheckinCadence, Confidence, JobKind, RoundStatus, Status, ValueSource
from bot.goals.models import Goal, GoalCheckin, GoalPrompt, GoalRound, GoalValue
from bot.goals.pull import PullResult
from bot.goals.secrets import seal
from bot.scheduling.models import Schedule
from bot.slack.delivery_models import OutboxMessage
from tests.goals.conftest import TEAM, FakeDirectory, goal_input
from tests.goals.helpers import as_sent

TOKYO, NEW_YORK = "U0TOKYO001", "U0NEWYORK1"
ZONES = FakeDirectory({TOKYO: "Asia/Tokyo", NEW_YORK: "America/New_York"})
CREATED = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)  # a Wednesday
# Monday 2026-12-14, 09:30 local: Tokyo (UTC+9) is Monday 00:30 UTC, New York (UTC-5) 14:30 UTC.
TOKYO_MONDAY = datetime(2026, 12, 14, 0, 30, tzinfo=UTC)
NEW_YORK_MONDAY = datetime(2026, 12, 14, 14, 30, tzinfo=UTC)
WEEK = datetime(2026, 12, 21) - datetime(2026, 12, 14)
KEY = "8Jx0mN7cX2u6kq3kYVY0sYb2rJtZ0d4N2mV9bG8fQ1M="  # a Fernet key for the tests


def no_fetch(url: str, pointer: str, token: str | None) -> PullResult:
    raise AssertionError("no pull source: nothing to fetch")


@dataclass
class FakeSource:
    result: PullResult
    calls: list[tuple[str, str, str | None]] = field(default_factory=list)

    def __call__(self, url: str, pointer: str, token: str | None) -> PullResult:
        self.calls.append((url, pointer, token))
        return self.result


def make_goal(db: Database, **changes: object) -> int:
    data = goal_input(product_owners=(TOKYO,), marketing_owners=(NEW_YORK,), cadence=CheckinCadence.WEEKLY, **changes)
    with db.unit_of_work() as session:
        goal = setup.create_goal(
            session, team_id=TEAM, data=data, created_by=TOKYO, today=CREATED.date(), now=CREATED,
            directory=ZONES, creator_tz="Asia/Tokyo",
        )  # fmt: skip
        return goal.id


def prompt(db: Database, goal_id: int, user_id: str, at: datetime, fetch: object = no_fetch) -> checkins.PromptRun:
    tz = ZONES.zones[user_id]
    with db.unit_of_work() as session:
        return checkins.run_prompt(
            session, team_id=TEAM, goal_id=goal_id, user_id=user_id, scheduled_for=at, tz=tz, now=at,
            encryption_key=KEY, fetch=fetch,  # type: ignore[arg-type]
        )  # fmt: skip


def check_in(
    db: Database, goal_id: int, user_id: str, at: datetime, value: float = 5.0, view_id: str | None = None
) -> int:
    with db.unit_of_work() as session:
        checkin = checkins.record_checkin(
            session, team_id=TEAM, goal_id=goal_id, user_id=user_id, now=at, is_admin=lambda: False,
            data=CheckinInput(value, Confidence.AT_RISK, "Pricing page shipped"), view_id=view_id,
        )  # fmt: skip
        return checkin.id


def outbox_rows(db: Database, like: str) -> list[OutboxMessage]:
    """Rows whose key is like ``like`` (the DMs of a round updated once answered only when asked for)."""
    with db.unit_of_work() as session:
        query = select(OutboxMessage).where(OutboxMessage.key.like(like))
        if ":answered:" not in like:
            query = query.where(OutboxMessage.key.not_like("%:answered:%"))
        return list(session.scalars(query.order_by(OutboxMessage.id)))


def test_owner_schedules_fire_at_0930_local_on_the_same_monday(db: Database) -> None:
    goal_id = make_goal(db)
    with db.unit_of_work() as session:
        runs = {
            s.subject: s.next_run_at for s in session.scalars(select(Schedule).where(Schedule.kind == "goals.prompt"))
        }
    assert runs == {TOKYO: TOKYO_MONDAY, NEW_YORK: NEW_YORK_MONDAY}
    assert goal_id


def test_a_tokyo_and_a_new_york_owner_share_mondays_round(db: Database) -> None:
    goal_id = make_goal(db)
    first = prompt(db, goal_id, TOKYO, TOKYO_MONDAY)
    second = prompt(db, goal_id, NEW_YORK, NEW_YORK_MONDAY)
    assert first.opened and first.prompted and not second.opened and second.prompted
    assert first.round_id == second.round_id
    with db.unit_of_work() as session:
        rounds = session.scalars(select(GoalRound)).all()
        assert [(r.due_on.isoformat(), r.status) for r in rounds] == [("2026-12-14", "open")]
        assert {p.user_id for p in session.scalars(select(GoalPrompt))} == {TOKYO, NEW_YORK}
        timers = session.scalars(select(Schedule).where(Schedule.kind.in_([JobKind.MISS, JobKind.REMIND]))).all()
        assert sorted((t.kind, t.subject, t.next_run_at.isoformat()) for t in timers) == [
            ("goals.miss", "", (TOKYO_MONDAY + WEEK).isoformat()),  # one miss timer: the round opened once
            ("goals.remind", NEW_YORK, "2026-12-15T14:30:00+00:00"),  # Tuesday 09:30 New York
            ("goals.remind", TOKYO, "2026-12-15T00:30:00+00:00"),  # Tuesday 09:30 Tokyo
        ]
    dms = outbox_rows(db, f"goal:{goal_id}:round:%:prompt:%")
    assert sorted(r.args["channel"] for r in dms) == sorted([TOKYO, NEW_YORK])
    assert all(r.on_result == "goals.prompted" for r in dms)
    # The same firing again (a retried tick) sends nothing more.
    again = prompt(db, goal_id, TOKYO, TOKYO_MONDAY)
    assert not again.prompted and again.why_not == "prompted already"
    assert len(outbox_rows(db, f"goal:{goal_id}:round:%:prompt:%")) == 2


def test_a_friday_prompt_is_reminded_on_monday() -> None:
    friday = datetime(2026, 12, 18, 14, 30, tzinfo=UTC)
    assert checkins.reminder_at(friday, "America/New_York").isoformat() == "2026-12-21T14:30:00+00:00"
    # Across the US change to summer time (Sunday 2027-03-14): still 09:30 local on Monday.
    assert checkins.reminder_at(datetime(2027, 3, 12, 14, 30, tzinfo=UTC), "America/New_York").isoformat() == (
        "2027-03-15T13:30:00+00:00"
    )


def test_once_answered_the_other_owner_is_neither_asked_nor_reminded(db: Database) -> None:
    goal_id = make_goal(db)
    prompt(db, goal_id, TOKYO, TOKYO_MONDAY)
    check_in(db, goal_id, TOKYO, TOKYO_MONDAY.replace(hour=2), value=4.6)
    later = prompt(db, goal_id, NEW_YORK, NEW_YORK_MONDAY)
    assert not later.prompted and later.why_not == "answered"
    with db.unit_of_work() as session:
        round_id = session.scalars(select(GoalRound.id)).one()
        assert not checkins.run_remind(session, team_id=TEAM, round_id=round_id, user_id=TOKYO, now=NEW_YORK_MONDAY)
        checkin = session.scalars(select(GoalCheckin)).one()
        assert checkin.round_id == round_id and checkin.value == 4.6 and checkin.previous_value is None
        assert session.get(GoalRound, round_id).status == RoundStatus.ANSWERED  # type: ignore[union-attr]
    assert [r.args["channel"] for r in outbox_rows(db, f"goal:{goal_id}:round:%:prompt:%")] == [TOKYO]
    updated = outbox_rows(db, f"goal:{goal_id}:round:%:answered:%")
    assert len(updated) == 1 and updated[0].method == "chat.update"
    assert updated[0].args["ts"] == {"$result": f"goal:{goal_id}:round:{round_id}:prompt:{TOKYO}", "field": "ts"}
    assert f"<@{TOKYO}> checked in" in updated[0].args["text"]
    reply = outbox_rows(db, f"goal:{goal_id}:thread:checkin:%")
    assert len(reply) == 1 and reply[0].args["thread_ts"] == {"$result": f"goal:{goal_id}:post", "field": "ts"}
    assert "Pricing page shipped" in str(reply[0].args["blocks"])
    assert len(outbox_rows(db, f"goal:{goal_id}:update:%")) == 1  # the channel message, in place


def test_one_reminder_only_while_the_round_is_open(db: Database) -> None:
    goal_id = make_goal(db)
    run = prompt(db, goal_id, TOKYO, TOKYO_MONDAY)
    prompt(db, goal_id, NEW_YORK, NEW_YORK_MONDAY)
    assert run.round_id is not None
    tuesday = TOKYO_MONDAY + WEEK / 7
    with db.unit_of_work() as session:
        assert checkins.run_remind(session, team_id=TEAM, round_id=run.round_id, user_id=TOKYO, now=tuesday)
        assert not checkins.run_remind(session, team_id=TEAM, round_id=run.round_id, user_id=TOKYO, now=tuesday)
    assert [r.args["channel"] for r in outbox_rows(db, f"goal:{goal_id}:round:%:remind:%")] == [TOKYO]
    # Tokyo answers before New York's reminder: New York is not reminded; both DMs (and Tokyo's
    # reminder) say who checked in.
    check_in(db, goal_id, TOKYO, tuesday.replace(hour=3))
    with db.unit_of_work() as session:
        assert not checkins.run_remind(session, team_id=TEAM, round_id=run.round_id, user_id=NEW_YORK, now=tuesday)
    assert len(outbox_rows(db, f"goal:{goal_id}:round:%:remind:%")) == 1
    answered = sorted(r.key.split(":answered:")[1] for r in outbox_rows(db, f"goal:{goal_id}:round:%:answered:%"))
    assert answered == [f"prompt:{NEW_YORK}", f"prompt:{TOKYO}", f"remind:{TOKYO}"]


def test_stale_after_exactly_two_missed_rounds_told_once_and_a_checkin_clears_it(db: Database) -> None:
    goal_id = make_goal(db)
    for week in range(4):
        prompt(db, goal_id, TOKYO, TOKYO_MONDAY + week * WEEK)  # opening a round misses the one before
        with db.unit_of_work() as session:
            stale = session.get(Goal, goal_id).stale_since  # type: ignore[union-attr]
            missed = session.scalar(select(func.count()).select_from(GoalRound).where(GoalRound.status == "missed"))
        assert missed == week
        assert (stale is not None) == (week >= 2), f"week {week}"
    stale_dms = outbox_rows(db, f"goal:{goal_id}:stale:%")
    assert sorted(r.args["channel"] for r in stale_dms) == sorted([TOKYO, NEW_YORK])  # once each, by DM
    assert all("<!channel>" not in str(r.args) for r in stale_dms)
    # The goal's message shows it (updated in place); a check-in clears it.
    assert any("Stale" in str(as_sent(db, r)["blocks"]) for r in outbox_rows(db, f"goal:{goal_id}:update:%"))
    check_in(db, goal_id, NEW_YORK, NEW_YORK_MONDAY + 3 * WEEK)
    with db.unit_of_work() as session:
        assert session.get(Goal, goal_id).stale_since is None  # type: ignore[union-attr]


def test_the_miss_timer_misses_an_open_round_once(db: Database) -> None:
    goal_id = make_goal(db)
    run = prompt(db, goal_id, TOKYO, TOKYO_MONDAY)
    assert run.round_id is not None
    with db.unit_of_work() as session:
        assert checkins.run_miss(session, team_id=TEAM, round_id=run.round_id, now=TOKYO_MONDAY + WEEK)
        assert not checkins.run_miss(session, team_id=TEAM, round_id=run.round_id, now=TOKYO_MONDAY + WEEK)
        assert session.get(Goal, goal_id).stale_since is None  # type: ignore[union-attr]
    # A late answer stands on its own (the round stays missed).
    check_in(db, goal_id, NEW_YORK, TOKYO_MONDAY + WEEK)
    with db.unit_of_work() as session:
        assert session.scalars(select(GoalCheckin.round_id)).one() is None
        assert session.scalars(select(GoalRound.status)).one() == RoundStatus.MISSED


def test_the_pull_source_feeds_the_round_once(db: Database) -> None:
    goal_id = make_goal(db)
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        goal.pull_url, goal.pull_pointer, goal.pull_token = "http://127.0.0.1:9/m", "/value", seal("s3cret", KEY)
    source = FakeSource(PullResult(5.25))
    prompt(db, goal_id, TOKYO, TOKYO_MONDAY, fetch=source)
    prompt(db, goal_id, NEW_YORK, NEW_YORK_MONDAY, fetch=source)
    assert source.calls == [("http://127.0.0.1:9/m", "/value", "s3cret")]  # once per round, token unsealed
    with db.unit_of_work() as session:
        value = session.scalars(select(GoalValue)).one()
        assert (value.value, value.source) == (5.25, ValueSource.PULL)
        assert session.scalars(select(GoalRound.pulled_value_id)).one() == value.id
    for dm in outbox_rows(db, f"goal:{goal_id}:round:%:prompt:%"):
        assert "Pulled from your source: *5.25%*" in str(dm.args["blocks"])
    assert len(outbox_rows(db, f"goal:{goal_id}:update:%")) == 1  # the new value shows in the channel

    broken = FakeSource(PullResult(None, "the source could not be reached (ConnectError)"))
    prompt(db, goal_id, TOKYO, TOKYO_MONDAY + WEEK, fetch=broken)
    prompt(db, goal_id, NEW_YORK, NEW_YORK_MONDAY + WEEK, fetch=broken)
    assert len(broken.calls) == 1
    with db.unit_of_work() as session:
        latest = session.scalars(select(GoalRound).order_by(GoalRound.due_on.desc())).first()
        assert latest is not None and latest.pull_problem.startswith("the source could not be reached")
        round_id = latest.id
        checkins.run_remind(session, team_id=TEAM, round_id=round_id, user_id=TOKYO, now=TOKYO_MONDAY + WEEK)
    asked = outbox_rows(db, f"goal:{goal_id}:round:{round_id}:prompt:%")
    assert len(asked) == 2 and all("could not be reached" in str(r.args["blocks"]) for r in asked)
    reminder = outbox_rows(db, f"goal:{goal_id}:round:{round_id}:remind:%")
    assert len(reminder) == 1 and "could not be reached" not in str(reminder[0].args["blocks"])  # said once


def test_a_double_submit_records_once_and_previous_value_is_the_last_checkin(db: Database) -> None:
    goal_id = make_goal(db)
    first = check_in(db, goal_id, TOKYO, CREATED, value=4.2, view_id="V1")
    assert check_in(db, goal_id, TOKYO, CREATED, value=4.2, view_id="V1") == first
    check_in(db, goal_id, NEW_YORK, CREATED + WEEK, value=4.8, view_id="V2")
    with db.unit_of_work() as session:
        rows = session.scalars(select(GoalCheckin).order_by(GoalCheckin.id)).all()
        assert [(c.value, c.previous_value) for c in rows] == [(4.2, None), (4.8, 4.2)]
        assert session.scalar(select(func.count()).select_from(GoalValue)) == 2
    assert len(outbox_rows(db, f"goal:{goal_id}:thread:checkin:%")) == 2


def test_only_owners_the_creator_or_an_admin_check_in(db: Database) -> None:
    goal_id = make_goal(db)
    with pytest.raises(NotGoalOwner) as refused, db.unit_of_work() as session:
        checkins.checkin_form(session, team_id=TEAM, goal_id=goal_id, user_id="U0SOMEONE1", is_admin=lambda: False)
    assert "Only the goal's owners" in str(refused.value)
    with db.unit_of_work() as session:
        form = checkins.checkin_form(
            session, team_id=TEAM, goal_id=goal_id, user_id="U0ADMIN001", is_admin=lambda: True
        )
        assert form.goal.id == goal_id and form.pulled is None
        session.get(Goal, goal_id).status = Status.CLOSED  # type: ignore[union-attr]
    with pytest.raises(GoalClosed), db.unit_of_work() as session:
        checkins.checkin_form(session, team_id=TEAM, goal_id=goal_id, user_id=TOKYO, is_admin=lambda: False)


@pytest.mark.parametrize(
    ("typed", "label", "value"),
    [("12.5", "", 12.5), ("12.5%", "", 12.5), ("1,200", "", 1200.0), ("12,5", "", 12.5), ("$40", "$", 40.0),
     ("EUR 1,200.50", "EUR", 1200.5), ("12 signups", "signups", 12.0), ("-3", "", -3.0), ("lots", "", None),
     ("1.2.3", "", None), ("12 apples", "", None), ("nan", "", None), ("inf", "", None)],
)  # fmt: skip
def test_values_as_people_type_them(typed: str, label: str, value: float | None) -> None:
    assert checkin_forms.parse_value(typed, label) == value


def test_the_modal_state_gives_friendly_field_errors() -> None:
    state = {"goal_value": {"value": {"value": "about five"}}, "goal_confidence": {"value": {"selected_option": None}}}
    data, errors = checkin_forms.parse_checkin(state)
    assert data is None and set(errors) == {"goal_value", "goal_confidence"}
    assert "isn't a number" in errors["goal_value"]
    state = {
        "goal_value": {"value": {"value": "5.5"}},
        "goal_confidence": {"value": {"selected_option": {"value": "on_track"}}},
        "goal_note": {"value": {"value": "  Webinar <!here> week  "}},
    }
    data, errors = checkin_forms.parse_checkin(state)
    assert errors == {} and data == CheckinInput(5.5, Confidence.ON_TRACK, "Webinar <!here> week")


def test_two_owners_prompted_at_once_on_two_replicas_open_the_round_once(db: Database) -> None:
    """Two owners in one zone fire at the same instant in two processes: one round, one pull, one
    miss timer, one DM each. (On PostgreSQL the two transactions really overlap.)"""
    berlin = FakeDirectory({"U0BERLIN01": "Europe/Berlin", "U0BERLIN02": "Europe/Berlin"})
    data = goal_input(product_owners=("U0BERLIN01",), marketing_owners=("U0BERLIN02",))
    with db.unit_of_work() as session:
        goal = setup.create_goal(
            session, team_id=TEAM, data=data, created_by="U0BERLIN01", today=CREATED.date(), now=CREATED,
            directory=berlin, creator_tz="Europe/Berlin",
        )  # fmt: skip
        goal.pull_url, goal.pull_pointer = "http://127.0.0.1:9/m", "/value"
        goal_id = goal.id
    at = datetime(2026, 12, 14, 8, 30, tzinfo=UTC)  # Monday 09:30 in Berlin
    source = FakeSource(PullResult(4.4))
    start = threading.Barrier(2)
    failures: list[BaseException] = []

    def fire(user_id: str) -> None:
        try:
            with db.unit_of_work() as session:
                start.wait(timeout=10)
                checkins.run_prompt(
                    session, team_id=TEAM, goal_id=goal_id, user_id=user_id, scheduled_for=at, tz="Europe/Berlin",
                    now=at, fetch=source,
                )  # fmt: skip
        except BaseException as error:  # noqa: BLE001 - reported to the test thread below
            failures.append(error)

    threads = [threading.Thread(target=fire, args=(user,)) for user in ("U0BERLIN01", "U0BERLIN02")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not failures, failures
    assert len(source.calls) == 1
    with db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(GoalRound)) == 1
        assert session.scalar(select(func.count()).select_from(GoalValue)) == 1
        assert session.scalar(select(func.count()).select_from(Schedule).where(Schedule.kind == JobKind.MISS)) == 1
    assert sorted(r.args["channel"] for r in outbox_rows(db, f"goal:{goal_id}:round:%:prompt:%")) == [
        "U0BERLIN01",
        "U0BERLIN02",
    ]
