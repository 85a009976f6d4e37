"""What the checklist's timers do when they fire: the owner's one DM on an item's due day, and
the overdue item raised once to each lead (by DM, never in the channel).

Exactly once: a ``LaunchNotice`` with a unique key per workspace is inserted first
(``due:<item>:<due_on>:<owner>``, ``overdue:<item>:<due_on>:<lead>``); only the process whose
insert went in enqueues the DM, so a retried job or two replicas ticking never send twice.
Nothing is sent if, by then, the item is done or dropped, the launch cancelled, or the timer is
stale (the item was re-dated or reassigned since: its new timer will ask).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.db import insert_ignore_key
from bot.launches import checklist_outbox
from bot.launches.checklist_data import NoticeKind
from bot.launches.checklist_outbox import NoticeKey
from bot.launches.ids import ItemStatus, LaunchStatus
from bot.launches.lookups import get_item
from bot.launches.models import Launch, LaunchItem, LaunchNotice
from bot.launches.timeline import overdue_on
from bot.scheduling.cadence import zone

OPEN = (ItemStatus.OPEN.value, ItemStatus.BLOCKED.value)


def _open_item(session: Session, team_id: str, item_id: int) -> LaunchItem | None:
    item = get_item(session, team_id, item_id)
    if item is None or item.status not in OPEN or item.launch.status == LaunchStatus.CANCELLED:
        return None
    return item


def _claim(session: Session, launch: Launch, key: NoticeKey, now: datetime) -> bool:
    """True for the one caller whose notice went in (it sends the DM)."""
    inserted = insert_ignore_key(
        session,
        LaunchNotice,
        {
            "team_id": launch.team_id, "launch_id": launch.id, "key": str(key), "user_id": key.user_id,
            "channel_id": "", "created_at": now,
        },
        ["team_id", "key"],
    )  # fmt: skip
    return inserted is not None


def run_item_due(
    session: Session, *, team_id: str, item_id: int, user_id: str, scheduled_for: datetime, tz: str, now: datetime
) -> bool:
    """The owner's DM on the item's due day (Done / New date / Blocked); True when it was sent."""
    item = _open_item(session, team_id, item_id)
    if item is None or item.owner_id != user_id:
        return False
    if scheduled_for.astimezone(zone(tz)).date() != item.due_on:
        return False  # re-dated since: the timer of the new date asks
    key = NoticeKey(NoticeKind.DUE, item.id, item.due_on, user_id)
    if not _claim(session, item.launch, key, now):
        return False
    checklist_outbox.send_item_dm(session, item.launch, item, key, now)
    return True


def run_overdue(
    session: Session, *, team_id: str, item_id: int, user_id: str, scheduled_for: datetime, tz: str, now: datetime
) -> bool:
    """The still-open item raised to one lead, once; True when the DM was sent."""
    item = _open_item(session, team_id, item_id)
    if item is None or user_id not in item.launch.leads():
        return False
    if scheduled_for.astimezone(zone(tz)).date() != overdue_on(item.due_on):
        return False
    key = NoticeKey(NoticeKind.OVERDUE, item.id, item.due_on, user_id)
    if not _claim(session, item.launch, key, now):
        return False
    checklist_outbox.send_item_dm(session, item.launch, item, key, now)
    return True
