"""A launch's success metrics checked in on at T+7 and T+30 (after the last phase's date).

Each check-in is a round of the goal's own check-ins (``bot.goals.checkins``): the timers
(``JobKind.GOAL_CHECKIN``, ref_id = the ``launch_goals`` row, subject = a goal owner, at the
goal's check-in time in the owner's zone; ``timeline.replan``) call ``run_goal_checkin``, which
opens the goal's round of that local date (one round per goal and date, however many owners'
timers fire) and asks that owner once by DM. Once someone answers, the round is answered and the
other owners are not asked nor reminded.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.goals.checkins import Fetch, PromptRun, run_prompt
from bot.goals.pull import fetch_value
from bot.launches.ids import LaunchStatus
from bot.launches.lookups import get_launch
from bot.launches.models import LaunchGoal


def run_goal_checkin(
    session: Session,
    *,
    team_id: str,
    link_id: int,
    user_id: str,
    scheduled_for: datetime,
    tz: str,
    now: datetime,
    encryption_key: str | None = None,
    fetch: Fetch = fetch_value,
) -> PromptRun:
    """One owner's T+7/T+30 timer fired: the goal's round of their local date, and their DM."""
    link = session.scalar(select(LaunchGoal).where(LaunchGoal.team_id == team_id, LaunchGoal.id == link_id))
    if link is None:
        return PromptRun(None, why_not="no such success metric")
    launch = get_launch(session, team_id, link.launch_id)
    if launch is None or launch.status == LaunchStatus.CANCELLED:
        return PromptRun(None, why_not="launch cancelled")
    return run_prompt(
        session, team_id=team_id, goal_id=link.goal_id, user_id=user_id, scheduled_for=scheduled_for, tz=tz,
        now=now, encryption_key=encryption_key, fetch=fetch,
    )  # fmt: skip
