"""Every stand-up post goes through the delivery outbox; this module names the keys and references.

Keys (unique per team, so a retried job or listener never posts twice):

- ``standup:{occurrence}:parent`` — the one parent message per occurrence (its ``ts`` is recorded
  on the occurrence by a result hook; replies and updates reference it with ``result_ref``),
- ``standup:{occurrence}:answer:{user}`` — an answer's thread reply (``ts`` recorded on the answer),
- ``standup:{occurrence}:prompt:{user}`` / ``:remind:{user}`` — the one DM and the one reminder,
- ``standup:ask:{ask}`` — the single notification of an ask,
- updates carry the reason and instant, since each edit is a new intent.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.slack.delivery_models import OutboxMessage
from bot.slack.outbox import Ritual, enqueue, result_ref
from bot.standup.models import Standup, StandupAnswer, StandupOccurrence

PARENT_SENT = "standup.parent_sent"
ANSWER_SENT = "standup.answer_sent"
RITUAL_KIND = "standup"


def _ritual(session: Session, team_id: str, standup_id: int) -> Ritual | None:
    owner = session.scalar(select(Standup.owner_id).where(Standup.team_id == team_id, Standup.id == standup_id))
    return Ritual(RITUAL_KIND, standup_id, owner) if owner else None


def _confirmed_external(session: Session, occurrence: StandupOccurrence) -> bool:
    """The owner confirmed posting this stand-up in its channel although it is shared with another
    organisation (``bot.slack.channels``); without it, the drainer holds such posts back."""
    confirmed_by, channel_id = session.execute(
        select(Standup.external_confirmed_by, Standup.channel_id).where(
            Standup.team_id == occurrence.team_id, Standup.id == occurrence.standup_id
        )
    ).one_or_none() or (None, None)
    return bool(confirmed_by) and channel_id == occurrence.channel_id


def post_parent(session: Session, occurrence: StandupOccurrence, message: dict[str, Any], *, now: datetime) -> None:
    enqueue(
        session,
        team_id=occurrence.team_id,
        method="chat.postMessage",
        args={"channel": occurrence.channel_id, **message},
        key=occurrence.parent_key,
        now=now,
        ritual=_ritual(session, occurrence.team_id, occurrence.standup_id),
        allow_external=_confirmed_external(session, occurrence),
        on_result=PARENT_SENT,
    )


def update_parent(
    session: Session, occurrence: StandupOccurrence, message: dict[str, Any], *, key_suffix: str, now: datetime
) -> None:
    enqueue(
        session,
        team_id=occurrence.team_id,
        method="chat.update",
        args={"channel": occurrence.channel_id, "ts": result_ref(occurrence.parent_key), **message},
        key=f"{occurrence.parent_key}:update:{key_suffix}"[:255],
        now=now,
        ritual=_ritual(session, occurrence.team_id, occurrence.standup_id),
        allow_external=_confirmed_external(session, occurrence),
    )


def post_reply(
    session: Session, occurrence: StandupOccurrence, answer: StandupAnswer, message: dict[str, Any], *, now: datetime
) -> None:
    enqueue(
        session,
        team_id=occurrence.team_id,
        method="chat.postMessage",
        args={"channel": occurrence.channel_id, "thread_ts": result_ref(occurrence.parent_key), **message},
        key=answer.message_key,
        now=now,
        ritual=_ritual(session, occurrence.team_id, occurrence.standup_id),
        allow_external=_confirmed_external(session, occurrence),
        on_result=ANSWER_SENT,
    )


def update_answer(
    session: Session,
    occurrence: StandupOccurrence,
    answer: StandupAnswer,
    message: dict[str, Any],
    *,
    key_suffix: str,
    now: datetime,
) -> None:
    enqueue(
        session,
        team_id=occurrence.team_id,
        method="chat.update",
        args={"channel": occurrence.channel_id, "ts": result_ref(answer.message_key), **message},
        key=f"{answer.message_key}:{key_suffix}"[:255],
        now=now,
        ritual=_ritual(session, occurrence.team_id, occurrence.standup_id),
        allow_external=_confirmed_external(session, occurrence),
    )


def send_dm(session: Session, *, team_id: str, user_id: str, key: str, message: dict[str, Any], now: datetime) -> None:
    """A DM from the app: chat.postMessage to a user id posts in the app's Messages tab."""
    enqueue(session, team_id=team_id, method="chat.postMessage", args={"channel": user_id, **message}, key=key, now=now)


def _on_parent_sent(session: Session, row: OutboxMessage, result: dict[str, Any]) -> None:
    occurrence = session.scalar(
        select(StandupOccurrence).where(
            StandupOccurrence.team_id == row.team_id, StandupOccurrence.parent_key == row.key
        )
    )
    if occurrence is not None and result.get("ts"):
        occurrence.parent_ts = str(result["ts"])


def _on_answer_sent(session: Session, row: OutboxMessage, result: dict[str, Any]) -> None:
    answer = session.scalar(
        select(StandupAnswer).where(StandupAnswer.team_id == row.team_id, StandupAnswer.message_key == row.key)
    )
    if answer is not None and result.get("ts"):
        answer.message_ts = str(result["ts"])


RESULT_HOOKS = {PARENT_SENT: _on_parent_sent, ANSWER_SENT: _on_answer_sent}
