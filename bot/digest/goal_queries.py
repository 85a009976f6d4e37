"""The digest's reads of shared goals: every open goal with its latest confidence, its value now
and a week ago, and the goals closed this week; compiled into ``data.GoalsSection`` and the
chart's goal bars.

One statement per list: the latest check-in and values are correlated subqueries on the
``(goal_id, created_at)`` and ``(goal_id, measured_at)`` indexes, so a workspace with a thousand
goals and fifty check-ins each costs one index seek per goal and figure, never a scan. Every
query filters by ``team_id``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.digest.data import CHART_GOALS, CLOSED_GOALS_SHOWN, GOALS_SHOWN, GoalLine, GoalsSection
from bot.goals.ids import Confidence, Direction, Kind, Outcome, Status, Unit
from bot.goals.models import Goal, GoalCheckin, GoalValue

OPEN = (Status.ACTIVE.value, Status.PAUSED.value)


def _value_at(team_id: str, at: datetime) -> Any:
    """The goal's latest value measured at or before ``at``, as a correlated scalar subquery."""
    return (
        select(GoalValue.value)
        .where(GoalValue.team_id == team_id, GoalValue.goal_id == Goal.id, GoalValue.measured_at <= at)
        .order_by(GoalValue.measured_at.desc(), GoalValue.id.desc())
        .limit(1)
        .correlate(Goal)
        .scalar_subquery()
    )


def _confidence_at(team_id: str, at: datetime) -> Any:
    return (
        select(GoalCheckin.confidence)
        .where(GoalCheckin.team_id == team_id, GoalCheckin.goal_id == Goal.id, GoalCheckin.created_at <= at)
        .order_by(GoalCheckin.created_at.desc(), GoalCheckin.id.desc())
        .limit(1)
        .correlate(Goal)
        .scalar_subquery()
    )


def _goal_rows(team_id: str, start: datetime, end: datetime) -> Any:
    return select(
        Goal.id,
        Goal.title,
        Goal.metric_name,
        Goal.kind,
        Goal.unit,
        Goal.unit_label,
        Goal.direction,
        Goal.baseline,
        Goal.target,
        Goal.range_low,
        Goal.range_high,
        Goal.status,
        Goal.channel_id,
        Goal.stale_since,
        Goal.outcome,
        Goal.learning,
        _confidence_at(team_id, end).label("confidence"),
        _value_at(team_id, end).label("current"),
        _value_at(team_id, start).label("week_ago"),
    ).where(Goal.team_id == team_id, Goal.created_at < end)


def _line(row: Any) -> GoalLine:
    return GoalLine(
        goal_id=int(row.id),
        title=str(row.title),
        metric_name=str(row.metric_name),
        kind=Kind(row.kind),
        unit=Unit(row.unit),
        unit_label=str(row.unit_label),
        direction=Direction(row.direction),
        baseline=float(row.baseline),
        target=row.target,
        range_low=row.range_low,
        range_high=row.range_high,
        status=Status(row.status),
        channel_id=str(row.channel_id),
        confidence=Confidence(row.confidence) if row.confidence else None,
        stale=row.stale_since is not None,
        current=row.current,
        week_ago=row.week_ago,
        outcome=Outcome(row.outcome) if row.outcome else None,
        learning=str(row.learning or ""),
    )


def open_goals(session: Session, team_id: str, start: datetime, end: datetime) -> list[GoalLine]:
    """Every active or paused goal of the workspace, worst first (see ``GoalLine.rank``)."""
    rows = session.execute(_goal_rows(team_id, start, end).where(Goal.status.in_(OPEN)))
    return sorted((_line(r) for r in rows), key=lambda g: g.rank)


def closed_goals(session: Session, team_id: str, start: datetime, end: datetime) -> list[GoalLine]:
    """Goals closed in ``[start, end)``, latest first."""
    rows = session.execute(
        _goal_rows(team_id, start, end)
        .where(Goal.status == Status.CLOSED.value, Goal.closed_at >= start, Goal.closed_at < end)
        .order_by(Goal.closed_at.desc(), Goal.id.desc())
    )
    return [_line(r) for r in rows]


def compile_goals(session: Session, team_id: str, start: datetime, end: datetime) -> GoalsSection | None:
    """The digest's "Shared goals" section for the week ``[start, end)``; None when there are none."""
    opened = open_goals(session, team_id, start, end)
    closed = closed_goals(session, team_id, start, end)
    if not opened and not closed:
        return None
    return GoalsSection(
        open_goals=tuple(opened[:GOALS_SHOWN]),
        open_total=len(opened),
        closed=tuple(closed[:CLOSED_GOALS_SHOWN]),
        closed_total=len(closed),
    )


def goal_bars(lines: Sequence[GoalLine], limit: int = CHART_GOALS) -> tuple[tuple[str, float], ...]:
    """(title, progress toward target) for the chart: target goals with a value, worst first."""
    bars: list[tuple[str, float]] = []
    for goal in lines:
        share = goal.progress
        if share is not None and len(bars) < limit:
            bars.append((goal.title, share))
    return tuple(bars)


def chart_goals(session: Session, team_id: str, start: datetime, end: datetime) -> tuple[tuple[str, float], ...]:
    return goal_bars(open_goals(session, team_id, start, end))
