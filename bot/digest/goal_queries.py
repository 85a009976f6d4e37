"""The digest's reads of shared goals: every open goal with its latest confidence, its value now
and a week ago, and the goals closed this week; compiled into ``data.GoalsSection`` and the
chart's goal bars.

The latest check-in and values are correlated subqueries on the ``(goal_id, created_at)`` and
``(goal_id, measured_at)`` indexes: ranking every open goal reads only its latest confidence
(one index seek per goal), and the values are read for the goals shown. Every query filters by
``team_id``.
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
    """The goal's latest value measured at or before ``at``, as a correlated scalar subquery.

    Ordered by the indexed instant only: a tie-break on the id would make SQLite read every row
    of the goal instead of one (two values measured at the same microsecond are the same news)."""
    return (
        select(GoalValue.value)
        .where(GoalValue.team_id == team_id, GoalValue.goal_id == Goal.id, GoalValue.measured_at <= at)
        .order_by(GoalValue.measured_at.desc())
        .limit(1)
        .correlate(Goal)
        .scalar_subquery()
    )


def _confidence_at(team_id: str, at: datetime) -> Any:
    return (
        select(GoalCheckin.confidence)
        .where(GoalCheckin.team_id == team_id, GoalCheckin.goal_id == Goal.id, GoalCheckin.created_at <= at)
        .order_by(GoalCheckin.created_at.desc())
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


def _ranked_open_ids(session: Session, team_id: str, end: datetime) -> list[int]:
    """Every active or paused goal's id, worst first: off track, at risk, on track, then goals
    nobody checked in on yet (oldest first within each). Only ids and confidences are read, so
    a thousand goals cost a thousand index seeks and no more."""
    rows = session.execute(
        select(Goal.id, _confidence_at(team_id, end)).where(
            Goal.team_id == team_id, Goal.created_at < end, Goal.status.in_(OPEN)
        )
    )
    ranked = sorted((Confidence(c).rank if c else 3, int(i)) for i, c in rows)
    return [goal_id for _, goal_id in ranked]


def _lines_of(session: Session, team_id: str, ids: Sequence[int], start: datetime, end: datetime) -> list[GoalLine]:
    """The full lines of these goals, in the order given."""
    if not ids:
        return []
    found = {int(r.id): _line(r) for r in session.execute(_goal_rows(team_id, start, end).where(Goal.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def open_goals(
    session: Session, team_id: str, start: datetime, end: datetime, limit: int | None = None
) -> tuple[list[GoalLine], int]:
    """The first ``limit`` (all if None) active or paused goals, worst first, and how many there are."""
    ids = _ranked_open_ids(session, team_id, end)
    shown = ids if limit is None else ids[:limit]
    return _lines_of(session, team_id, shown, start, end), len(ids)


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
    opened, total = open_goals(session, team_id, start, end, GOALS_SHOWN)
    closed = closed_goals(session, team_id, start, end)
    if not total and not closed:
        return None
    return GoalsSection(
        open_goals=tuple(opened),
        open_total=total,
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
    """The chart's goal bars: the worst goals first, among the first few (a goal without a value
    or without a target has no bar, so a few more than the bars are read)."""
    opened, _ = open_goals(session, team_id, start, end, CHART_GOALS * 4)
    return goal_bars(opened)
