"""Creating a goal (service level, both databases): owners, per-owner schedules in their zones,
the channel message in the outbox, idempotent re-submission, nothing saved on a problem."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.goals import setup
from bot.goals.data import GoalError
from bot.goals.ids import JobKind
from bot.goals.models import Goal
from bot.scheduling.models import Schedule
from bot.slack.delivery_models import OutboxMessage
from tests.goals.conftest import NOW, TEAM, TODAY, FakeDirectory, goal_input

ZONES = FakeDirectory({"U0PRODUCT1": "Europe/Berlin", "U0MARKET01": "America/New_York"})


def test_create_goal_schedules_each_owner_in_their_zone_and_posts_once(db: Database) -> None:
    with db.unit_of_work() as session:
        goal = setup.create_goal(
            session, team_id=TEAM, data=goal_input(), created_by="U0PRODUCT1", today=TODAY, now=NOW,
            directory=ZONES, creator_tz="Europe/Berlin", view_id="V1",
        )  # fmt: skip
        goal_id = goal.id
    with db.unit_of_work() as session:
        schedules = session.scalars(select(Schedule).where(Schedule.ref_id == str(goal_id))).all()
        assert {(s.kind, s.subject, s.timezone) for s in schedules} == {
            (JobKind.PROMPT.value, "U0PRODUCT1", "Europe/Berlin"),
            (JobKind.PROMPT.value, "U0MARKET01", "America/New_York"),
        }
        # Every two weeks on Monday 09:30 local: the first is today in each zone (NOW is 08:00 UTC).
        by_owner = {s.subject: s.next_run_at for s in schedules}
        assert by_owner["U0PRODUCT1"].isoformat() == "2026-12-07T08:30:00+00:00"
        assert by_owner["U0MARKET01"].isoformat() == "2026-12-07T14:30:00+00:00"
        posts = session.scalars(select(OutboxMessage).where(OutboxMessage.key == f"goal:{goal_id}:post")).all()
        assert len(posts) == 1 and posts[0].args["channel"] == "C0GOALS001"
        assert "Lift trial-to-paid" in posts[0].args["text"]

        again = setup.create_goal(
            session, team_id=TEAM, data=goal_input(), created_by="U0PRODUCT1", today=TODAY, now=NOW,
            directory=ZONES, creator_tz="Europe/Berlin", view_id="V1",
        )  # fmt: skip
        assert again.id == goal_id
        assert session.scalar(select(func.count()).select_from(Goal)) == 1


def test_a_problem_saves_nothing(db: Database) -> None:
    with pytest.raises(GoalError) as caught, db.unit_of_work() as session:
        setup.create_goal(
            session, team_id=TEAM, data=goal_input(marketing_owners=()), created_by="U0PRODUCT1", today=TODAY,
            now=NOW, directory=ZONES, creator_tz="UTC",
        )  # fmt: skip
    assert caught.value.block_id == "goal_marketing_owners"
    assert "owner from marketing" in str(caught.value)
    with db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Goal)) == 0
        assert session.scalar(select(func.count()).select_from(Schedule)) == 0
