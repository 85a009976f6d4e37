"""Managing a goal (service level, both databases): edit, pause, resume, close and delete, who may
do them, and that a goal of another workspace is "not found"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.goals import closing, setup
from bot.goals.data import GoalClosed, GoalError, GoalNotFound, NotGoalOwner
from bot.goals.ids import JobKind, Outcome, RoundStatus, Status, ValueSource
from bot.goals.models import Goal, GoalCheckin, GoalOwner, GoalPrompt, GoalRound, GoalValue
from bot.scheduling.models import Schedule
from bot.scheduling.service import schedule_once
from bot.slack.delivery_models import OutboxMessage, OutboxStatus
from bot.slack.users import SlackUser
from tests.goals.conftest import NOW, OTHER_TEAM, TEAM, TODAY, FakeDirectory, goal_input
from tests.goals.helpers import as_sent

PRODUCT, MARKETING, STRANGER, ADMIN = "U0PRODUCT1", "U0MARKET01", "U0STRANGE1", "U0ADMIN001"


@dataclass
class Directory(FakeDirectory):
    admins: frozenset[str] = frozenset({ADMIN})

    def get_user(self, user_id: str) -> SlackUser | None:
        user = super().get_user(user_id)
        if user is None:
            return None
        return SlackUser(user.id, user.team_id, user.name, user.tz, user_id in self.admins, False, False)


ZONES = Directory({PRODUCT: "Europe/Berlin", MARKETING: "America/New_York", STRANGER: "UTC", ADMIN: "UTC"})


@pytest.fixture
def goal_id(db: Database) -> int:
    with db.unit_of_work() as session:
        goal = setup.create_goal(
            session, team_id=TEAM, data=goal_input(), created_by=PRODUCT, today=TODAY, now=NOW, directory=ZONES,
            creator_tz="Europe/Berlin",
        )  # fmt: skip
        # The post went out: the message's ts is known (Hook.POSTED).
        goal.message_ts = "1700000000.000100"
        session.execute(
            OutboxMessage.__table__.update()
            .where(OutboxMessage.key == f"goal:{goal.id}:post")
            .values(status=OutboxStatus.SENT.value)
        )
        return goal.id


def prompts(session: object, goal_id: int) -> list[Schedule]:
    return list(
        session.scalars(  # type: ignore[attr-defined]
            select(Schedule).where(Schedule.kind == JobKind.PROMPT.value, Schedule.ref_id == str(goal_id))
        )
    )


def keys(session: object, goal_id: int) -> list[str]:
    return list(
        session.scalars(  # type: ignore[attr-defined]
            select(OutboxMessage.key).where(OutboxMessage.key.startswith(f"goal:{goal_id}:")).order_by(OutboxMessage.id)
        )
    )


def test_edit_saves_reschedules_and_updates_the_message(db: Database, goal_id: int) -> None:
    with db.unit_of_work() as session:
        setup.update_goal(
            session, team_id=TEAM, goal_id=goal_id, user_id=MARKETING, today=TODAY, now=NOW + timedelta(hours=1),
            data=goal_input(target=8.0, weekday=2, marketing_owners=(MARKETING, STRANGER), channel_id="C0ELSEWHERE"),
            directory=ZONES, fallback_tz="UTC",
        )  # fmt: skip
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None and goal.target == 8.0 and goal.channel_id == "C0GOALS001"  # the channel stays
        assert sorted(goal.owner_ids()) == sorted([PRODUCT, MARKETING, STRANGER])
        schedules = prompts(session, goal_id)
        assert {s.subject for s in schedules} == {PRODUCT, MARKETING, STRANGER}
        assert all(s.next_run_at.weekday() == 2 for s in schedules)  # Wednesdays now
        assert keys(session, goal_id)[-1] == f"goal:{goal_id}:update:1"
        update = session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"goal:{goal_id}:update:1"))
        assert update is not None and update.args["ts"] == "1700000000.000100"
    assert "8%" in str(as_sent(db, update)["blocks"])  # rendered when sent


def test_edit_refuses_problems_and_saves_nothing(db: Database, goal_id: int) -> None:
    with pytest.raises(GoalError) as caught, db.unit_of_work() as session:
        setup.update_goal(
            session, team_id=TEAM, goal_id=goal_id, user_id=PRODUCT, today=TODAY, now=NOW,
            data=goal_input(target=4.0), directory=ZONES, fallback_tz="UTC",
        )  # fmt: skip
    assert caught.value.block_id == "goal_target"
    # A due date that has passed since may stay when editing.
    with db.unit_of_work() as session:
        setup.update_goal(
            session, team_id=TEAM, goal_id=goal_id, user_id=PRODUCT, today=date(2027, 6, 1), now=NOW,
            data=goal_input(title="Still going"), directory=ZONES, fallback_tz="UTC",
        )  # fmt: skip
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None and goal.target == 6.0 and goal.title == "Still going"


def test_pause_and_resume(db: Database, goal_id: int) -> None:
    later = NOW + timedelta(days=20)
    with db.unit_of_work() as session:
        round_ = GoalRound(team_id=TEAM, goal_id=goal_id, due_on=TODAY, status=RoundStatus.OPEN.value, opened_at=NOW)
        session.add(round_)
        session.flush()
        schedule_once(session, team_id=TEAM, kind=JobKind.REMIND, ref_id=round_.id, at=NOW + timedelta(days=1), now=NOW)
        setup.set_paused(session, team_id=TEAM, goal_id=goal_id, user_id=MARKETING, paused=True, now=NOW,
                         directory=ZONES, fallback_tz="UTC")  # fmt: skip
        # Twice changes nothing more.
        setup.set_paused(session, team_id=TEAM, goal_id=goal_id, user_id=MARKETING, paused=True, now=NOW,
                         directory=ZONES, fallback_tz="UTC")  # fmt: skip
    with db.unit_of_work() as session:
        assert prompts(session, goal_id) == []
        assert session.scalar(select(func.count()).select_from(Schedule)) == 0  # the reminder went too
        assert session.get(Goal, goal_id).status == Status.PAUSED  # type: ignore[union-attr]
        assert keys(session, goal_id).count(f"goal:{goal_id}:update:1") == 1 and len(keys(session, goal_id)) == 2
        setup.set_paused(session, team_id=TEAM, goal_id=goal_id, user_id=ADMIN, paused=False, now=later,
                         directory=ZONES, fallback_tz="UTC")  # fmt: skip
    with db.unit_of_work() as session:
        schedules = prompts(session, goal_id)
        assert len(schedules) == 2 and all(s.next_run_at > later for s in schedules)  # no catch-up
        assert session.get(Goal, goal_id).status == Status.ACTIVE  # type: ignore[union-attr]


def test_only_owners_creator_and_admins_manage(db: Database, goal_id: int) -> None:
    with pytest.raises(NotGoalOwner) as caught, db.unit_of_work() as session:
        setup.set_paused(session, team_id=TEAM, goal_id=goal_id, user_id=STRANGER, paused=True, now=NOW,
                         directory=ZONES, fallback_tz="UTC")  # fmt: skip
    assert "Only the goal's owners" in str(caught.value)
    with pytest.raises(GoalNotFound), db.unit_of_work() as session:
        setup.delete_goal(session, team_id=OTHER_TEAM, goal_id=goal_id, user_id=ADMIN, now=NOW, directory=ZONES)
    with pytest.raises(GoalNotFound), db.unit_of_work() as session:
        closing.close_goal(session, team_id=OTHER_TEAM, goal_id=goal_id, user_id=PRODUCT, outcome=Outcome.HIT,
                           learning="", now=NOW, directory=ZONES)  # fmt: skip
    with db.unit_of_work() as session:
        assert session.get(Goal, goal_id).status == Status.ACTIVE  # type: ignore[union-attr]
        assert setup.edit_form(session, ZONES, team_id=TEAM, goal_id=goal_id, user_id=ADMIN) == goal_input()


def test_close_records_posts_in_the_thread_and_stops_checkins(db: Database, goal_id: int) -> None:
    with db.unit_of_work() as session:
        closing.close_goal(session, team_id=TEAM, goal_id=goal_id, user_id=MARKETING, outcome=Outcome.HIT,
                           learning=" Pairing\x00 worked ", now=NOW, directory=ZONES)  # fmt: skip
    with db.unit_of_work() as session:
        goal = session.get(Goal, goal_id)
        assert goal is not None
        assert (goal.status, goal.outcome, goal.learning, goal.closed_by) == (
            "closed",
            "hit",
            "Pairing worked",
            MARKETING,
        )
        assert prompts(session, goal_id) == []
        reply = session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"goal:{goal_id}:thread:closed"))
        assert reply is not None and reply.args["thread_ts"] == "1700000000.000100"
        assert "Closed: Hit" in str(reply.args["blocks"]) and "goal_open_retro" in str(reply.args["blocks"])
        assert f"goal:{goal_id}:update:1" in keys(session, goal_id)
    with pytest.raises(GoalClosed), db.unit_of_work() as session:
        closing.close_goal(session, team_id=TEAM, goal_id=goal_id, user_id=MARKETING, outcome=Outcome.MISSED,
                           learning="", now=NOW, directory=ZONES)  # fmt: skip
    with pytest.raises(GoalClosed), db.unit_of_work() as session:
        setup.set_paused(session, team_id=TEAM, goal_id=goal_id, user_id=MARKETING, paused=False, now=NOW,
                         directory=ZONES, fallback_tz="UTC")  # fmt: skip


def test_delete_removes_every_row_and_says_so_in_the_channel(db: Database, goal_id: int) -> None:
    with db.unit_of_work() as session:
        value = GoalValue(team_id=TEAM, goal_id=goal_id, value=5.0, measured_at=NOW, source=ValueSource.CHECKIN.value,
                          created_at=NOW)  # fmt: skip
        round_ = GoalRound(team_id=TEAM, goal_id=goal_id, due_on=TODAY, status=RoundStatus.OPEN.value, opened_at=NOW)
        session.add_all([value, round_])
        session.flush()
        round_.pulled_value_id = value.id
        session.add(GoalPrompt(team_id=TEAM, round_id=round_.id, user_id=PRODUCT, created_at=NOW))
        session.add(GoalCheckin(team_id=TEAM, goal_id=goal_id, round_id=round_.id, value_id=value.id, value=5.0,
                                confidence="on_track", user_id=PRODUCT, created_at=NOW))  # fmt: skip
        schedule_once(session, team_id=TEAM, kind=JobKind.MISS, ref_id=round_.id, at=NOW + timedelta(days=3), now=NOW)
        setup.update_goal(session, team_id=TEAM, goal_id=goal_id, user_id=PRODUCT, today=TODAY, now=NOW,
                          data=goal_input(title="Pending edit"), directory=ZONES, fallback_tz="UTC")  # fmt: skip
    with db.unit_of_work() as session:
        title = setup.delete_goal(session, team_id=TEAM, goal_id=goal_id, user_id=ADMIN, now=NOW, directory=ZONES)
    assert title == "Pending edit"
    with db.unit_of_work() as session:
        for model in (Goal, GoalOwner, GoalValue, GoalRound, GoalPrompt, GoalCheckin, Schedule):
            assert session.scalar(select(func.count()).select_from(model)) == 0, model
        # The pending edit is dropped, the sent post keeps its row under a retired key, and the
        # channel message is updated to say who deleted the goal.
        assert keys(session, goal_id) == []
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [r.key.startswith("goal-deleted:") for r in rows] == [True, True]
        assert rows[-1].method == "chat.update" and rows[-1].args["ts"] == "1700000000.000100"
        assert "was deleted by" in str(rows[-1].args["blocks"]) and ADMIN in rows[-1].args["text"]
    # A new goal (SQLite may give it the same id) gets its own post.
    with db.unit_of_work() as session:
        again = setup.create_goal(session, team_id=TEAM, data=goal_input(), created_by=PRODUCT, today=TODAY, now=NOW,
                                  directory=ZONES, creator_tz="UTC")  # fmt: skip
        post = session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"goal:{again.id}:post"))
        assert post is not None and post.status == OutboxStatus.PENDING.value
