"""App Home: what is waiting for one person, gathered from the database into ``data.HomeData``.

Database reads only (one session, passed in). Who the person is (zone, admin) comes from the
caller; publishing the view is ``bot.home.publish`` (the Slack side, above this module).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.digest import queries
from bot.digest.models import Digest
from bot.goals.ids import Status as GoalStatus
from bot.goals.lookups import goal_view, goals_of
from bot.home.data import (
    GOALS_LIMIT,
    LAUNCHES_LIMIT,
    LED_SHIPPED_DAYS,
    LIST_LIMIT,
    UPCOMING_DAYS,
    ActionItem,
    AskItem,
    HomeData,
    HomeGoal,
    LaunchItemLine,
    LedLaunch,
    ManagedRitual,
    MyInsight,
    NextRitual,
    PendingStandup,
)
from bot.launches.ids import ItemStatus, LaunchStatus
from bot.launches.ids import Side as LaunchSide
from bot.launches.lookups import launch_view, launches_of
from bot.launches.models import Launch, LaunchItem
from bot.launches.timeline import DM_KINDS
from bot.scheduling.service import next_occurrences
from bot.standup.daysoff import calendar_of


def home_data(session: Session, *, team_id: str, user_id: str, user_tz: str, is_admin: bool, now: datetime) -> HomeData:
    today = now.astimezone(ZoneInfo(user_tz)).date()
    standups = tuple(
        PendingStandup(int(i), str(name), closes)
        for i, name, closes in queries.pending_standups(session, team_id, user_id)
    )
    asks = tuple(
        AskItem(int(i), str(f), str(t), at, str(n))
        for i, f, t, at, n in queries.my_open_asks(session, team_id, user_id, LIST_LIMIT)
    )
    actions = tuple(
        ActionItem(int(i), str(t), due, str(series), due < today)
        for i, t, due, series in queries.my_open_actions(session, team_id, user_id, LIST_LIMIT)
    )
    insights = tuple(
        MyInsight(int(n), str(t), str(s), at)
        for n, t, s, at in queries.insights_of(session, team_id, user_id, LIST_LIMIT)
    )
    owned = [ManagedRitual(kind, ref, name) for kind, ref, name in queries.rituals_owned(session, team_id, user_id)]
    digests = session.query(Digest).filter(Digest.team_id == team_id).order_by(Digest.id).all()
    owned += [
        ManagedRitual("digest", d.id, f"Digest in <#{d.channel_id}>" + (" (paused)" if d.paused else ""))
        for d in digests
        if is_admin or d.owner_id == user_id
    ]
    goals, goals_total = _goals(session, team_id, user_id)
    launch_items, launch_items_total = _launch_items(session, team_id, user_id, today)
    return HomeData(
        goals=goals,
        goals_total=goals_total,
        launch_items=launch_items,
        launch_items_total=launch_items_total,
        launches_led=_launches_led(session, team_id, user_id, today),
        user_id=user_id,
        standups=standups,
        asks=asks,
        actions=actions,
        insights=insights,
        upcoming=_upcoming(session, team_id, user_id, now),
        can_manage=is_admin or bool(owned),
        managed=tuple(owned),
        holidays=_holidays(session, team_id, user_id, user_tz),
    )


def _holidays(session: Session, team_id: str, user_id: str, user_tz: str) -> str:
    calendar = calendar_of(session, team_id, user_id, user_tz)
    if calendar.chosen:
        return calendar.label
    if calendar.country:
        return f"{calendar.label}, from your time zone ({user_tz})"
    return (
        f"none yet: your time zone ({user_tz}) is shared by places with different public holidays, "
        "so there is no default. Pick yours."
    )


def _goals(session: Session, team_id: str, user_id: str) -> tuple[tuple[HomeGoal, ...], int]:
    """The workspace's active goals, the person's own first (then oldest first), capped."""
    active = goals_of(session, team_id, (GoalStatus.ACTIVE,))
    ordered = sorted(active, key=lambda g: (user_id not in g.owner_ids(), g.id))
    shown = tuple(HomeGoal(goal_view(session, g), user_id in g.owner_ids()) for g in ordered[:GOALS_LIMIT])
    return shown, len(active)


def _upcoming(session: Session, team_id: str, user_id: str, now: datetime) -> tuple[NextRitual, ...]:
    """The next run of each stand-up this person is in, and of each retro, within a week."""
    mine = {str(i) for i in queries.standups_of(session, team_id, user_id)}
    first: dict[tuple[str, str], datetime] = {}
    end = now + timedelta(days=UPCOMING_DAYS)
    for upcoming in next_occurrences(
        session, team_id, start=now, end=end, kind_prefix="standup.prompt", include_per_subject=True
    ):
        if upcoming.ref_id in mine and upcoming.subject in ("", user_id):
            first.setdefault(("standup", upcoming.ref_id), upcoming.at)
    for upcoming in next_occurrences(session, team_id, start=now, end=end, kind_prefix="retro.open"):
        first.setdefault(("retro", upcoming.ref_id), upcoming.at)
    ids: dict[str, list[int]] = defaultdict(list)
    for kind, ref in first:
        if ref.isdigit():
            ids[kind].append(int(ref))
    names = {
        "standup": queries.standup_names(session, team_id, ids["standup"]),
        "retro": queries.retro_series_titles(session, team_id, ids["retro"]),
    }
    found = [
        NextRitual(kind, names[kind][int(ref)], at)
        for (kind, ref), at in first.items()
        if ref.isdigit() and int(ref) in names[kind]
    ]
    return tuple(sorted(found, key=lambda r: (r.at, r.name)))


def _launch_items(session: Session, team_id: str, user_id: str, today: date) -> tuple[tuple[LaunchItemLine, ...], int]:
    """The open checklist items this person owns (the ones an owner marks done), soonest first,
    of launches still on (planned or shipped), capped; and how many there are."""
    query = (
        select(LaunchItem, Launch.name, Launch.channel_id)
        .join(Launch, Launch.id == LaunchItem.launch_id)
        .where(
            LaunchItem.team_id == team_id,
            Launch.team_id == team_id,
            LaunchItem.owner_id == user_id,
            LaunchItem.status.in_([ItemStatus.OPEN.value, ItemStatus.BLOCKED.value]),
            LaunchItem.kind.in_([k.value for k in DM_KINDS]),
            Launch.status != LaunchStatus.CANCELLED.value,
        )
        .order_by(LaunchItem.due_on, LaunchItem.id)
    )
    rows = session.execute(query).all()
    lines = tuple(
        LaunchItemLine(
            item_id=item.id,
            title=item.title,
            launch_name=name,
            channel_id=channel_id,
            due_on=item.due_on,
            overdue=item.due_on < today,
            blocked_reason=item.blocked_reason,
            blocked=item.status == ItemStatus.BLOCKED.value,
        )
        for item, name, channel_id in rows[:LIST_LIMIT]
    )
    return lines, len(rows)


def _launches_led(session: Session, team_id: str, user_id: str, today: date) -> tuple[LedLaunch, ...]:
    """Launches this person leads: planned ones, and shipped ones for a while after."""
    led: list[LedLaunch] = []
    for launch in launches_of(session, team_id):
        if user_id not in launch.leads():
            continue
        view = launch_view(session, launch, with_goals=False)
        shipped = view.status is LaunchStatus.SHIPPED
        if shipped and (today - view.last_on).days > LED_SHIPPED_DAYS:
            continue
        coming = next((p for p in view.phases if p.launch_on >= today and not p.shipped), view.phases[-1])
        led.append(
            LedLaunch(
                launch_id=view.id,
                name=view.name,
                channel_id=view.channel_id,
                next_on=coming.launch_on,
                side="Product" if user_id == view.product_lead else "Marketing",
                product=view.readiness(LaunchSide.PRODUCT, today),
                marketing=view.readiness(LaunchSide.MARKETING, today),
                shipped=shipped,
            )
        )
    return tuple(led[:LAUNCHES_LIMIT])
