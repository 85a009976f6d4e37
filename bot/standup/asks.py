"""Asks across teams: the one ask an answer may carry (its single DM, its withdrawal when the
target changes), and marking it handled (which re-renders the asker's answer in the thread)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.standup import outbox
from bot.standup.data import AnswerView, AskLine, Directory, NotAllowed, NotFound
from bot.standup.ids import AskStatus, Side
from bot.standup.lookups import ask_of, get_answer, get_occurrence, get_standup, participant
from bot.standup.models import Standup, StandupAnswer, StandupAsk, StandupParticipant
from bot.standup.summary import refresh_summary


def answer_view(
    standup: Standup, person: StandupParticipant, answer: StandupAnswer, ask: StandupAsk | None
) -> AnswerView:
    """How an answer reads in the thread (with its ask, if any)."""
    return AnswerView(
        answer_id=answer.id,
        user_id=answer.user_id,
        name=person.name,
        side=Side(person.side),
        responses=[(r["question"], r["answer"]) for r in answer.responses],
        blocker_question=standup.blocker_question,
        blocker=answer.blocker,
        ask_to_name=(ask.to_name or "someone on the other team") if ask is not None else "",
        ask_text=ask.text if ask is not None else "",
        ask_handled=ask is not None and ask.status == AskStatus.HANDLED,
        edited=answer.edited_at is not None,
        late=answer.late,
    )


def sync_ask(
    session: Session,
    directory: Directory,
    standup: Standup,
    answer: StandupAnswer,
    ask_user: str | None,
    ask_text: str,
    now: datetime,
) -> StandupAsk | None:
    """One ask per answer. A new target is notified once; a changed target withdraws the old ask."""
    current = ask_of(session, standup.team_id, answer.id)
    if current is not None and (not ask_user or current.to_user != ask_user):
        if current.status == AskStatus.OPEN:
            current.status = AskStatus.WITHDRAWN
        current = None if not ask_user or current.to_user != ask_user else current
    if not ask_user:
        session.flush()
        return None
    target = participant(session, standup.team_id, standup.id, ask_user)
    name = target.name if target is not None and target.name else ""
    if not name:
        user = directory.get_user(ask_user)
        name = user.name if user is not None else ""
    if current is not None:
        current.text = ask_text
        current.to_name = name
        session.flush()
        return current
    ask = StandupAsk(
        team_id=standup.team_id,
        standup_id=standup.id,
        answer_id=answer.id,
        from_user=answer.user_id,
        to_user=ask_user,
        to_name=name,
        text=ask_text,
        status=AskStatus.OPEN,
        created_at=now,
        handled_at=None,
    )
    session.add(ask)
    session.flush()
    outbox.send_ask(
        session, standup.team_id, ask_user, AskLine(ask.id, ask.from_user, ask.text),
        standup_name=standup.name, channel_id=standup.channel_id, now=now,
    )  # fmt: skip
    return ask


def mark_ask_handled(session: Session, *, team_id: str, user_id: str, ask_id: int, now: datetime) -> StandupAsk:
    ask = session.scalar(select(StandupAsk).where(StandupAsk.team_id == team_id, StandupAsk.id == ask_id))
    if ask is None:
        raise NotFound("That ask is gone.")
    if user_id not in (ask.to_user, ask.from_user):
        raise NotAllowed("Only the person asked (or the person asking) can mark this handled.")
    if ask.status != AskStatus.OPEN:
        return ask
    ask.status = AskStatus.HANDLED
    ask.handled_at = now
    session.flush()
    # Show it in the thread too: the asker's answer is re-rendered in place.
    answer = get_answer(session, team_id, ask.answer_id)
    standup = get_standup(session, team_id, ask.standup_id)
    if answer is not None and standup is not None and answer.message_key:
        occurrence = get_occurrence(session, team_id, answer.occurrence_id)
        person = participant(session, team_id, standup.id, answer.user_id)
        if occurrence is not None and person is not None:
            view = answer_view(standup, person, answer, ask)
            outbox.update_answer(session, occurrence, answer, view, key_suffix=f"ask-handled:{ask.id}", now=now)
            if occurrence.closed_at is not None:
                refresh_summary(session, occurrence, now=now, reason=f"ask-{ask.id}")
    return ask
