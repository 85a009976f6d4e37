"""App Home: what is waiting for one person, gathered from the database into ``data.HomeData``.

Database reads only (one session, passed in). Who the person is (zone, admin) comes from the
caller; publishing the view is ``bot.home.publish`` (the Slack side, above this module).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.digest import queries
from bot.digest.models import Digest
from bot.goals.ids import Status as GoalStatus
from bot.goals.lookups import goal_view, goals_of
from bot.home.data import (
    GOALS_LIMIT,
    LIST_LIMIT,
    UPCOMING_DAYS,
    ActionItem,
    AskItem,
    HomeData,
    HomeGoal,
    ManagedRitual,
    MyInsight,
    NextRitual,
    PendingStandup,
)
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
    return HomeData(
        goals=goals,
        goals_total=goals_total,
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
