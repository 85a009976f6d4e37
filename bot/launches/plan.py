"""Making a launch plan: the launch, its phases, its success-metric goals, the checklist from
the template of its kind, and its message in the channel.

Services never hold a Slack client: who people are comes through ``Directory``.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import insert_ignore_key
from bot.goals.lookups import get_goal, goals_of
from bot.launches import outbox, retro_link, timeline
from bot.launches.data import (
    Block,
    Directory,
    LaunchCancelled,
    LaunchError,
    LaunchInput,
    LaunchView,
    NotLaunchLead,
    PhaseInput,
    plan_items,
    problems,
)
from bot.launches.ids import ItemStatus, LaunchKind, LaunchStatus, Side
from bot.launches.lookups import launch_view, launches_of, require_launch
from bot.launches.models import Launch, LaunchGoal, LaunchItem, LaunchNotice, LaunchPhase
from bot.slack.text import clean_text


def apply_input(launch: Launch, data: LaunchInput) -> None:
    """Copy what the modal holds onto the row (cleaned: control characters out, ends stripped)."""
    launch.name = clean_text(data.name)
    launch.what = clean_text(data.what)
    launch.kind = data.kind.value
    launch.product_lead = data.product_lead
    launch.marketing_lead = data.marketing_lead
    launch.channel_id = data.channel_id


def link_goals(session: Session, launch: Launch, goal_ids: tuple[int, ...]) -> None:
    """The launch's success metrics: only this workspace's goals (ids are input), each once."""
    wanted: list[int] = []
    for goal_id in goal_ids:
        if goal_id in wanted:
            continue
        if get_goal(session, launch.team_id, goal_id) is None:
            raise LaunchError("One of the picked goals no longer exists: pick again.", block_id=Block.GOALS)
        wanted.append(goal_id)
    by_goal = {link.goal_id: link for link in launch.goal_links}
    launch.goal_links = [by_goal.get(g) or LaunchGoal(team_id=launch.team_id, goal_id=g) for g in wanted]


def create_launch(
    session: Session,
    *,
    team_id: str,
    data: LaunchInput,
    created_by: str,
    today: date,
    now: datetime,
    directory: Directory,
    creator_tz: str,
    view_id: str | None = None,
    external_confirmed: bool = False,
) -> Launch:
    """Save a new launch with its phases and checklist (all or nothing), make its timers
    (``timeline.replan``) and post its message.

    ``today``: the creator's local date (dates are checked against it). A second submission of
    the same modal (``view_id``) returns the first launch.
    """
    if view_id:
        existing = session.scalar(select(Launch).where(Launch.team_id == team_id, Launch.create_view_id == view_id))
        if existing is not None:
            return existing
    found = problems(data, today=today)
    if found:
        block, message = next(iter(found.items()))
        raise LaunchError(message, block_id=block)
    launch = Launch(
        team_id=team_id,
        status=LaunchStatus.PLANNED.value,
        version=0,
        timezone=creator_tz,
        created_by=created_by,
        create_view_id=view_id,
        created_at=now,
        updated_at=now,
    )
    if external_confirmed:
        launch.external_confirmed_by = created_by
        launch.external_confirmed_at = now
    apply_input(launch, data)
    launch.phases = [
        LaunchPhase(
            team_id=team_id,
            position=index,
            name=clean_text(phase.name),
            audience=clean_text(phase.audience),
            launch_on=phase.launch_on,
            decision_reason="",
        )
        for index, phase in enumerate(data.phases)
    ]
    session.add(launch)
    link_goals(session, launch, data.goal_ids)
    session.flush()
    for planned in plan_items(data):
        session.add(
            LaunchItem(
                team_id=team_id,
                launch_id=launch.id,
                phase_id=launch.phases[planned.phase_index].id,
                template_key=planned.key,
                kind=planned.kind.value,
                title=planned.title,
                side=planned.side.value,
                owner_id=planned.owner_id,
                offset_days=planned.offset,
                due_on=planned.due_on,
                status=ItemStatus.OPEN.value,
                blocked_reason="",
                was_late=False,
                created_at=now,
                updated_at=now,
            )
        )
    session.flush()
    session.refresh(launch, ["items"])
    retro_link.schedule_retro(session, launch, now)
    timeline.replan(session, launch, directory, now)
    outbox.post_launch_message(session, launch, now)
    return launch


# --- managing a launch: who may, edit, cancel ----------------------------------------------------


def can_manage(launch: Launch, user_id: str, directory: Directory) -> bool:
    """The two leads, whoever created the launch, and workspace admins (asked of Slack only if needed)."""
    if user_id == launch.created_by or user_id in launch.leads():
        return True
    user = directory.get_user(user_id)
    return user is not None and user.is_admin


def managed_launch(
    session: Session, directory: Directory, *, team_id: str, launch_id: int, user_id: str, action: str = "change"
) -> Launch:
    """The launch, locked for the change, if ``user_id`` may manage it and it still takes changes."""
    launch = require_launch(session, team_id, launch_id, for_update=True)
    if not can_manage(launch, user_id, directory):
        raise NotLaunchLead(action)
    if launch.status == LaunchStatus.CANCELLED:
        raise LaunchCancelled()
    return launch


def launch_input(launch: Launch) -> LaunchInput:
    """The launch as the edit modal shows it."""
    return LaunchInput(
        name=launch.name,
        what=launch.what,
        kind=LaunchKind(launch.kind),
        phases=tuple(PhaseInput(p.name, p.launch_on, p.audience) for p in launch.phases),
        product_lead=launch.product_lead,
        marketing_lead=launch.marketing_lead,
        channel_id=launch.channel_id,
        goal_ids=tuple(link.goal_id for link in launch.goal_links),
    )


def edit_form(session: Session, directory: Directory, *, team_id: str, launch_id: int, user_id: str) -> LaunchInput:
    return launch_input(managed_launch(session, directory, team_id=team_id, launch_id=launch_id, user_id=user_id))


def _hand_over(launch: Launch, old: str, new: str, sides: tuple[Side, ...], now: datetime) -> None:
    """A lead changed: the open items the old lead held for that side go to the new one."""
    if old == new:
        return
    for item in launch.items:
        if item.owner_id == old and Side(item.side) in sides and item.status in (ItemStatus.OPEN, ItemStatus.BLOCKED):
            item.owner_id = new
            item.updated_at = now


def edit_launch(
    session: Session,
    *,
    team_id: str,
    launch_id: int,
    data: LaunchInput,
    user_id: str,
    today: date,
    now: datetime,
    directory: Directory,
) -> Launch:
    """Save the edit modal: name, what, leads, phase names and audiences, success metrics. The
    kind, channel and dates stay (``/launch move`` moves dates); items the old lead of a side held
    go to the new one; every timer is made again and the message shows the change."""
    launch = managed_launch(session, directory, team_id=team_id, launch_id=launch_id, user_id=user_id)
    names = list(data.phases) if LaunchKind(launch.kind) is LaunchKind.STAGGERED else []
    effective = LaunchInput(
        name=data.name,
        what=data.what,
        kind=LaunchKind(launch.kind),
        phases=tuple(
            PhaseInput(
                names[i].name if i < len(names) else p.name,
                p.launch_on,
                names[i].audience if i < len(names) else p.audience,
            )
            for i, p in enumerate(launch.phases)
        ),
        product_lead=data.product_lead,
        marketing_lead=data.marketing_lead,
        channel_id=launch.channel_id,
        goal_ids=data.goal_ids,
    )
    found = problems(effective, today=today, editing=True)
    if found:
        block, message = next(iter(found.items()))
        raise LaunchError(message, block_id=block)
    timeline.clear(session, launch)  # before the goal links change: their check-in timers go too
    _hand_over(launch, launch.product_lead, effective.product_lead, (Side.PRODUCT, Side.BOTH), now)
    _hand_over(launch, launch.marketing_lead, effective.marketing_lead, (Side.MARKETING,), now)
    launch.name = clean_text(effective.name)
    launch.what = clean_text(effective.what)
    launch.product_lead = effective.product_lead
    launch.marketing_lead = effective.marketing_lead
    for phase, typed in zip(launch.phases, effective.phases, strict=True):
        phase.name = clean_text(typed.name)
        phase.audience = clean_text(typed.audience)
    link_goals(session, launch, effective.goal_ids)
    launch.updated_at = now
    session.flush()
    timeline.replan(session, launch, directory, now)
    retro_link.move_retro(session, launch, now)  # its facilitator follows the product lead
    outbox.update_launch_message(session, launch, now)
    return launch


def cancel_launch(
    session: Session, *, team_id: str, launch_id: int, user_id: str, now: datetime, directory: Directory
) -> Launch:
    """Cancel a launch: every timer stops, its message says it was cancelled, and each lead (but
    the one who cancelled it) gets one DM (a ``LaunchNotice`` per lead: never twice)."""
    launch = managed_launch(session, directory, team_id=team_id, launch_id=launch_id, user_id=user_id, action="cancel")
    launch.status = LaunchStatus.CANCELLED.value
    launch.cancelled_by = user_id
    launch.cancelled_at = now
    launch.updated_at = now
    session.flush()
    timeline.replan(session, launch, directory, now)
    retro_link.cancel_retro(session, launch, now)  # its retro never opens
    outbox.update_launch_message(session, launch, now)
    for lead in dict.fromkeys(launch.leads()):
        if lead == user_id:
            continue
        key = f"cancelled:{launch.id}:{lead}"
        values = {"team_id": team_id, "launch_id": launch.id, "key": key, "user_id": lead}
        values |= {"channel_id": "", "created_at": now}
        if insert_ignore_key(session, LaunchNotice, values, ["team_id", "key"]) is not None:
            outbox.tell_cancelled(session, launch, lead, key, now)
    return launch


# --- what the modal and /launch list show ---------------------------------------------------------


def goal_choices(session: Session, team_id: str) -> list[tuple[int, str]]:
    """The workspace's open shared goals, to pick as success metrics: (id, title)."""
    return [(goal.id, goal.title) for goal in goals_of(session, team_id)]


def picked_goals(session: Session, team_id: str, goal_ids: list[int]) -> list[tuple[int, str]]:
    """The goals made from the launch modal (ids come back through the client: looked up again)."""
    found = (get_goal(session, team_id, goal_id) for goal_id in dict.fromkeys(goal_ids))
    return [(goal.id, goal.title) for goal in found if goal is not None]


def listed_launches(session: Session, team_id: str) -> list[LaunchView]:
    """``/launch list``: the planned and shipped launches, soonest first."""
    return [launch_view(session, launch, with_goals=False) for launch in launches_of(session, team_id)]
