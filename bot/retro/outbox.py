"""Every message a retro sends, and what happens when the outbox has sent one.

Render with ``views``, key, enqueue (``bot.slack.outbox``): the retro's channel message (posted
once, then ``chat.update``d in place as items arrive), the summary reply in its thread at close
(updated as action items are added), and the action-item DMs. The result hook records the ts of
the channel message, so later updates address it directly. It is listed in the feature object
(``feature.py``), never registered on import.

Keys never name a person: an anonymous item's refresh would otherwise point at its author.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.retro import views
from bot.retro.data import ActionView, RetroCard, RetroSummary
from bot.retro.ids import Hook
from bot.retro.models import Retro, RetroSeries
from bot.slack.delivery_models import OutboxMessage
from bot.slack.outbox import ResultHook, Ritual, enqueue, result_ref

RITUAL_KIND = "retro"


def message_key(retro: Retro) -> str:
    return f"retro:{retro.id}:message"


def summary_key(retro: Retro) -> str:
    return f"retro:{retro.id}:summary"


def ritual_of(series: RetroSeries) -> Ritual:
    """Who is told (once per channel and error) when a message of this series cannot be delivered."""
    return Ritual(RITUAL_KIND, series.id, series.facilitator_id)


def external_confirmed(series: RetroSeries, retro: Retro) -> bool:
    """The facilitator confirmed posting this series in its channel although it is shared with
    another organisation (``bot.slack.channels``); without it the drainer holds such posts back."""
    return bool(series.external_confirmed_by) and retro.channel_id == series.channel_id


def post_retro_message(session: Session, series: RetroSeries, retro: Retro, card: RetroCard, now: datetime) -> None:
    """The retro's one channel message; its ts comes back through ``Hook.MESSAGE_POSTED``."""
    enqueue(
        session,
        team_id=retro.team_id,
        method="chat.postMessage",
        args={"channel": retro.channel_id, **views.build_retro_message(card)},
        key=message_key(retro),
        ritual=ritual_of(series),
        allow_external=external_confirmed(series, retro),
        on_result=Hook.MESSAGE_POSTED,
        now=now,
    )


def update_retro_message(
    session: Session, series: RetroSeries, retro: Retro, card: RetroCard, now: datetime, reason: str
) -> None:
    """chat.update the retro's message in place (after its first post is sent: a reference).

    ``reason`` makes the outbox key unique per change; it must never name a person.
    """
    ts: Any = retro.message_ts or result_ref(message_key(retro))
    enqueue(
        session,
        team_id=retro.team_id,
        method="chat.update",
        args={"channel": retro.channel_id, "ts": ts, **views.build_retro_message(card)},
        key=f"retro:{retro.id}:update:{reason}",
        ritual=ritual_of(series),
        allow_external=external_confirmed(series, retro),
        now=now,
    )


def post_summary(session: Session, series: RetroSeries, retro: Retro, summary: RetroSummary, now: datetime) -> None:
    """The results, in the retro message's thread, broadcast to the channel once."""
    thread_ts: Any = retro.message_ts or result_ref(message_key(retro))
    enqueue(
        session,
        team_id=retro.team_id,
        method="chat.postMessage",
        args={
            "channel": retro.channel_id,
            "thread_ts": thread_ts,
            "reply_broadcast": True,
            **views.build_summary_message(summary),
        },
        key=summary_key(retro),
        ritual=ritual_of(series),
        allow_external=external_confirmed(series, retro),
        now=now,
    )


def update_summary(
    session: Session, series: RetroSeries, retro: Retro, summary: RetroSummary, now: datetime, reason: str
) -> None:
    """Update the summary reply in place (it lists the action items as they are added)."""
    enqueue(
        session,
        team_id=retro.team_id,
        method="chat.update",
        args={
            "channel": retro.channel_id,
            "ts": result_ref(summary_key(retro)),
            **views.build_summary_message(summary),
        },
        key=f"retro:{retro.id}:summary:{reason}",
        ritual=ritual_of(series),
        allow_external=external_confirmed(series, retro),
        now=now,
    )


def dm_action(
    session: Session,
    *,
    team_id: str,
    series_id: int,
    assigned_by: str,
    action: ActionView,
    kind: str,
    key: str,
    now: datetime,
) -> None:
    """The action item's owner's DM: ``kind`` is "assigned" or "reminder" (``views.build_action_dm``).
    A DM that cannot be delivered is told to whoever assigned the item."""
    enqueue(
        session,
        team_id=team_id,
        method="chat.postMessage",
        args={"channel": action.owner_id, **views.build_action_dm(action, kind)},
        key=key,
        ritual=Ritual(RITUAL_KIND, series_id, assigned_by),
        now=now,
    )


def on_retro_message_posted(session: Session, row: OutboxMessage, result: dict[str, Any]) -> None:
    """Remember the ts Slack gave the retro's message. Keys look like "retro:<retro id>:message"."""
    parts = row.key.split(":")
    ts = result.get("ts")
    if not (len(parts) == 3 and parts[2] == "message" and parts[1].isdigit() and isinstance(ts, str)):
        return
    retro = session.scalar(select(Retro).where(Retro.team_id == row.team_id, Retro.id == int(parts[1])))
    if retro is not None and not retro.message_ts:
        retro.message_ts = ts
        session.flush()


RESULT_HOOKS: dict[str, ResultHook] = {Hook.MESSAGE_POSTED: on_retro_message_posted}
