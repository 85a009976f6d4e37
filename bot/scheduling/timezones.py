"""Keep per-participant schedules on their owner's current Slack time zone.

Schedules created with ``follow_user_timezone=True`` carry a participant's ``tz``. People travel
and move: ``refresh_user_timezones`` re-reads ``users.info`` for schedules not checked within
``max_age`` (one call per person, however many schedules they have) and moves their schedules
with ``set_schedule_timezone``. ``tandem run`` calls it every few hours; ``tandem tick`` callers
(cron deployments) can call it from their own cron line.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from sqlalchemy import or_, select

from bot.scheduling.models import Schedule, TimezoneSource
from bot.scheduling.service import set_schedule_timezone
from bot.services import Services
from bot.slack.clients import WorkspaceNotInstalled

log = logging.getLogger(__name__)


def user_timezone(services: Services, team_id: str, user_id: str) -> str | None:
    """The user's IANA ``tz`` from users.info, or None when Slack cannot tell."""
    try:
        response = services.slack.for_team(team_id).users_info(user=user_id)
    except (SlackApiError, WorkspaceNotInstalled) as error:
        log.info("users.info %s/%s failed: %s", team_id, user_id, type(error).__name__)
        return None
    user = response.get("user") or {}
    tz = user.get("tz") if isinstance(user, dict) else None
    return tz if isinstance(tz, str) and tz else None


def refresh_user_timezones(
    services: Services,
    now: datetime,
    *,
    team_id: str | None = None,
    max_age: timedelta = timedelta(hours=12),
    max_users: int = 500,
) -> int:
    """Re-read the Slack ``tz`` of (at most ``max_users``) people whose schedules follow it.

    Returns how many schedules moved to another zone.
    """
    stale_before = now - max_age
    with services.db.unit_of_work() as session:
        query = select(Schedule.team_id, Schedule.subject).where(
            Schedule.timezone_source == TimezoneSource.USER.value,
            Schedule.subject != "",
            or_(Schedule.timezone_checked_at.is_(None), Schedule.timezone_checked_at < stale_before),
        )
        if team_id is not None:
            query = query.where(Schedule.team_id == team_id)
        people = sorted(set(session.execute(query).tuples()))[:max_users]
    zones: dict[tuple[str, str], str | None] = {}
    for team, user in people:
        zones[(team, user)] = user_timezone(services, team, user)
    moved = 0
    by_team: dict[str, list[str]] = defaultdict(list)
    for team, user in people:
        by_team[team].append(user)
    with services.db.unit_of_work() as session:
        for team, users in by_team.items():
            schedules = session.scalars(
                select(Schedule).where(
                    Schedule.team_id == team,
                    Schedule.subject.in_(users),
                    Schedule.timezone_source == TimezoneSource.USER.value,
                )
            )
            for schedule in schedules:
                tz = zones.get((team, schedule.subject))
                if tz is None:
                    schedule.timezone_checked_at = now
                    continue
                if set_schedule_timezone(session, schedule, tz, now=now):
                    moved += 1
    return moved
