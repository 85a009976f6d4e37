"""Writing goal history directly (values and check-ins) for the surfaces' tests, while the
check-in machinery itself is tested in its own module: rows as a check-in or a push leaves them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.goals.data import GoalInput
from bot.goals.ids import Confidence, Outcome, Status, ValueSource
from bot.goals.models import Goal, GoalCheckin, GoalValue
from bot.goals.setup import create_goal
from tests.goals.conftest import TEAM, FakeDirectory, goal_input


def make_goal(session: Session, *, at: datetime, team_id: str = TEAM, **changes: object) -> Goal:
    data: GoalInput = goal_input(**changes)
    return create_goal(
        session,
        team_id=team_id,
        data=data,
        created_by=data.product_owners[0] if data.product_owners else "U0CREATOR",
        today=at.date(),
        now=at,
        directory=FakeDirectory(),
        creator_tz="UTC",
    )


def add_value(
    session: Session, goal: Goal, value: float, at: datetime, source: ValueSource = ValueSource.PUSH
) -> GoalValue:
    row = GoalValue(
        team_id=goal.team_id, goal_id=goal.id, value=value, measured_at=at, source=source.value, created_at=at
    )
    session.add(row)
    session.flush()
    return row


def check_in(
    session: Session,
    goal: Goal,
    value: float,
    confidence: Confidence,
    at: datetime,
    *,
    user_id: str = "",
    note: str = "",
) -> GoalCheckin:
    """A check-in as an owner's answer leaves it: its value and the check-in row."""
    stored = add_value(session, goal, value, at, ValueSource.CHECKIN)
    row = GoalCheckin(
        team_id=goal.team_id,
        goal_id=goal.id,
        value_id=stored.id,
        value=value,
        confidence=confidence.value,
        note=note,
        user_id=user_id or goal.owners[0].user_id,
        created_at=at,
    )
    session.add(row)
    session.flush()
    return row


def close(session: Session, goal: Goal, outcome: Outcome, at: datetime, learning: str = "") -> None:
    goal.status = Status.CLOSED.value
    goal.outcome = outcome.value
    goal.learning = learning
    goal.closed_at = at
    goal.closed_by = goal.owners[0].user_id
    session.flush()
