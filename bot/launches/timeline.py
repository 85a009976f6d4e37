"""Every date of a launch plan as a timer: what fires when, in whose zone.

``replan`` (re)makes all of a launch's timers from its current state; the services call it after
anything that moves a date or changes who owns what (creating, editing, moving, reassigning,
re-dating, finishing or dropping an item, a decision, cancelling). Only instants still ahead are
scheduled: a timer whose moment has passed already fired (or was deliberately skipped).

Timers (``JobKind``; all ``Cadence.once`` at a local time, per person ones follow the person's
Slack zone as it changes):

- ``item_due``: each open task item, to its owner, at ``DAY_START`` on its due date;
- ``overdue``: each open task item, to each lead, at ``DAY_START`` on the working day after the
  first working day past its due date (it has then been overdue for a whole working day);
- ``go_no_go``: each phase without a decision, to each lead, at ``DAY_START`` the day before;
- ``launch_day``: each phase not yet shipped, at ``DAY_START`` on its date in the launch's zone;
- ``goal_checkin``: each success-metric goal, to each of its owners, at the goal's check-in time
  on the last phase's date + 7 and + 30 (``subject`` = the owner; the day is the schedule's date);
- ``retro_brief``: at ``DAY_START`` on the launch retro item's date, in the launch's zone.

Whether a person still gets something when a timer fires is decided by the job (the item may be
done by then); the timers only say when to look.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy.orm import Session

from bot.goals.lookups import get_goal
from bot.launches.data import DAY_START, Directory
from bot.launches.ids import ItemKind, ItemStatus, JobKind, LaunchStatus
from bot.launches.models import Launch, LaunchItem
from bot.scheduling.cadence import Cadence, local_to_utc, zone
from bot.scheduling.service import create_schedule, delete_schedules_for

# Items whose owner is asked on the due day (a go/no-go is asked of both leads by its own DM;
# the retro item is done when the retro opens).
DM_KINDS = frozenset({ItemKind.TASK, ItemKind.ANNOUNCEMENT, ItemKind.METRICS_CHECK})
GOAL_CHECKIN_DAYS = (7, 30)  # after the last phase's date


def person_zone(directory: Directory, user_id: str, fallback: str) -> str:
    user = directory.get_user(user_id)
    return user.tz if user is not None and user.tz else fallback


def next_working_day(day: date) -> date:
    """The first Monday-to-Friday date after ``day``."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def overdue_on(due_on: date) -> date:
    """The day an item due on ``due_on`` and still open has been overdue for a whole working day."""
    return next_working_day(next_working_day(due_on))


def _once(
    session: Session,
    launch: Launch,
    *,
    kind: JobKind,
    ref_id: int,
    day: date,
    at: time,
    timezone: str,
    subject: str,
    now: datetime,
) -> None:
    if local_to_utc(day, at, zone(timezone)) <= now:
        return
    create_schedule(
        session,
        team_id=launch.team_id,
        kind=kind,
        ref_id=ref_id,
        subject=subject,
        cadence=Cadence.once(day),
        local_time=at,
        timezone=timezone,
        starts_on=day,
        now=now,
        follow_user_timezone=bool(subject),
    )


def clear(session: Session, launch: Launch) -> None:
    """Every timer of the launch (its items, phases, goal links and itself)."""
    team = launch.team_id
    for item in launch.items:
        delete_schedules_for(session, team, JobKind.ITEM_DUE.value, item.id)
        delete_schedules_for(session, team, JobKind.OVERDUE.value, item.id)
    for phase in launch.phases:
        delete_schedules_for(session, team, JobKind.GO_NO_GO.value, phase.id)
        delete_schedules_for(session, team, JobKind.LAUNCH_DAY.value, phase.id)
    for link in launch.goal_links:
        delete_schedules_for(session, team, JobKind.GOAL_CHECKIN.value, link.id)
    delete_schedules_for(session, team, JobKind.RETRO_BRIEF.value, launch.id)


def _item_timers(session: Session, launch: Launch, item: LaunchItem, directory: Directory, now: datetime) -> None:
    if ItemKind(item.kind) not in DM_KINDS or item.status not in (ItemStatus.OPEN, ItemStatus.BLOCKED):
        return
    fallback = launch.timezone
    _once(
        session, launch, kind=JobKind.ITEM_DUE, ref_id=item.id, day=item.due_on, at=DAY_START,
        timezone=person_zone(directory, item.owner_id, fallback), subject=item.owner_id, now=now,
    )  # fmt: skip
    for lead in dict.fromkeys(launch.leads()):
        _once(
            session, launch, kind=JobKind.OVERDUE, ref_id=item.id, day=overdue_on(item.due_on), at=DAY_START,
            timezone=person_zone(directory, lead, fallback), subject=lead, now=now,
        )  # fmt: skip


def replan_item(session: Session, launch: Launch, item: LaunchItem, directory: Directory, now: datetime) -> None:
    """One item's timers after it changed (re-dated, reassigned, done, dropped, blocked)."""
    delete_schedules_for(session, launch.team_id, JobKind.ITEM_DUE.value, item.id)
    delete_schedules_for(session, launch.team_id, JobKind.OVERDUE.value, item.id)
    if launch.status != LaunchStatus.CANCELLED:
        _item_timers(session, launch, item, directory, now)


def replan(session: Session, launch: Launch, directory: Directory, now: datetime) -> None:
    """All of the launch's timers, made again from its current state (none once cancelled)."""
    clear(session, launch)
    if launch.status == LaunchStatus.CANCELLED:
        return
    fallback = launch.timezone
    for item in launch.items:
        _item_timers(session, launch, item, directory, now)
    for phase in launch.phases:
        if phase.shipped_at is not None:
            continue
        _once(
            session, launch, kind=JobKind.LAUNCH_DAY, ref_id=phase.id, day=phase.launch_on, at=DAY_START,
            timezone=launch.timezone, subject="", now=now,
        )  # fmt: skip
        if phase.decision is None:
            for lead in dict.fromkeys(launch.leads()):
                _once(
                    session, launch, kind=JobKind.GO_NO_GO, ref_id=phase.id,
                    day=phase.launch_on - timedelta(days=1), at=DAY_START,
                    timezone=person_zone(directory, lead, fallback), subject=lead, now=now,
                )  # fmt: skip
    last_on = launch.phases[-1].launch_on
    for link in launch.goal_links:
        goal = get_goal(session, launch.team_id, link.goal_id)
        if goal is None:
            continue
        for owner in dict.fromkeys(goal.owner_ids()):
            for days in GOAL_CHECKIN_DAYS:
                _once(
                    session, launch, kind=JobKind.GOAL_CHECKIN, ref_id=link.id, day=last_on + timedelta(days=days),
                    at=goal.local_time, timezone=person_zone(directory, owner, fallback), subject=owner, now=now,
                )  # fmt: skip
    retro = next((i for i in launch.items if i.kind == ItemKind.RETRO and i.status != ItemStatus.DROPPED), None)
    if retro is not None:
        _once(
            session, launch, kind=JobKind.RETRO_BRIEF, ref_id=launch.id, day=retro.due_on, at=DAY_START,
            timezone=launch.timezone, subject="", now=now,
        )  # fmt: skip
