"""The shared goals a retro is linked to: the goal it was opened about (``RetroSeries.goal_id``,
"Open a retro about it" after a goal closes), then the active goals posting in the retro's
channel. Shown by the alignment-check and launch retros when they open (``summary.retro_card``).

Reads only, scoped by ``team_id``: a goal id from another workspace is never found.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.goals.data import GoalView
from bot.goals.ids import Status
from bot.goals.lookups import get_goal, goal_view
from bot.goals.models import Goal
from bot.retro.ids import RetroTemplate

LINKED_GOALS_MAX = 5
SHOWS_GOALS = frozenset({RetroTemplate.ALIGNMENT, RetroTemplate.LAUNCH})


def linked_goals(session: Session, team_id: str, channel_id: str, goal_id: int | None) -> list[GoalView]:
    found: list[Goal] = []
    if goal_id:
        about = get_goal(session, team_id, goal_id)
        if about is not None:
            found.append(about)
    in_channel = session.scalars(
        select(Goal)
        .where(
            Goal.team_id == team_id,
            Goal.channel_id == channel_id,
            Goal.status == Status.ACTIVE.value,
            Goal.id != (goal_id or 0),
        )
        .options(selectinload(Goal.owners))
        .order_by(Goal.id)
        .limit(LINKED_GOALS_MAX)
    )
    found.extend(in_channel)
    return [goal_view(session, g) for g in found[:LINKED_GOALS_MAX]]


def shows_goals(template: RetroTemplate, goal_id: int | None) -> bool:
    """Alignment-check and launch retros show their linked goals; any retro about a goal shows it."""
    return template in SHOWS_GOALS or bool(goal_id)
