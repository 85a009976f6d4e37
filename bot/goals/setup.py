"""Creating a goal: the row, its owners, one check-in schedule per owner in their own zone, and
its message in the channel. ``schedule_checkins`` is also what edit, pause and resume call.

Services never hold a Slack client: who the owners are (their zones) comes through ``Directory``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.goals import outbox
from bot.goals.data import Directory, GoalClosed, GoalError, GoalInput, NotGoalOwner, problems
from bot.goals.ids import CheckinCadence, Direction, JobKind, Kind, Side, Status, Unit
from bot.goals.lookups import require_goal
from bot.goals.models import Goal, GoalCheckin, GoalOwner, GoalPrompt, GoalRound, GoalValue
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


# --- managing a goal: edit, pause, resume, delete ------------------------------------------------


def can_manage(goal: Goal, user_id: str, directory: Directory) -> bool:
    """Owners, whoever created the goal, and workspace admins (asked of Slack only if needed)."""
    if user_id == goal.created_by or user_id in goal.owner_ids():
        return True
    user = directory.get_user(user_id)
    return user is not None and user.is_admin


def managed_goal(
    session: Session, directory: Directory, *, team_id: str, goal_id: int, user_id: str, action: str = "change"
) -> Goal:
    """The goal, locked for the change, if ``user_id`` may manage it (else ``NotGoalOwner``)."""
    goal = require_goal(session, team_id, goal_id, for_update=True)
    if not can_manage(goal, user_id, directory):
        raise NotGoalOwner(action)
    return goal


def open_goal(
    session: Session, directory: Directory, *, team_id: str, goal_id: int, user_id: str, action: str = "change"
) -> Goal:
    """Like ``managed_goal``, for changes a closed goal no longer takes."""
    goal = managed_goal(session, directory, team_id=team_id, goal_id=goal_id, user_id=user_id, action=action)
    if goal.status == Status.CLOSED:
        raise GoalClosed()
    return goal


def goal_input(goal: Goal) -> GoalInput:
    """The goal as the edit modal shows it."""
    return GoalInput(
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
        product_owners=tuple(goal.owner_ids(Side.PRODUCT)),
        marketing_owners=tuple(goal.owner_ids(Side.MARKETING)),
        visibility_only=goal.visibility_only,
        channel_id=goal.channel_id,
        cadence=CheckinCadence(goal.cadence),
        weekday=goal.weekday,
        local_time=goal.local_time,
    )


def edit_form(session: Session, directory: Directory, *, team_id: str, goal_id: int, user_id: str) -> GoalInput:
    """What ``/goal edit <id>`` pre-fills, if ``user_id`` may edit it."""
    return goal_input(open_goal(session, directory, team_id=team_id, goal_id=goal_id, user_id=user_id, action="edit"))


def update_goal(
    session: Session,
    *,
    team_id: str,
    goal_id: int,
    data: GoalInput,
    user_id: str,
    today: date,
    now: datetime,
    directory: Directory,
    fallback_tz: str,
) -> Goal:
    """Save an edited goal (all or nothing): the same checks as a new one, except that a due date
    that has passed since may stay. The channel stays the goal's (its message and thread live
    there). Check-ins are re-scheduled and the channel message updated in place."""
    goal = open_goal(session, directory, team_id=team_id, goal_id=goal_id, user_id=user_id, action="edit")
    data = replace(data, channel_id=goal.channel_id)
    found = problems(data, today=today, editing=True)
    if found:
        block, message = next(iter(found.items()))
        raise GoalError(message, block_id=block)
    apply_input(goal, data)
    goal.updated_at = now
    session.flush()
    schedule_checkins(session, goal, directory, now=now, fallback_tz=fallback_tz)
    outbox.update_goal_message(session, goal, now)
    return goal


def set_paused(
    session: Session,
    *,
    team_id: str,
    goal_id: int,
    user_id: str,
    paused: bool,
    now: datetime,
    directory: Directory,
    fallback_tz: str,
) -> Goal:
    """Pause (no check-in schedules) or resume (schedules made again from the next date, no
    catch-up) a goal; its channel message shows it. Doing it twice changes nothing more."""
    goal = open_goal(session, directory, team_id=team_id, goal_id=goal_id, user_id=user_id, action="pause or resume")
    wanted = Status.PAUSED if paused else Status.ACTIVE
    if goal.status == wanted:
        return goal
    goal.status = wanted.value
    goal.updated_at = now
    session.flush()
    schedule_checkins(session, goal, directory, now=now, fallback_tz=fallback_tz)
    if paused:
        drop_round_timers(session, goal)
    outbox.update_goal_message(session, goal, now)
    return goal


def drop_round_timers(session: Session, goal: Goal) -> None:
    """The reminder and miss timers of the goal's rounds (ref_id = round id)."""
    round_ids = session.scalars(
        select(GoalRound.id).where(GoalRound.team_id == goal.team_id, GoalRound.goal_id == goal.id)
    ).all()
    for round_id in round_ids:
        delete_schedules_for(session, goal.team_id, JobKind.REMIND.value, round_id)
        delete_schedules_for(session, goal.team_id, JobKind.MISS.value, round_id)


def delete_goal(
    session: Session, *, team_id: str, goal_id: int, user_id: str, now: datetime, directory: Directory
) -> str:
    """Remove a goal with its owners, values, rounds, prompts, check-ins and schedules; its channel
    message says who deleted it. Returns the goal's title."""
    goal = managed_goal(session, directory, team_id=team_id, goal_id=goal_id, user_id=user_id, action="delete")
    title = goal.title
    delete_schedules_for(session, team_id, JobKind.PROMPT.value, goal.id)
    drop_round_timers(session, goal)
    outbox.post_deleted(session, goal, user_id, now)
    round_ids = select(GoalRound.id).where(GoalRound.team_id == team_id, GoalRound.goal_id == goal.id)
    session.execute(delete(GoalPrompt).where(GoalPrompt.team_id == team_id, GoalPrompt.round_id.in_(round_ids)))
    for model in (GoalCheckin, GoalRound, GoalValue):
        session.execute(delete(model).where(model.team_id == team_id, model.goal_id == goal.id))
    session.delete(goal)  # its owners go with it (the relationship's cascade)
    session.flush()
    return title
