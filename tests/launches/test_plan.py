"""Making a launch plan (service level, both databases): phases, checklist items owned by the
leads, success-metric goals of this workspace only, the channel message in the outbox, and
nothing saved on a problem or a re-sent submission."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.goals import setup as goal_setup
from bot.launches import plan
from bot.launches.data import LaunchError
from bot.launches.lookups import launch_view, launches_of
from bot.launches.models import Launch, LaunchItem, LaunchPhase
from bot.slack.delivery_models import OutboxMessage
from tests.goals.conftest import goal_input
from tests.launches.conftest import (
    CHANNEL,
    MARKETING_LEAD,
    NOW,
    OTHER_TEAM,
    PRODUCT_LEAD,
    TEAM,
    TODAY,
    ZONES,
    launch_input,
    staggered_input,
)


def _goal(session, team_id: str = TEAM) -> int:  # type: ignore[no-untyped-def]
    goal = goal_setup.create_goal(
        session, team_id=team_id, data=goal_input(), created_by=PRODUCT_LEAD, today=TODAY, now=NOW,
        directory=ZONES, creator_tz="Europe/Berlin",
    )  # fmt: skip
    return goal.id


def test_a_staggered_launch_is_saved_with_its_phases_items_goals_and_message(db: Database) -> None:
    with db.unit_of_work() as session:
        goal_id = _goal(session)
        launch = plan.create_launch(
            session, team_id=TEAM, data=staggered_input(goal_ids=(goal_id,)), created_by=PRODUCT_LEAD,
            today=TODAY, now=NOW, directory=ZONES, creator_tz="Europe/Berlin", view_id="V1",
        )  # fmt: skip
        launch_id = launch.id
    with db.unit_of_work() as session:
        launch = session.get(Launch, launch_id)
        assert launch is not None
        view = launch_view(session, launch)
        assert [p.name for p in view.phases] == ["Beta", "GA"]
        assert len(view.items) == 13 and {i.owner_id for i in view.items} == {PRODUCT_LEAD, MARKETING_LEAD}
        assert [g.id for g in view.goals] == [goal_id]
        assert view.timezone == "Europe/Berlin"
        posts = session.scalars(select(OutboxMessage).where(OutboxMessage.key == f"launch:{launch_id}:post")).all()
        assert len(posts) == 1 and posts[0].args["channel"] == CHANNEL
        assert "Shared inbox" in posts[0].args["text"]
        assert [x.id for x in launches_of(session, TEAM)] == [launch_id]
        again = plan.create_launch(
            session, team_id=TEAM, data=staggered_input(), created_by=PRODUCT_LEAD,
            today=TODAY, now=NOW, directory=ZONES, creator_tz="Europe/Berlin", view_id="V1",
        )  # fmt: skip
        assert again.id == launch_id
        assert session.scalar(select(func.count()).select_from(Launch)) == 1


@pytest.mark.parametrize("problem", ["bad input", "foreign goal"])
def test_a_problem_saves_nothing(db: Database, problem: str) -> None:
    with db.unit_of_work() as session:
        foreign = _goal(session, OTHER_TEAM)
    data = launch_input(name="") if problem == "bad input" else launch_input(goal_ids=(foreign,))
    with pytest.raises(LaunchError), db.unit_of_work() as session:
        plan.create_launch(
            session, team_id=TEAM, data=data, created_by=PRODUCT_LEAD, today=TODAY, now=NOW,
            directory=ZONES, creator_tz="Europe/Berlin",
        )  # fmt: skip
    with db.unit_of_work() as session:
        for model in (Launch, LaunchPhase, LaunchItem):
            assert session.scalar(select(func.count()).select_from(model)) == 0
        assert (
            session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.key.like("launch:%")))
            == 0
        )
