"""App Home: what is waiting for one person, gathered into plain data, and ``refresh_home``.

Other features call ``refresh_home(services, team_id, user_id)`` after a change that affects
what someone's Home shows (an ask addressed to them, an action item they own, an insight's
status). It opens its own unit of work, so call it after yours has committed.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.digest import queries
from bot.digest.models import Digest
from bot.scheduling.service import next_occurrences
from bot.services import Services
from bot.slack.users import UserNotFound, get_user

log = logging.getLogger(__name__)

LIST_LIMIT = 15  # per list; the view caps the whole Home at Slack's 100 blocks
UPCOMING_DAYS = 7


@dataclass(frozen=True)
class PendingStandup:
    occurrence_id: int
    name: str
    closes_at: datetime


@dataclass(frozen=True)
class AskItem:
    ask_id: int
    from_user: str
    text: str
    at: datetime
    standup: str


@dataclass(frozen=True)
class ActionItem:
    action_id: int
    text: str
    due_on: date
    series: str
    overdue: bool


@dataclass(frozen=True)
class MyInsight:
    number: int
    text: str
    status: str
    updated_at: datetime


@dataclass(frozen=True)
class NextRitual:
    kind: str  # "standup" | "retro"
    name: str
    at: datetime


@dataclass(frozen=True)
class ManagedRitual:
    kind: str  # "standup" | "retro" | "digest"
    ref_id: int
    name: str


@dataclass(frozen=True)
class HomeData:
    user_id: str
    standups: tuple[PendingStandup, ...]
    asks: tuple[AskItem, ...]
    actions: tuple[ActionItem, ...]
    insights: tuple[MyInsight, ...]
    upcoming: tuple[NextRitual, ...]
    can_manage: bool  # workspace admin or owner of some ritual: sees set-up and edit buttons
    managed: tuple[ManagedRitual, ...]


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
    return HomeData(
        user_id=user_id,
        standups=standups,
        asks=asks,
        actions=actions,
        insights=insights,
        upcoming=_upcoming(session, team_id, user_id, now),
        can_manage=is_admin or bool(owned),
        managed=tuple(owned),
    )


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


def _person(client: WebClient, team_id: str, user_id: str) -> tuple[str, bool]:
    try:
        user = get_user(client, team_id, user_id)
    except UserNotFound:
        return "UTC", False
    return user.tz or "UTC", user.is_admin


def publish_home(services: Services, client: WebClient, team_id: str, user_id: str) -> None:
    """Build this person's Home and publish it (``app_home_opened`` and after their clicks)."""
    from bot.home.views import build_home_view

    tz, is_admin = _person(client, team_id, user_id)
    with services.db.unit_of_work() as session:
        data = home_data(session, team_id=team_id, user_id=user_id, user_tz=tz, is_admin=is_admin, now=services.clock())
    client.views_publish(user_id=user_id, view=build_home_view(data))


def refresh_homes(services: Services, team_id: str, *user_ids: str | None) -> None:
    """``refresh_home`` for each distinct person named (empty ids are skipped)."""
    for user_id in dict.fromkeys(u for u in user_ids if u):
        refresh_home(services, team_id, user_id)


def refresh_home(services: Services, team_id: str, user_id: str) -> bool:
    """Re-publish ``user_id``'s Home after a change that affects it; False if Slack refused.

    A refresh is a courtesy (the Home is rebuilt whenever it is opened), so a Slack error is
    logged and reported, never raised into the caller's flow.
    """
    try:
        publish_home(services, services.slack.for_team(team_id), team_id, user_id)
    except SlackApiError as error:
        log.warning("could not refresh the App Home of %s: %s", user_id, error.response.get("error"))
        return False
    return True
