"""Creating a goal: the row, its owners, one check-in schedule per owner in their own zone, and
its message in the channel. ``schedule_checkins`` is also what edit, pause and resume call.

Services never hold a Slack client: who the owners are (their zones) comes through ``Directory``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.goals import outbox
from bot.goals.data import Directory, GoalError, GoalInput, problems
from bot.goals.ids import CheckinCadence, JobKind, Side, Status
from bot.goals.models import Goal, GoalOwner
from bot.scheduling.cadence import Cadence
from bot.scheduling.service import create_schedule, delete_schedules_for
from bot.slack.text import clean_text

# Every check-in schedule's kind starts with this (``delete_schedules_for`` takes a prefix).
KIND_PREFIX = "goals."


def cadence_for(cadence: CheckinCadence, weekday: int) -> Cadence:
    if cadence is CheckinCadence.WEEKLY:
        return Cadence.weekly(weekday)
    if cadence is CheckinCadence.BIWEEKLY:
        return Cadence.every_n_weeks(2, weekday)
    return Cadence.monthly(1, weekday)


def owner_zone(directory: Directory, user_id: str, fallback: str) -> str:
    user = directory.get_user(user_id)
    return user.tz if user is not None and user.tz else fallback


def schedule_checkins(session: Session, goal: Goal, directory: Directory, *, now: datetime, fallback_tz: str) -> None:
    """(Re)make the goal's check-in schedules: one per owner at the goal's weekday and time in
    that owner's Slack zone (kept current as their zone changes). Paused and closed goals have none."""
    delete_schedules_for(session, goal.team_id, JobKind.PROMPT.value, goal.id)
    if goal.status != Status.ACTIVE:
        return
    cadence = cadence_for(CheckinCadence(goal.cadence), goal.weekday)
    for owner in goal.owners:
        create_schedule(
            session,
            team_id=goal.team_id,
            kind=JobKind.PROMPT,
            ref_id=goal.id,
            subject=owner.user_id,
            cadence=cadence,
            local_time=goal.local_time,
            timezone=owner_zone(directory, owner.user_id, fallback_tz),
            starts_on=goal.starts_on,
            now=now,
            follow_user_timezone=True,
        )


def set_owners(goal: Goal, data: GoalInput) -> None:
    wanted = [(uid, Side.PRODUCT) for uid in data.product_owners] + [
        (uid, Side.MARKETING) for uid in data.marketing_owners
    ]
    by_user = {owner.user_id: owner for owner in goal.owners}
    keep = []
    for user_id, side in wanted:
        owner = by_user.get(user_id) or GoalOwner(team_id=goal.team_id, user_id=user_id, side=side.value)
        owner.side = side.value
        keep.append(owner)
    goal.owners = keep


def apply_input(goal: Goal, data: GoalInput) -> None:
    """Copy what the modal holds onto the row (cleaned: control characters out, ends stripped)."""
    goal.title = clean_text(data.title)
    goal.why = clean_text(data.why)
    goal.kind = data.kind.value
    goal.metric_name = clean_text(data.metric_name)
    goal.unit = data.unit.value
    goal.unit_label = clean_text(data.unit_label)
    goal.direction = data.direction.value
    goal.baseline = data.baseline
    goal.target = data.target
    goal.due_on = data.due_on
    goal.range_low = data.range_low
    goal.range_high = data.range_high
    goal.visibility_only = data.visibility_only
    goal.channel_id = data.channel_id
    goal.cadence = data.cadence.value
    goal.weekday = data.weekday
    goal.local_time = data.local_time.replace(second=0, microsecond=0, tzinfo=None)
    set_owners(goal, data)


def create_goal(
    session: Session,
    *,
    team_id: str,
    data: GoalInput,
    created_by: str,
    today: date,
    now: datetime,
    directory: Directory,
    creator_tz: str,
    view_id: str | None = None,
    external_confirmed: bool = False,
) -> Goal:
    """Save a new goal (all or nothing), schedule its check-ins and post its channel message.

    ``today``: the creator's local date (due dates are checked against it). A second submission
    of the same modal (``view_id``) returns the first goal.
    """
    if view_id:
        existing = session.scalar(select(Goal).where(Goal.team_id == team_id, Goal.create_view_id == view_id))
        if existing is not None:
            return existing
    found = problems(data, today=today)
    if found:
        block, message = next(iter(found.items()))
        raise GoalError(message, block_id=block)
    goal = Goal(
        team_id=team_id,
        status=Status.ACTIVE.value,
        version=0,
        starts_on=today,
        created_by=created_by,
        create_view_id=view_id,
        created_at=now,
        updated_at=now,
    )
    if external_confirmed:
        goal.external_confirmed_by = created_by
        goal.external_confirmed_at = now
    apply_input(goal, data)
    session.add(goal)
    session.flush()
    schedule_checkins(session, goal, directory, now=now, fallback_tz=creator_tz)
    outbox.post_goal_message(session, goal, now)
    return goal
