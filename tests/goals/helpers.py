"""Writing goal history directly (values and check-ins) for the surfaces' tests, while the
check-in machinery itself is tested in its own module: rows as a check-in or a push leaves them.
And ``as_sent``: what an outbox row of a goal is sent with (its message is rendered then)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.db import Database
from bot.goals.data import GoalInput
from bot.goals.feature import FEATURE
from bot.goals.ids import Confidence, Outcome, Status, ValueSource
from bot.goals.models import Goal, GoalCheckin, GoalValue
from bot.goals.setup import create_goal
from bot.slack.delivery_models import OutboxMessage, OutboxStatus
from bot.slack.drainer import render_for_send
from tests.goals.conftest import TEAM, FakeDirectory, goal_input


def as_sent(db: Database, row: OutboxMessage) -> dict[str, Any]:
    """The arguments ``row`` is sent with: rendered now as the drainer renders it when it sends it
    (a goal message's update is rendered then, with the feature's renderer), or, once sent, what
    was sent (the drainer records it in the row)."""
    if row.status == OutboxStatus.SENT:
        return row.args
    args = render_for_send(db, FEATURE.renderers, row.team_id, row.args)
    assert args is not None, f"{row.key}: nothing to render"
    return args


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
