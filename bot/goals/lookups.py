"""Reading goals: one goal by id within a workspace, the goals of a workspace, and the
``GoalView`` every surface shows (current value, latest check-in, trend, staleness).

Every query filters by ``team_id``: an id from another workspace is simply not found.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.goals.data import CheckinView, GoalNotFound, GoalView
from bot.goals.ids import CheckinCadence, Confidence, Direction, Kind, Side, Status, Unit
from bot.goals.models import Goal, GoalCheckin, GoalOwner, GoalValue


def get_goal(session: Session, team_id: str, goal_id: int, *, for_update: bool = False) -> Goal | None:
    query = select(Goal).where(Goal.team_id == team_id, Goal.id == goal_id)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def require_goal(session: Session, team_id: str, goal_id: int, *, for_update: bool = False) -> Goal:
    goal = get_goal(session, team_id, goal_id, for_update=for_update)
    if goal is None:
        raise GoalNotFound()
    return goal


def goals_of(session: Session, team_id: str, statuses: Iterable[Status] = (Status.ACTIVE, Status.PAUSED)) -> list[Goal]:
    """The workspace's goals in these statuses, oldest first, owners loaded."""
    wanted = [s.value for s in statuses]
    return list(
        session.scalars(
            select(Goal)
            .where(Goal.team_id == team_id, Goal.status.in_(wanted))
            .options(selectinload(Goal.owners))
            .order_by(Goal.id)
        )
    )


def goals_owned_by(session: Session, team_id: str, user_id: str) -> list[Goal]:
    """Open goals (active or paused) that ``user_id`` owns."""
    return list(
        session.scalars(
            select(Goal)
            .join(GoalOwner, GoalOwner.goal_id == Goal.id)
            .where(
                Goal.team_id == team_id,
                GoalOwner.user_id == user_id,
                Goal.status.in_([Status.ACTIVE.value, Status.PAUSED.value]),
            )
            .options(selectinload(Goal.owners))
            .order_by(Goal.id)
        )
    )


def latest_value(session: Session, goal: Goal) -> GoalValue | None:
    return session.scalar(
        select(GoalValue)
        .where(GoalValue.team_id == goal.team_id, GoalValue.goal_id == goal.id)
        .order_by(GoalValue.measured_at.desc(), GoalValue.id.desc())
        .limit(1)
    )


def recent_checkins(session: Session, goal: Goal, limit: int = 2) -> Sequence[GoalCheckin]:
    """The latest check-ins, newest first."""
    return session.scalars(
        select(GoalCheckin)
        .where(GoalCheckin.team_id == goal.team_id, GoalCheckin.goal_id == goal.id)
        .order_by(GoalCheckin.created_at.desc(), GoalCheckin.id.desc())
        .limit(limit)
    ).all()


def checkin_view(checkin: GoalCheckin) -> CheckinView:
    return CheckinView(
        value=checkin.value,
        confidence=Confidence(checkin.confidence),
        note=checkin.note,
        user_id=checkin.user_id,
        at=checkin.created_at,
    )


def goal_view(session: Session, goal: Goal, *, with_checkins: int = 0) -> GoalView:
    """The goal as every surface shows it. ``with_checkins``: also carry that many latest check-ins."""
    value = latest_value(session, goal)
    checkins = recent_checkins(session, goal, limit=max(2, with_checkins))
    last = checkins[0] if checkins else None
    # The trend compares the current value with the last check-in before it: the check-in itself
    # when a value arrived since (a push, a pull), else the check-in before the last.
    if last is not None and value is not None and value.id != last.value_id:
        previous: float | None = last.value
    elif len(checkins) > 1:
        previous = checkins[1].value
    else:
        previous = None
    return GoalView(
        id=goal.id,
        title=goal.title,
        why=goal.why,
        kind=Kind(goal.kind),
        metric_name=goal.metric_name,
        unit=Unit(goal.unit),
        unit_label=goal.unit_label,
        direction=Direction(goal.direction),
        baseline=goal.baseline,
        target=goal.target,
        due_on=goal.due_on,
        range_low=goal.range_low,
        range_high=goal.range_high,
        status=Status(goal.status),
        channel_id=goal.channel_id,
        product_owners=tuple(goal.owner_ids(Side.PRODUCT)),
        marketing_owners=tuple(goal.owner_ids(Side.MARKETING)),
        visibility_only=goal.visibility_only,
        cadence=CheckinCadence(goal.cadence),
        weekday=goal.weekday,
        local_time=goal.local_time,
        current=value.value if value else None,
        current_at=value.measured_at if value else None,
        last_checkin=checkin_view(last) if last else None,
        previous_checkin_value=previous,
        stale=goal.stale_since is not None,
        message_ts=goal.message_ts,
        outcome=goal.outcome,
        learning=goal.learning,
        has_push_token=goal.push_token_hash is not None,
        pull_url=goal.pull_url,
        checkins=tuple(checkin_view(c) for c in checkins[:with_checkins]),
    )
