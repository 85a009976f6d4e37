"""Action items: assigned by the facilitator from a closed retro, DMed to the owner, reminded the
day before they are due, marked done or moved by the owner."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.retro import outbox
from bot.retro.data import (
    ACTION_MAX_LENGTH,
    REMINDER_LOCAL_TIME,
    ActionForm,
    ActionView,
    IsAdmin,
    ItemView,
    NotAllowed,
    RetroError,
)
from bot.retro.ids import ActionStatus, Block, JobKind, RetroStatus
from bot.retro.lookups import action_view_of, get_action_item, get_retro, get_series, items_of, require_facilitator
from bot.retro.models import RetroActionItem, RetroItem, RetroSeries
from bot.retro.summary import refresh_summary
from bot.scheduling.cadence import InvalidCadence, local_to_utc, zone
from bot.scheduling.service import delete_schedules_for, schedule_once


def action_form(session: Session, *, team_id: str, retro_id: int, user_id: str, is_admin: IsAdmin) -> ActionForm:
    retro = get_retro(session, team_id, retro_id)
    series = get_series(session, team_id, retro.series_id)
    require_facilitator(series, user_id, is_admin, "add action items")
    if retro.status != RetroStatus.CLOSED:
        raise RetroError("Close the retro first; then turn its items into action items.")
    items = sorted(items_of(session, retro), key=lambda i: (-i.votes, i.id))
    return ActionForm(retro.id, series.title, [ItemView(i.id, i.prompt_index, i.text, None, i.votes) for i in items])


def _reminder_at(due_on: date, tz_name: str) -> datetime:
    try:
        tz = zone(tz_name)
    except InvalidCadence:
        tz = zone("UTC")
    return local_to_utc(due_on - timedelta(days=1), REMINDER_LOCAL_TIME, tz)


def _schedule_reminder(session: Session, action: RetroActionItem, now: datetime) -> None:
    delete_schedules_for(session, action.team_id, JobKind.ACTION_REMINDER, action.id)
    at = _reminder_at(action.due_on, action.owner_tz)
    if at > now:
        schedule_once(session, team_id=action.team_id, kind=JobKind.ACTION_REMINDER, ref_id=action.id, at=at, now=now)


def _validate_due(due_on: date | None, today: date, block_id: str) -> date:
    if due_on is None:
        raise RetroError("Pick a due date.", block_id=block_id)
    if due_on < today:
        raise RetroError("That date has passed. Pick today or a later date.", block_id=block_id)
    return due_on


def _dm_action(session: Session, action: RetroActionItem, title: str, kind: str, key: str, now: datetime) -> None:
    outbox.dm_action(
        session, team_id=action.team_id, series_id=action.series_id, assigned_by=action.created_by,
        action=action_view_of(action, title), kind=kind, key=key, now=now,
    )  # fmt: skip


def add_action_item(
    session: Session,
    *,
    team_id: str,
    retro_id: int,
    user_id: str,
    is_admin: IsAdmin,
    text: str,
    owner_id: str,
    owner_tz: str,
    due_on: date | None,
    item_id: int | None,
    now: datetime,
) -> RetroActionItem:
    form = action_form(session, team_id=team_id, retro_id=retro_id, user_id=user_id, is_admin=is_admin)
    retro = get_retro(session, team_id, form.retro_id)
    source = None
    if item_id is not None:
        source = session.scalar(
            select(RetroItem).where(
                RetroItem.team_id == team_id, RetroItem.retro_id == retro.id, RetroItem.id == item_id
            )
        )
        if source is None:
            raise RetroError("Pick one of this retro's items.", block_id=Block.ACTION_SOURCE)
    cleaned = text.strip() or (source.text.strip() if source is not None else "")
    if not cleaned:
        raise RetroError("Say what should happen, or pick the item it comes from.", block_id=Block.ACTION_TEXT)
    if len(cleaned) > ACTION_MAX_LENGTH:
        raise RetroError(
            f"Keep action items under {ACTION_MAX_LENGTH} characters (this one is {len(cleaned)}).",
            block_id=Block.ACTION_TEXT,
        )
    if not owner_id:
        raise RetroError("Pick who owns it.", block_id=Block.ACTION_OWNER)
    today = now.astimezone(zone(owner_tz if _known_zone(owner_tz) else "UTC")).date()
    due = _validate_due(due_on, today, Block.ACTION_DUE)
    action = RetroActionItem(
        team_id=team_id,
        series_id=retro.series_id,
        retro_id=retro.id,
        item_id=source.id if source is not None else None,
        text=cleaned,
        owner_id=owner_id,
        due_on=due,
        owner_tz=owner_tz if _known_zone(owner_tz) else "UTC",
        status=ActionStatus.OPEN.value,
        created_by=user_id,
        created_at=now,
    )
    session.add(action)
    session.flush()
    _dm_action(session, action, form.title, "assigned", f"retro:action:{action.id}:assigned", now)
    _schedule_reminder(session, action, now)
    refresh_summary(session, retro, now, f"action:{action.id}")
    return action


def _known_zone(name: str) -> bool:
    try:
        zone(name)
    except InvalidCadence:
        return False
    return True


def _owned_action(session: Session, team_id: str, action_id: int, user_id: str, is_admin: IsAdmin) -> RetroActionItem:
    action = get_action_item(session, team_id, action_id)
    if user_id not in (action.owner_id, action.created_by) and not is_admin():
        raise NotAllowed("Only the owner of this action item, the facilitator or an admin can change it.")
    return action


def list_open_action_items(session: Session, team_id: str, user_id: str) -> list[ActionView]:
    """The open action items ``user_id`` owns, soonest due first (for the App Home)."""
    rows = session.execute(
        select(RetroActionItem, RetroSeries.title)
        .join(RetroSeries, RetroSeries.id == RetroActionItem.series_id)
        .where(
            RetroActionItem.team_id == team_id,
            RetroSeries.team_id == team_id,
            RetroActionItem.owner_id == user_id,
            RetroActionItem.status == ActionStatus.OPEN,
        )
        .order_by(RetroActionItem.due_on, RetroActionItem.id)
    )
    return [action_view_of(action, title) for action, title in rows]


def complete_action_item(
    session: Session, *, team_id: str, action_id: int, user_id: str, now: datetime, is_admin: IsAdmin = lambda: False
) -> ActionView:
    action = _owned_action(session, team_id, action_id, user_id, is_admin)
    if action.status != ActionStatus.DONE:
        action.status = ActionStatus.DONE.value
        action.completed_at = now
        delete_schedules_for(session, team_id, JobKind.ACTION_REMINDER, action.id)
        session.flush()
    series = get_series(session, team_id, action.series_id)
    return action_view_of(action, series.title)


def reschedule_action_item(
    session: Session,
    *,
    team_id: str,
    action_id: int,
    user_id: str,
    due_on: date | None,
    now: datetime,
    is_admin: IsAdmin = lambda: False,
) -> ActionView:
    action = _owned_action(session, team_id, action_id, user_id, is_admin)
    today = now.astimezone(zone(action.owner_tz)).date()
    action.due_on = _validate_due(due_on, today, Block.ACTION_DUE)
    if action.status == ActionStatus.DONE:
        action.status = ActionStatus.OPEN.value
        action.completed_at = None
    _schedule_reminder(session, action, now)
    session.flush()
    series = get_series(session, team_id, action.series_id)
    return action_view_of(action, series.title)


def action_view(session: Session, team_id: str, action_id: int) -> ActionView:
    action = get_action_item(session, team_id, action_id)
    return action_view_of(action, get_series(session, team_id, action.series_id).title)


def remind_action_item(session: Session, action: RetroActionItem, now: datetime) -> bool:
    """Job body: DM the owner the day before the due date, unless it is done."""
    if action.status != ActionStatus.OPEN:
        return False
    series = get_series(session, action.team_id, action.series_id)
    key = f"retro:action:{action.id}:reminder:{action.due_on.isoformat()}"
    _dm_action(session, action, series.title, "reminder", key, now)
    return True
