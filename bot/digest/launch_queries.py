"""The digest's reads of launches: the launches whose next date is in the next 30 days, with
each side's readiness and the overdue items, and the ones that launched in the past week;
compiled into ``data.LaunchesSection``.

"Today" is the digest's end in its zone: an item due before it and still open is overdue.
Every query filters by ``team_id`` (``bot.launches.lookups``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot.digest.data import (
    LAUNCH_DAYS_AHEAD,
    LAUNCH_OVERDUE_SHOWN,
    LAUNCHES_SHOWN,
    LaunchesSection,
    LaunchLine,
    LaunchOverdue,
)
from bot.launches.data import LaunchView, PhaseView
from bot.launches.ids import LaunchKind, Side
from bot.launches.lookups import launch_view, launches_of
from bot.scheduling.cadence import zone

WEEK_DAYS = 7


def launch_line(view: LaunchView, phase: PhaseView, today: date) -> LaunchLine:
    overdue = view.overdue_items(today)
    return LaunchLine(
        launch_id=view.id,
        name=view.name,
        channel_id=view.channel_id,
        on=phase.launch_on,
        days=(phase.launch_on - today).days,
        phase=phase.name if view.kind is LaunchKind.STAGGERED else "",
        product=view.readiness(Side.PRODUCT, today),
        marketing=view.readiness(Side.MARKETING, today),
        overdue=tuple(LaunchOverdue(i.title, i.owner_id, i.due_on) for i in overdue[:LAUNCH_OVERDUE_SHOWN]),
        overdue_total=len(overdue),
        open_total=sum(1 for i in view.items if i.is_open),
    )


def compile_launches(session: Session, team_id: str, end: datetime, timezone: str = "UTC") -> LaunchesSection | None:
    """The "Launches" section as of ``end`` (its date in ``timezone``); None when there is none."""
    today = end.astimezone(zone(timezone)).date()
    horizon = today + timedelta(days=LAUNCH_DAYS_AHEAD)
    week_ago = today - timedelta(days=WEEK_DAYS)
    upcoming: list[LaunchLine] = []
    launched: list[LaunchLine] = []
    for launch in launches_of(session, team_id):
        view = launch_view(session, launch, with_goals=False)
        coming = next((p for p in view.phases if p.launch_on >= today and not p.shipped), None)
        if coming is not None and coming.launch_on <= horizon:
            upcoming.append(launch_line(view, coming, today))
        past = [p for p in view.phases if week_ago <= p.launch_on < today]
        if past:
            launched.append(launch_line(view, past[-1], today))
    if not upcoming and not launched:
        return None
    upcoming.sort(key=lambda line: (line.on, line.launch_id))
    launched.sort(key=lambda line: (line.on, line.launch_id), reverse=True)
    return LaunchesSection(
        upcoming=tuple(upcoming[:LAUNCHES_SHOWN]),
        upcoming_total=len(upcoming),
        launched=tuple(launched[:LAUNCHES_SHOWN]),
        launched_total=len(launched),
    )
