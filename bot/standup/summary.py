"""Closing an occurrence and its summary: the parent message updated in place once it closes, and
again whenever a late answer, a skip or a handled ask changes what it says."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.standup import outbox
from bot.standup.data import SideCount, SummaryView
from bot.standup.ids import AskStatus, Side
from bot.standup.lookups import get_occurrence, get_standup, participants_of
from bot.standup.models import StandupAnswer, StandupAsk, StandupOccurrence, StandupPrompt
from bot.summaries.data import Passage, Ritual, Summarise, SummaryRequest
from bot.summaries.service import store_summary, stored_summary, summaries_enabled, summarise_for

IN_SHORT_TASK = (
    "Summarise this joint stand-up of a product team and a marketing team in at most three sentences: "
    "progress, then blockers, then asks across teams."
)


def summary_of(session: Session, occurrence: StandupOccurrence) -> SummaryView:
    team_id = occurrence.team_id
    standup = get_standup(session, team_id, occurrence.standup_id)
    assert standup is not None
    names = {p.user_id: p for p in participants_of(session, team_id, standup.id, active_only=False)}
    answers = list(
        session.scalars(
            select(StandupAnswer)
            .where(StandupAnswer.team_id == team_id, StandupAnswer.occurrence_id == occurrence.id)
            .order_by(StandupAnswer.created_at, StandupAnswer.id)
        )
    )
    answered = {a.user_id for a in answers}
    prompts = list(
        session.scalars(
            select(StandupPrompt)
            .where(StandupPrompt.team_id == team_id, StandupPrompt.occurrence_id == occurrence.id)
            .order_by(StandupPrompt.id)
        )
    )
    sides: dict[Side, SideCount] = {side: SideCount() for side in Side}
    off: list[tuple[str, str]] = []  # (name, holiday): "off (holiday)", not "no answer"

    def name(user_id: str) -> str:
        person = names.get(user_id)
        return person.name if person is not None and person.name else "someone"

    for prompt in prompts:
        count = sides[Side(prompt.side)]
        if prompt.user_id in answered:
            count.answered += 1
        elif prompt.away:
            count.away += 1
        elif prompt.holiday:
            count.holiday += 1
            off.append((name(prompt.user_id), prompt.holiday))
        elif prompt.skipped_at is not None:
            count.skipped += 1
        else:
            count.missing += 1
    for answer in answers:  # answered without a prompt (added later, or /standup now)
        if not any(p.user_id == answer.user_id for p in prompts):
            sides[Side(answer.side)].answered += 1

    blockers = [(name(a.user_id), Side(a.side), a.blocker) for a in answers if a.blocker]
    asks = list(
        session.scalars(
            select(StandupAsk)
            .where(
                StandupAsk.team_id == team_id,
                StandupAsk.answer_id.in_([a.id for a in answers] or [-1]),
                StandupAsk.status != AskStatus.WITHDRAWN,
            )
            .order_by(StandupAsk.id)
        )
    )
    return SummaryView(
        standup_name=standup.name,
        local_date=occurrence.local_date,
        sides={side: count for side, count in sides.items() if count.total},
        blockers=blockers,
        asks=[(name(a.from_user), a.to_name or name(a.to_user), a.text, a.status == AskStatus.HANDLED) for a in asks],
        closed_at=occurrence.closed_at,
        off=off,
        in_short=stored_summary(session, team_id, Ritual.STANDUP, occurrence.id),
    )


def in_short_request(session: Session, occurrence: StandupOccurrence) -> SummaryRequest:
    """What "In short" is made from: the answers, blockers and asks, without anyone's name."""
    team_id = occurrence.team_id
    answers = list(
        session.scalars(
            select(StandupAnswer)
            .where(StandupAnswer.team_id == team_id, StandupAnswer.occurrence_id == occurrence.id)
            .order_by(StandupAnswer.created_at, StandupAnswer.id)
        )
    )
    passages = [
        Passage(str(r.get("answer", "")), "progress") for a in answers for r in a.responses if str(r.get("answer", ""))
    ]
    passages += [Passage(a.blocker, "blocker") for a in answers if a.blocker]
    asks = session.scalars(
        select(StandupAsk)
        .where(
            StandupAsk.team_id == team_id,
            StandupAsk.answer_id.in_([a.id for a in answers] or [-1]),
            StandupAsk.status != AskStatus.WITHDRAWN,
        )
        .order_by(StandupAsk.id)
    )
    passages += [Passage(a.text, "ask across teams") for a in asks]
    return SummaryRequest(IN_SHORT_TASK, tuple(passages), max_sentences=3)


def pending_in_short(session: Session, *, team_id: str, occurrence_id: int) -> SummaryRequest | None:
    """What the closing job's prepare step summarises: None if closed already, gone or switched off."""
    occurrence = get_occurrence(session, team_id, occurrence_id)
    if occurrence is None or occurrence.closed_at is not None or not summaries_enabled(session, team_id):
        return None
    return in_short_request(session, occurrence)


def close_occurrence(
    session: Session, *, team_id: str, occurrence_id: int, now: datetime, summarise: Summarise | None = None
) -> StandupOccurrence | None:
    """Close it and post the summary; ``summarise`` (the closing job's) adds "In short"."""
    occurrence = get_occurrence(session, team_id, occurrence_id)
    if occurrence is None or occurrence.closed_at is not None:
        return occurrence
    occurrence.closed_at = now
    session.flush()
    in_short = summarise_for(session, team_id, summarise, in_short_request(session, occurrence))
    if in_short is not None:
        store_summary(session, team_id, Ritual.STANDUP, occurrence.id, in_short, now)
    refresh_summary(session, occurrence, now=now, reason="close")
    return occurrence


def refresh_summary(session: Session, occurrence: StandupOccurrence, *, now: datetime, reason: str) -> None:
    """Update the parent message in place with the summary (only once the occurrence closed)."""
    if occurrence.closed_at is None:
        return
    summary = summary_of(session, occurrence)
    outbox.update_summary(session, occurrence, summary, key_suffix=f"{reason}:{now.isoformat()}", now=now)
