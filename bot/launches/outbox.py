"""Every channel message a launch sends, through the outbox (render with the views, key,
enqueue), and the hook that records where it landed.

Keys:

- ``launch:{id}:post`` — the launch's message in its channel (its ``ts`` is recorded on the
  launch by ``Hook.POSTED``; updates reference it with ``result_ref`` until then),
- ``launch:{id}:update:{version}`` — each change of that message (``refresh_launch_message``
  rewrites the last one while it still waits in the outbox),
- ``launch:{id}:dm:{notice key}`` — a DM about the launch, once per ``LaunchNotice`` (cancelled: to
  each lead).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.launches import replies, views
from bot.launches.data import RITUAL_KIND
from bot.launches.ids import Hook
from bot.launches.lookups import get_launch, launch_view
from bot.launches.models import Launch
from bot.scheduling.cadence import zone
from bot.slack.delivery_models import OutboxMessage, OutboxStatus
from bot.slack.outbox import ResultHook, Ritual, enqueue, result_ref


def post_key(launch: Launch) -> str:
    return f"launch:{launch.id}:post"


def ritual(launch: Launch) -> Ritual:
    """A failed post tells whoever created the launch how to fix it (invite the bot, ...)."""
    return Ritual(RITUAL_KIND, launch.id, launch.created_by)


def message_ref(launch: Launch) -> str | dict[str, str]:
    """The launch message's ts, or a reference to it while the post is still in the outbox."""
    return launch.message_ts or result_ref(post_key(launch))


def _message(session: Session, launch: Launch, now: datetime) -> dict[str, Any]:
    # "today" of the plan: the launch's own zone decides when a due date has passed.
    return views.launch_message(launch_view(session, launch), local_today(launch, now))


def local_today(launch: Launch, now: datetime) -> date:
    return now.astimezone(zone(launch.timezone)).date()


def post_launch_message(session: Session, launch: Launch, now: datetime) -> None:
    enqueue(
        session,
        team_id=launch.team_id,
        method="chat.postMessage",
        args={"channel": launch.channel_id, "unfurl_links": False, **_message(session, launch, now)},
        key=post_key(launch),
        now=now,
        ritual=ritual(launch),
        on_result=Hook.POSTED,
        allow_external=launch.external_confirmed_by is not None,
    )


def update_launch_message(session: Session, launch: Launch, now: datetime) -> None:
    """Show the launch's current state in its one channel message: a new version, or the
    pending one rewritten (a burst of changes makes one ``chat.update``)."""
    args = {"channel": launch.channel_id, "ts": message_ref(launch), **_message(session, launch, now)}
    if launch.version > 0:
        folded = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.team_id == launch.team_id,
                OutboxMessage.key == f"launch:{launch.id}:update:{launch.version}",
                OutboxMessage.status == OutboxStatus.PENDING.value,
            )
            .values(args=args, updated_at=now)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ).first()
        if folded is not None:
            return
    launch.version += 1
    session.flush()
    enqueue(
        session,
        team_id=launch.team_id,
        method="chat.update",
        args=args,
        key=f"launch:{launch.id}:update:{launch.version}",
        now=now,
        allow_external=launch.external_confirmed_by is not None,
    )


def tell_cancelled(session: Session, launch: Launch, lead: str, notice_key: str, now: datetime) -> None:
    """The one DM a lead gets when their launch is cancelled (``notice_key``: its LaunchNotice)."""
    enqueue(
        session,
        team_id=launch.team_id,
        method="chat.postMessage",
        args={"channel": lead, **replies.cancelled_dm(launch_view(session, launch, with_goals=False))},
        key=f"launch:{launch.id}:dm:{notice_key}",
        now=now,
    )


def _record_posted(session: Session, row: OutboxMessage, result: dict[str, Any]) -> None:
    launch = get_launch(session, row.team_id, int(row.key.split(":")[1]))
    if launch is not None:
        launch.message_ts = str(result.get("ts") or "") or None
        launch.channel_id = str(result.get("channel") or launch.channel_id)


RESULT_HOOKS: dict[str, ResultHook] = {Hook.POSTED: _record_posted}
