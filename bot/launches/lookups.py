"""Reading launches: one launch (or item) by id within a workspace, the launches of a workspace,
and the ``LaunchView`` every surface shows.

Every query filters by ``team_id``: an id from another workspace is simply not found.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.goals.lookups import get_goal, goal_view
from bot.launches.data import ItemNotFound, ItemView, LaunchNotFound, LaunchView, PhaseView
from bot.launches.ids import Decision, ItemKind, ItemStatus, LaunchKind, LaunchStatus, Side
from bot.launches.models import Launch, LaunchItem, LaunchPhase

OPEN_STATUSES = (LaunchStatus.PLANNED, LaunchStatus.SHIPPED)


def get_launch(session: Session, team_id: str, launch_id: int, *, for_update: bool = False) -> Launch | None:
    query = select(Launch).where(Launch.team_id == team_id, Launch.id == launch_id)
    if for_update:
        query = query.with_for_update()
    return session.scalar(query)


def require_launch(session: Session, team_id: str, launch_id: int, *, for_update: bool = False) -> Launch:
    launch = get_launch(session, team_id, launch_id, for_update=for_update)
    if launch is None:
        raise LaunchNotFound()
    return launch


def get_item(session: Session, team_id: str, item_id: int) -> LaunchItem | None:
    return session.scalar(select(LaunchItem).where(LaunchItem.team_id == team_id, LaunchItem.id == item_id))


def require_item(session: Session, team_id: str, item_id: int) -> LaunchItem:
    item = get_item(session, team_id, item_id)
    if item is None:
        raise ItemNotFound()
    return item


def get_phase(session: Session, team_id: str, phase_id: int) -> LaunchPhase | None:
    return session.scalar(select(LaunchPhase).where(LaunchPhase.team_id == team_id, LaunchPhase.id == phase_id))


def launches_of(session: Session, team_id: str, statuses: Iterable[LaunchStatus] = OPEN_STATUSES) -> list[Launch]:
    """The workspace's launches in these statuses, soonest first (by the first phase's date)."""
    wanted = [s.value for s in statuses]
    rows = session.scalars(
        select(Launch)
        .where(Launch.team_id == team_id, Launch.status.in_(wanted))
        .options(selectinload(Launch.phases), selectinload(Launch.items), selectinload(Launch.goal_links))
        .order_by(Launch.id)
    ).all()
    return sorted(rows, key=lambda launch: (launch.launch_on, launch.id))


def item_view(item: LaunchItem) -> ItemView:
    return ItemView(
        id=item.id,
        title=item.title,
        side=Side(item.side),
        kind=ItemKind(item.kind),
        owner_id=item.owner_id,
        phase_id=item.phase_id,
        offset=item.offset_days,
        due_on=item.due_on,
        status=ItemStatus(item.status),
        blocked_reason=item.blocked_reason,
        done_at=item.done_at,
        was_late=item.was_late,
    )


def phase_view(phase: LaunchPhase) -> PhaseView:
    return PhaseView(
        id=phase.id,
        position=phase.position,
        name=phase.name,
        audience=phase.audience,
        launch_on=phase.launch_on,
        decision=Decision(phase.decision) if phase.decision else None,
        decision_reason=phase.decision_reason,
        decided_by=phase.decided_by,
        shipped=phase.shipped_at is not None,
    )


def launch_view(session: Session, launch: Launch, *, with_goals: bool = True) -> LaunchView:
    """The launch as every surface shows it; ``with_goals``: its success metrics' latest values."""
    goals = []
    if with_goals:
        for link in launch.goal_links:
            goal = get_goal(session, launch.team_id, link.goal_id)
            if goal is not None:
                goals.append(goal_view(session, goal))
    return LaunchView(
        id=launch.id,
        name=launch.name,
        what=launch.what,
        kind=LaunchKind(launch.kind),
        status=LaunchStatus(launch.status),
        channel_id=launch.channel_id,
        product_lead=launch.product_lead,
        marketing_lead=launch.marketing_lead,
        timezone=launch.timezone,
        phases=tuple(phase_view(p) for p in launch.phases),
        items=tuple(item_view(i) for i in sorted(launch.items, key=lambda i: (i.due_on, i.id))),
        goals=tuple(goals),
        message_ts=launch.message_ts,
        cancelled_by=launch.cancelled_by,
    )
