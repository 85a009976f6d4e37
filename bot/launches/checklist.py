"""Changing the checklist: an item done, blocked (with a reason), re-dated, reassigned, dropped,
or a new item added. Each change re-plans the item's timers (``timeline.replan_item``), shows in
the launch's channel message (``outbox.update_launch_message``) and in every DM sent about the
item (``checklist_outbox.update_item_dms``).

Who may change an item: its owner, the launch's two leads, whoever created the launch and
workspace admins (asked of the ``Directory`` only when nothing else lets them). A cancelled launch
takes no changes. Ids are looked up within the workspace: another workspace's id is "not found".

Items stay relative: a new due date changes the item's offset from its phase too, so a later move
of the phase moves the item with it. Done or re-dated after the due date passed (in the launch's
zone) marks the item late, for the launch retro.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.launches import checklist_outbox, outbox, timeline
from bot.launches.checklist_data import (
    ChangeKind,
    ItemChange,
    ItemDone,
    ItemDropped,
    NewItem,
    NotAllowedOnItem,
    date_problem,
    new_item_problems,
    phase_index_for,
)
from bot.launches.data import Directory, ItemView, LaunchCancelled, LaunchError, LaunchView
from bot.launches.ids import Block, ItemKind, ItemStatus, LaunchStatus
from bot.launches.lookups import item_view, launch_view, require_item, require_launch
from bot.launches.models import Launch, LaunchItem
from bot.slack.text import clean_text

OPEN = (ItemStatus.OPEN.value, ItemStatus.BLOCKED.value)


def may_change(directory: Directory, launch: Launch, user_id: str, owner_id: str = "") -> bool:
    """The item's owner, a lead, the launch's creator, or a workspace admin."""
    if user_id in (owner_id, launch.product_lead, launch.marketing_lead, launch.created_by):
        return True
    person = directory.get_user(user_id)
    return person is not None and person.is_admin


def _launch_for_change(session: Session, team_id: str, launch_id: int) -> Launch:
    # The launch row locked: two clicks on one plan change it one after the other.
    launch = require_launch(session, team_id, launch_id, for_update=True)
    if launch.status == LaunchStatus.CANCELLED:
        raise LaunchCancelled()
    return launch


def item_for_change(
    session: Session, directory: Directory, *, team_id: str, user_id: str, item_id: int
) -> tuple[Launch, LaunchItem]:
    """The item (and its launch) ``user_id`` may change now; a ``LaunchError`` saying why not."""
    item = require_item(session, team_id, item_id)
    launch = _launch_for_change(session, team_id, item.launch_id)
    session.refresh(item)  # as it is now that the plan is ours (a double click waited for the first)
    if not may_change(directory, launch, user_id, item.owner_id):
        raise NotAllowedOnItem()
    if item.status == ItemStatus.DROPPED:
        raise ItemDropped()
    return launch, item


def checklist(session: Session, *, team_id: str, launch_id: int) -> LaunchView:
    """The launch as the checklist modal shows it (anyone in the workspace may look)."""
    return launch_view(session, require_launch(session, team_id, launch_id), with_goals=False)


def launch_for_add(session: Session, directory: Directory, *, team_id: str, user_id: str, launch_id: int) -> LaunchView:
    """Before the "Add item" modal opens: the launch, or why this person cannot add to it."""
    launch = _launch_for_change(session, team_id, launch_id)
    if not may_change(directory, launch, user_id):
        raise NotAllowedOnItem()
    return launch_view(session, launch, with_goals=False)


def _today(launch: Launch, now: datetime) -> date:
    return outbox.local_today(launch, now)


def _changed(
    session: Session, launch: Launch, item: LaunchItem, directory: Directory, change: ItemChange, now: datetime
) -> ItemChange:
    item.updated_at = now
    launch.updated_at = now
    session.flush()
    timeline.replan_item(session, launch, item, directory, now)
    outbox.update_launch_message(session, launch, now)
    checklist_outbox.update_item_dms(session, launch, item, change, now)
    return change


def mark_done(
    session: Session, directory: Directory, *, team_id: str, user_id: str, item_id: int, now: datetime
) -> ItemChange:
    """The item is done (a second click changes nothing)."""
    launch, item = item_for_change(session, directory, team_id=team_id, user_id=user_id, item_id=item_id)
    if item.status == ItemStatus.DONE:
        return ItemChange(ChangeKind.DONE, item.done_by or user_id, item.id, launch.id, changed=False)
    item.status = ItemStatus.DONE.value
    item.blocked_reason = ""
    item.done_by = user_id
    item.done_at = now
    if _today(launch, now) > item.due_on:
        item.was_late = True
    return _changed(session, launch, item, directory, ItemChange(ChangeKind.DONE, user_id, item.id, launch.id), now)


def _still_open(item: LaunchItem) -> None:
    if item.status == ItemStatus.DONE:
        raise ItemDone()


def mark_blocked(
    session: Session, directory: Directory, *, team_id: str, user_id: str, item_id: int, reason: str, now: datetime
) -> ItemChange:
    """The item is blocked, with the reason the launch message and its DMs show."""
    launch, item = item_for_change(session, directory, team_id=team_id, user_id=user_id, item_id=item_id)
    _still_open(item)
    item.status = ItemStatus.BLOCKED.value
    item.blocked_reason = clean_text(reason)
    change = ItemChange(ChangeKind.BLOCKED, user_id, item.id, launch.id)
    return _changed(session, launch, item, directory, change, now)


def set_due_on(
    session: Session, directory: Directory, *, team_id: str, user_id: str, item_id: int, due_on: date, now: datetime
) -> ItemChange:
    """A new due date; the offset from its phase follows, so the item keeps moving with the phase."""
    launch, item = item_for_change(session, directory, team_id=team_id, user_id=user_id, item_id=item_id)
    _still_open(item)
    if due_on == item.due_on:
        return ItemChange(ChangeKind.NEW_DATE, user_id, item.id, launch.id, changed=False)
    today = _today(launch, now)
    problem = date_problem(due_on, today=today, phase_on=item.phase.launch_on)
    if problem:
        raise LaunchError(problem, block_id=Block.ITEM_DUE_ON)
    if today > item.due_on:
        item.was_late = True
    item.offset_days = (due_on - item.phase.launch_on).days
    item.due_on = due_on
    change = ItemChange(ChangeKind.NEW_DATE, user_id, item.id, launch.id)
    return _changed(session, launch, item, directory, change, now)


def _person_problem(directory: Directory, user_id: str) -> str:
    person = directory.get_user(user_id)
    if person is None or not person.active_person:
        return "Pick a person in this workspace (not a bot or a deactivated account)."
    return ""


def reassign(
    session: Session, directory: Directory, *, team_id: str, user_id: str, item_id: int, owner_id: str, now: datetime
) -> ItemChange:
    """Someone else owns the item (their due-day DM follows, in their zone)."""
    launch, item = item_for_change(session, directory, team_id=team_id, user_id=user_id, item_id=item_id)
    _still_open(item)
    if owner_id == item.owner_id:
        return ItemChange(ChangeKind.REASSIGNED, user_id, item.id, launch.id, changed=False)
    problem = _person_problem(directory, owner_id)
    if problem:
        raise LaunchError(problem, block_id=Block.ITEM_OWNER)
    item.owner_id = owner_id
    change = ItemChange(ChangeKind.REASSIGNED, user_id, item.id, launch.id)
    return _changed(session, launch, item, directory, change, now)


def drop_item(
    session: Session, directory: Directory, *, team_id: str, user_id: str, item_id: int, now: datetime
) -> ItemChange:
    """The item is taken off the plan (the retro lists it as dropped); its timers go."""
    launch, item = item_for_change(session, directory, team_id=team_id, user_id=user_id, item_id=item_id)
    _still_open(item)
    item.status = ItemStatus.DROPPED.value
    item.dropped_by = user_id
    item.dropped_at = now
    change = ItemChange(ChangeKind.DROPPED, user_id, item.id, launch.id)
    return _changed(session, launch, item, directory, change, now)


def add_item(
    session: Session, directory: Directory, *, team_id: str, user_id: str, launch_id: int, data: NewItem, now: datetime
) -> ItemChange:
    """A new task on the checklist, hung on the phase whose date is the nearest on or before its
    due date (else the first), so it moves with that phase."""
    launch = _launch_for_change(session, team_id, launch_id)
    if not may_change(directory, launch, user_id):
        raise NotAllowedOnItem()
    phase = launch.phases[phase_index_for([p.launch_on for p in launch.phases], data.due_on)]
    found = new_item_problems(data, today=_today(launch, now), phase_on=phase.launch_on, items_now=len(launch.items))
    if not found:
        owner_problem = _person_problem(directory, data.owner_id)
        if owner_problem:
            found[Block.ITEM_OWNER] = owner_problem
    if found:
        block, message = next(iter(found.items()))
        raise LaunchError(message, block_id=block)
    item = LaunchItem(
        team_id=team_id,
        launch_id=launch.id,
        phase_id=phase.id,
        template_key="",
        kind=ItemKind.TASK.value,
        title=clean_text(data.title),
        side=data.side.value,
        owner_id=data.owner_id,
        offset_days=(data.due_on - phase.launch_on).days,
        due_on=data.due_on,
        status=ItemStatus.OPEN.value,
        blocked_reason="",
        was_late=False,
        created_at=now,
        updated_at=now,
    )
    launch.items.append(item)
    session.flush()
    return _changed(session, launch, item, directory, ItemChange(ChangeKind.ADDED, user_id, item.id, launch.id), now)


def item_for_form(session: Session, directory: Directory, *, team_id: str, user_id: str, item_id: int) -> ItemView:
    """Before a small modal opens (new date, blocked, reassign, drop): the item as shown, or the
    ``LaunchError`` saying why this person cannot change it (and no modal opens)."""
    _launch, item = item_for_change(session, directory, team_id=team_id, user_id=user_id, item_id=item_id)
    _still_open(item)
    return item_view(item)
