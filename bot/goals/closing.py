"""Closing a goal: the outcome (hit, partly, missed) and a learning are recorded, check-ins stop,
the outcome is posted in the goal's thread with an offer to open a retro about it, and the
channel message shows the goal closed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.goals import outbox
from bot.goals.data import Directory, GoalView
from bot.goals.ids import JobKind, Outcome, Status
from bot.goals.lookups import goal_view
from bot.goals.models import Goal
from bot.goals.setup import drop_round_timers, open_goal
from bot.scheduling.service import delete_schedules_for
from bot.slack.text import clean_text


def closing_view(session: Session, directory: Directory, *, team_id: str, goal_id: int, user_id: str) -> GoalView:
    """The goal the close modal is about, if ``user_id`` may close it and it is not closed yet."""
    goal = open_goal(session, directory, team_id=team_id, goal_id=goal_id, user_id=user_id, action="close")
    return goal_view(session, goal)


def close_goal(
    session: Session,
    *,
    team_id: str,
    goal_id: int,
    user_id: str,
    outcome: Outcome,
    learning: str,
    now: datetime,
    directory: Directory,
) -> Goal:
    goal = open_goal(session, directory, team_id=team_id, goal_id=goal_id, user_id=user_id, action="close")
    goal.status = Status.CLOSED.value
    goal.outcome = outcome.value
    goal.learning = clean_text(learning)
    goal.closed_by = user_id
    goal.closed_at = now
    goal.updated_at = now
    session.flush()
    delete_schedules_for(session, team_id, JobKind.PROMPT.value, goal.id)
    drop_round_timers(session, goal)
    outbox.post_outcome(session, goal, outcome, user_id, now)
    outbox.update_goal_message(session, goal, now)
    return goal
