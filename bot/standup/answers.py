"""Answering a stand-up: what the answer modal shows, and storing an answer (a new thread reply)
or an edit (its message updated in place, the summary refreshed if the occurrence closed)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.slack.text import escape
from bot.standup import outbox
from bot.standup.asks import answer_view, sync_ask
from bot.standup.data import GONE, AnswerForm, AskLine, Directory, NotAllowed, NotFound, StandupError
from bot.standup.ids import Block, Side
from bot.standup.lookups import (
    answer_of,
    ask_of,
    get_occurrence,
    get_standup,
    open_asks_for,
    participant,
    prompt_of,
    questions_for,
)
from bot.standup.models import Standup, StandupAnswer, StandupOccurrence, StandupParticipant
from bot.standup.summary import refresh_summary


def _answering(
    session: Session, team_id: str, user_id: str, occurrence_id: int, not_participant: str
) -> tuple[StandupOccurrence, Standup, StandupParticipant]:
    """The occurrence, its stand-up and ``user_id`` as one of its active participants."""
    occurrence = get_occurrence(session, team_id, occurrence_id)
    standup = get_standup(session, team_id, occurrence.standup_id) if occurrence is not None else None
    if occurrence is None or standup is None:
        raise NotFound(GONE)
    person = participant(session, team_id, standup.id, user_id)
    if person is None or not person.active:
        raise NotAllowed(not_participant.format(name=escape(standup.name)))
    return occurrence, standup, person


def answer_form(session: Session, *, team_id: str, user_id: str, occurrence_id: int) -> AnswerForm:
    """What the answer modal shows: the questions for this person's side, their current answer
    (editing) or their last one (pre-fill), open asks for them and their open blockers."""
    occurrence, standup, person = _answering(
        session, team_id, user_id, occurrence_id,
        "You are not a participant of “{name}”. Its owner can add you with `/standup edit`.",
    )  # fmt: skip
    questions = questions_for(standup, person.side)
    current = answer_of(session, team_id, occurrence.id, user_id)
    source = current
    if source is None and standup.prefill:
        source = session.scalar(
            select(StandupAnswer)
            .where(
                StandupAnswer.team_id == team_id,
                StandupAnswer.standup_id == standup.id,
                StandupAnswer.user_id == user_id,
            )
            .order_by(StandupAnswer.created_at.desc(), StandupAnswer.id.desc())
            .limit(1)
        )
    initial = _initial_answers(questions, source)
    ask = ask_of(session, team_id, current.id) if current is not None else None
    my_blockers = list(
        session.scalars(
            select(StandupAnswer.blocker)
            .where(
                StandupAnswer.team_id == team_id,
                StandupAnswer.standup_id == standup.id,
                StandupAnswer.user_id == user_id,
                StandupAnswer.blocker != "",
                StandupAnswer.occurrence_id != occurrence.id,
            )
            .order_by(StandupAnswer.created_at.desc())
            .limit(1)
        )
    )
    return AnswerForm(
        occurrence_id=occurrence.id,
        standup_name=standup.name,
        local_date=occurrence.local_date,
        questions=questions,
        blocker_question=standup.blocker_question,
        initial=initial,
        blocker=(source.blocker if source is not None else ""),
        ask_user=ask.to_user if ask is not None else None,
        ask_text=ask.text if ask is not None else "",
        editing=current is not None,
        asks_for_me=[AskLine(a.id, a.from_user, a.text) for a in open_asks_for(session, team_id, user_id)],
        my_last_blocker=my_blockers[0] if my_blockers else "",
    )


def _initial_answers(questions: list[str], source: StandupAnswer | None) -> list[str]:
    if source is None:
        return ["" for _ in questions]
    by_question = {r.get("question", ""): r.get("answer", "") for r in source.responses}
    positional = [r.get("answer", "") for r in source.responses]
    return [by_question.get(q, positional[i] if i < len(positional) else "") for i, q in enumerate(questions)]


@dataclass
class AnswerResult:
    answer: StandupAnswer
    edited: bool
    channel_id: str


def submit_answer(
    session: Session,
    directory: Directory,
    *,
    team_id: str,
    user_id: str,
    occurrence_id: int,
    answers: Sequence[str],
    blocker: str,
    ask_user: str | None,
    ask_text: str,
    now: datetime,
) -> AnswerResult:
    """Store a new answer (posted as a thread reply) or an edit (its message updated in place).

    An ask to someone on the asker's own side is a ``StandupError`` on the ask field."""
    occurrence, standup, person = _answering(
        session, team_id, user_id, occurrence_id, "You are not a participant of “{name}”."
    )
    if ask_user:
        target = participant(session, team_id, standup.id, ask_user)
        if target is not None and target.side == person.side and person.side != Side.OTHER:
            raise StandupError(
                f"{target.name or 'They'} are on your side; asks go to someone on the other team.",
                block_id=Block.ASK_USER,
            )
    questions = questions_for(standup, person.side)
    responses = [{"question": q, "answer": a.strip()} for q, a in zip(questions, answers, strict=False)]
    answer = answer_of(session, team_id, occurrence.id, user_id)
    edited = answer is not None
    if answer is None:
        answer = StandupAnswer(
            team_id=team_id,
            standup_id=standup.id,
            occurrence_id=occurrence.id,
            user_id=user_id,
            side=person.side,
            created_at=now,
            edited_at=None,
            late=occurrence.closed_at is not None or now >= occurrence.closes_at,
            message_key="",
        )
        session.add(answer)
    else:
        answer.edited_at = now
    answer.responses = responses
    answer.blocker = blocker.strip()
    session.flush()
    ask = sync_ask(session, directory, standup, answer, ask_user, ask_text.strip(), now)
    prompt = prompt_of(session, team_id, occurrence.id, user_id)
    if prompt is not None and prompt.skipped_at is not None:
        prompt.skipped_at = None  # answered after all
    view = answer_view(standup, person, answer, ask)
    if not edited:
        answer.message_key = f"standup:{occurrence.id}:answer:{user_id}"
        outbox.post_answer(session, occurrence, answer, view, now=now)
    else:
        assert answer.edited_at is not None
        outbox.update_answer(session, occurrence, answer, view, key_suffix=f"edit:{answer.edited_at.isoformat()}",
                             now=now)  # fmt: skip
    if occurrence.closed_at is not None:
        refresh_summary(session, occurrence, now=now, reason=f"answer-{answer.id}")
    session.flush()
    return AnswerResult(answer, edited, standup.channel_id)
