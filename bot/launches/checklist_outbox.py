"""The checklist's DMs through the outbox (render with ``checklist_views``, key, enqueue), and
the hook recording where each landed so it can be updated in place after an answer.

Every DM has a ``LaunchNotice`` first (its unique key makes it go once, even with two replicas
ticking); the outbox keys derive from the notice's:

- ``launch:{launch}:dm:{notice}`` — the DM (``Hook.ITEM_DM_SENT`` records its channel and ts on
  the notice), where ``{notice}`` is ``due:{item}:{due_on}:{owner}`` or
  ``overdue:{item}:{due_on}:{lead}``;
- ``launch:{launch}:dm:{notice}:answer:{instant}`` — that DM updated after a change of the item
  (a burst of changes still waiting in the outbox folds into one ``chat.update``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.launches import checklist_views
from bot.launches.checklist_data import ItemChange, NoticeKind
from bot.launches.ids import Hook
from bot.launches.lookups import item_view, launch_view
from bot.launches.models import Launch, LaunchItem, LaunchNotice
from bot.slack.delivery_models import OutboxMessage, OutboxStatus
from bot.slack.outbox import ResultHook, enqueue, result_ref


@dataclass(frozen=True)
class NoticeKey:
    kind: NoticeKind
    item_id: int
    due_on: date
    user_id: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.item_id}:{self.due_on.isoformat()}:{self.user_id}"

    @classmethod
    def parse(cls, key: str) -> NoticeKey | None:
        parts = key.split(":")
        if len(parts) != 4 or parts[0] not in {k.value for k in NoticeKind} or not parts[1].isdigit():
            return None
        try:
            due_on = date.fromisoformat(parts[2])
        except ValueError:
            return None
        return cls(NoticeKind(parts[0]), int(parts[1]), due_on, parts[3])


def dm_key(launch_id: int, notice_key: str) -> str:
    return f"launch:{launch_id}:dm:{notice_key}"


def send_item_dm(session: Session, launch: Launch, item: LaunchItem, key: NoticeKey, now: datetime) -> None:
    """The one DM a notice stands for (a chat.postMessage to a user id lands in the app's DM)."""
    message = checklist_views.item_dm(
        launch_view(session, launch, with_goals=False), item_view(item), kind=key.kind, due_on=key.due_on,
        user_id=key.user_id,
    )  # fmt: skip
    enqueue(
        session, team_id=launch.team_id, method="chat.postMessage", args={"channel": key.user_id, **message},
        key=dm_key(launch.id, str(key)), now=now, on_result=Hook.ITEM_DM_SENT,
    )  # fmt: skip


def notices_of_item(session: Session, item: LaunchItem) -> list[LaunchNotice]:
    prefixes = [f"{kind.value}:{item.id}:" for kind in NoticeKind]
    return list(
        session.scalars(
            select(LaunchNotice)
            .where(
                LaunchNotice.team_id == item.team_id,
                LaunchNotice.launch_id == item.launch_id,
                or_(*(LaunchNotice.key.startswith(p, autoescape=True) for p in prefixes)),
            )
            .order_by(LaunchNotice.id)
        )
    )


def _target(launch: Launch, notice: LaunchNotice) -> dict[str, Any]:
    """Where the DM landed, as recorded by ``Hook.ITEM_DM_SENT``, else a reference to its row."""
    if notice.channel_id and notice.message_ts:
        return {"channel": notice.channel_id, "ts": notice.message_ts}
    original = dm_key(launch.id, notice.key)
    return {"channel": result_ref(original, "channel"), "ts": result_ref(original, "ts")}


def update_item_dms(session: Session, launch: Launch, item: LaunchItem, change: ItemChange, now: datetime) -> int:
    """Every DM sent about the item says what happened (buttons only where they still apply);
    returns how many DMs are updated."""
    notices = notices_of_item(session, item)
    if not notices:
        return 0
    view = launch_view(session, launch, with_goals=False)
    current = item_view(item)
    for notice in notices:
        key = NoticeKey.parse(notice.key)
        if key is None:
            continue
        message = checklist_views.item_dm(
            view, current, kind=key.kind, due_on=key.due_on, user_id=key.user_id, change=change
        )
        args = {**_target(launch, notice), **message}
        prefix = f"{dm_key(launch.id, notice.key)}:answer:"
        folded = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.team_id == launch.team_id,
                OutboxMessage.key.startswith(prefix, autoescape=True),
                OutboxMessage.status == OutboxStatus.PENDING.value,
            )
            .values(args=args, updated_at=now)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ).first()
        if folded is None:
            enqueue(
                session, team_id=launch.team_id, method="chat.update", args=args,
                key=f"{prefix}{now.strftime('%Y%m%dT%H%M%S%f')}", now=now,
            )  # fmt: skip
    return len(notices)


def _record_dm(session: Session, row: OutboxMessage, result: dict[str, Any]) -> None:
    parts = row.key.split(":", 3)  # launch:{launch}:dm:{notice key}
    if len(parts) != 4 or parts[2] != "dm" or not result.get("ts"):
        return
    notice = session.scalar(
        select(LaunchNotice).where(LaunchNotice.team_id == row.team_id, LaunchNotice.key == parts[3])
    )
    if notice is not None:
        notice.channel_id = str(result.get("channel") or "")
        notice.message_ts = str(result["ts"])


RESULT_HOOKS: dict[str, ResultHook] = {Hook.ITEM_DM_SENT: _record_dm}
