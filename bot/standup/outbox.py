"""Every message a stand-up sends, through the delivery outbox: render with ``views``, key, enqueue.

Keys (unique per team, so a retried job or listener never posts twice):

- ``standup:{occurrence}:parent`` — the one parent message per occurrence (its ``ts`` is recorded
  on the occurrence by a result hook; replies and updates reference it with ``result_ref``),
- ``standup:{occurrence}:answer:{user}`` — an answer's thread reply (``ts`` recorded on the answer),
- ``standup:{occurrence}:prompt:{user}`` / ``:remind:{user}`` — the one DM and the one reminder,
- ``standup:ask:{ask}`` — the single notification of an ask,
- ``standup:escalation:{escalation}`` / ``:nudge`` — the owner's one DM about a stale ask or
  blocker, and the one nudge it may send,
- updates carry the reason and instant, since each edit is a new intent.

The result hooks (``RESULT_HOOKS``) are listed in the feature object, never registered on import.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.slack.delivery_models import OutboxMessage
from bot.slack.outbox import ResultHook, Ritual, enqueue, result_ref
from bot.standup import views
from bot.standup.data import AnswerView, AskLine, EscalationView, NudgeView, ParentView, PromptView, SummaryView
from bot.standup.ids import RITUAL_KIND, Hook
from bot.standup.models import Standup, StandupAnswer, StandupOccurrence


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


def _to_channel(
    session: Session,
    occurrence: StandupOccurrence,
    method: str,
    args: dict[str, Any],
    *,
    key: str,
    now: datetime,
    on_result: str | None = None,
) -> None:
    """One post or update in the occurrence's channel, failures alerting the stand-up's owner."""
    enqueue(
        session,
        team_id=occurrence.team_id,
        method=method,
        args={"channel": occurrence.channel_id, **args},
        key=key[:255],
        now=now,
        ritual=_ritual(session, occurrence.team_id, occurrence.standup_id),
        allow_external=_confirmed_external(session, occurrence),
        on_result=on_result,
    )


def post_parent(session: Session, occurrence: StandupOccurrence, view: ParentView, *, now: datetime) -> None:
    message = views.build_parent_message(view)
    _to_channel(session, occurrence, "chat.postMessage", message, key=occurrence.parent_key, now=now,
                on_result=Hook.PARENT_SENT)  # fmt: skip


def update_summary(
    session: Session, occurrence: StandupOccurrence, summary: SummaryView, *, key_suffix: str, now: datetime
) -> None:
    """The parent message, updated in place with the occurrence's summary."""
    args = {"ts": result_ref(occurrence.parent_key), **views.build_summary_message(summary)}
    _to_channel(session, occurrence, "chat.update", args, key=f"{occurrence.parent_key}:update:{key_suffix}", now=now)


def post_answer(
    session: Session, occurrence: StandupOccurrence, answer: StandupAnswer, view: AnswerView, *, now: datetime
) -> None:
    """An answer, as a reply in the occurrence's thread (keyed by ``answer.message_key``)."""
    args = {"thread_ts": result_ref(occurrence.parent_key), **views.build_answer_message(view)}
    _to_channel(session, occurrence, "chat.postMessage", args, key=answer.message_key, now=now,
                on_result=Hook.ANSWER_SENT)  # fmt: skip


def update_answer(
    session: Session,
    occurrence: StandupOccurrence,
    answer: StandupAnswer,
    view: AnswerView,
    *,
    key_suffix: str,
    now: datetime,
) -> None:
    args = {"ts": result_ref(answer.message_key), **views.build_answer_message(view)}
    _to_channel(session, occurrence, "chat.update", args, key=f"{answer.message_key}:{key_suffix}", now=now)


def _dm(session: Session, *, team_id: str, user_id: str, key: str, message: dict[str, Any], now: datetime) -> None:
    """A DM from the app: chat.postMessage to a user id posts in the app's Messages tab."""
    enqueue(session, team_id=team_id, method="chat.postMessage", args={"channel": user_id, **message}, key=key, now=now)


def send_prompt(
    session: Session, team_id: str, user_id: str, view: PromptView, *, reminder: bool, now: datetime
) -> None:
    """The one prompt DM of an occurrence to ``user_id``, or its one reminder."""
    key = f"standup:{view.occurrence_id}:{'remind' if reminder else 'prompt'}:{user_id}"
    message = views.build_prompt_message(view, reminder=reminder)
    _dm(session, team_id=team_id, user_id=user_id, key=key, message=message, now=now)


def send_ask(
    session: Session, team_id: str, to_user: str, ask: AskLine, *, standup_name: str, channel_id: str, now: datetime
) -> None:
    """The single notification of an ask, to the person asked."""
    message = views.build_ask_message(ask, standup_name=standup_name, channel_id=channel_id)
    _dm(session, team_id=team_id, user_id=to_user, key=f"standup:ask:{ask.ask_id}", message=message, now=now)


def send_owner_note(session: Session, team_id: str, owner_id: str, *, key: str, text: str, now: datetime) -> None:
    _dm(session, team_id=team_id, user_id=owner_id, key=key, message=views.build_owner_note(text), now=now)


def send_escalation(session: Session, team_id: str, owner_id: str, view: EscalationView, *, now: datetime) -> None:
    """The owner's one DM about an ask or blocker open too long (keyed by the escalation row)."""
    message = views.build_escalation_message(view)
    _dm(session, team_id=team_id, user_id=owner_id, key=f"standup:escalation:{view.escalation_id}", message=message,
        now=now)  # fmt: skip


def send_nudge(
    session: Session, team_id: str, target_user: str, escalation_id: int, view: NudgeView, *, now: datetime
) -> None:
    """The one nudge DM of an escalation, to the person asked (or blocked)."""
    message = views.build_nudge_message(view)
    _dm(session, team_id=team_id, user_id=target_user, key=f"standup:escalation:{escalation_id}:nudge",
        message=message, now=now)  # fmt: skip


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


RESULT_HOOKS: dict[str, ResultHook] = {Hook.PARENT_SENT: _on_parent_sent, Hook.ANSWER_SENT: _on_answer_sent}
