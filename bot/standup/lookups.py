"""Reading a stand-up's rows, always by ``(team_id, id)``: the lookups every use case shares, and
who may manage a stand-up. No writes."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.slack.text import escape, name_key, truncate
from bot.standup.data import DEFAULT_QUESTIONS, NotAllowed, NotFound
from bot.standup.ids import AskStatus
from bot.standup.models import (
    Standup,
    StandupAbsence,
    StandupAnswer,
    StandupAsk,
    StandupOccurrence,
    StandupParticipant,
    StandupPrompt,
)


def find_by_name(session: Session, team_id: str, name: str) -> Standup | None:
    """The stand-up whose name matches ``name`` by ``name_key`` (case, accents' encoding, width and
    spacing aside); the oldest if rows from before the key clash."""
    wanted = name_key(name)
    if not wanted:
        return None
    return session.scalar(
        select(Standup).where(Standup.team_id == team_id, Standup.name_key == wanted).order_by(Standup.id).limit(1)
    )


def name_taken(session: Session, team_id: str, name: str, standup_id: int | None) -> bool:
    other = find_by_name(session, team_id, name)
    return other is not None and other.id != standup_id


def get_standup(session: Session, team_id: str, standup_id: int) -> Standup | None:
    return session.scalar(select(Standup).where(Standup.team_id == team_id, Standup.id == standup_id))


def list_standups(session: Session, team_id: str) -> list[tuple[Standup, int]]:
    counts = (
        select(StandupParticipant.standup_id, func.count().label("n"))
        .where(StandupParticipant.team_id == team_id, StandupParticipant.active.is_(True))
        .group_by(StandupParticipant.standup_id)
        .subquery()
    )
    rows = session.execute(
        select(Standup, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.standup_id == Standup.id)
        .where(Standup.team_id == team_id)
        .order_by(Standup.name)
    )
    return [(standup, int(n)) for standup, n in rows]


def participants_of(
    session: Session, team_id: str, standup_id: int, *, active_only: bool = True
) -> list[StandupParticipant]:
    query = select(StandupParticipant).where(
        StandupParticipant.team_id == team_id, StandupParticipant.standup_id == standup_id
    )
    if active_only:
        query = query.where(StandupParticipant.active.is_(True))
    return list(session.scalars(query.order_by(StandupParticipant.id)))


def participant(session: Session, team_id: str, standup_id: int, user_id: str) -> StandupParticipant | None:
    return session.scalar(
        select(StandupParticipant).where(
            StandupParticipant.team_id == team_id,
            StandupParticipant.standup_id == standup_id,
            StandupParticipant.user_id == user_id,
        )
    )


def can_manage(standup: Standup, user_id: str, is_admin: bool) -> bool:
    return standup.owner_id == user_id or is_admin


def managed(session: Session, team_id: str, name: str, actor_id: str, actor_is_admin: bool) -> Standup:
    """The stand-up called ``name``, if ``actor_id`` may manage it (its owner or an admin)."""
    standup = find_by_name(session, team_id, name)
    if standup is None:
        raise NotFound(_not_found(session, team_id, name))
    if not can_manage(standup, actor_id, actor_is_admin):
        raise NotAllowed(
            f"Only the owner of “{escape(standup.name)}” (<@{standup.owner_id}>) or a workspace admin can change it."
        )
    return standup


def _not_found(session: Session, team_id: str, name: str) -> str:
    names = [s.name for s, _ in list_standups(session, team_id)]
    if not name.strip():
        return "Which stand-up? Add its name, e.g. `/standup pause Launch sync`."
    if not names:
        return "There are no stand-ups yet. Type `/standup` to set one up."
    shown = escape(truncate(name.strip(), 80))
    return f"I can't find a stand-up called “{shown}”. Stand-ups here: " + ", ".join(f"“{escape(n)}”" for n in names)


def get_occurrence(session: Session, team_id: str, occurrence_id: int) -> StandupOccurrence | None:
    return session.scalar(
        select(StandupOccurrence).where(StandupOccurrence.team_id == team_id, StandupOccurrence.id == occurrence_id)
    )


def prompt_of(session: Session, team_id: str, occurrence_id: int, user_id: str) -> StandupPrompt | None:
    return session.scalar(
        select(StandupPrompt).where(
            StandupPrompt.team_id == team_id,
            StandupPrompt.occurrence_id == occurrence_id,
            StandupPrompt.user_id == user_id,
        )
    )


def get_answer(session: Session, team_id: str, answer_id: int) -> StandupAnswer | None:
    return session.scalar(select(StandupAnswer).where(StandupAnswer.team_id == team_id, StandupAnswer.id == answer_id))


def answer_of(session: Session, team_id: str, occurrence_id: int, user_id: str) -> StandupAnswer | None:
    return session.scalar(
        select(StandupAnswer).where(
            StandupAnswer.team_id == team_id,
            StandupAnswer.occurrence_id == occurrence_id,
            StandupAnswer.user_id == user_id,
        )
    )


def ask_of(session: Session, team_id: str, answer_id: int) -> StandupAsk | None:
    """The answer's ask (withdrawn ones aside)."""
    return session.scalar(
        select(StandupAsk).where(
            StandupAsk.team_id == team_id,
            StandupAsk.answer_id == answer_id,
            StandupAsk.status != AskStatus.WITHDRAWN,
        )
    )


def open_asks_for(session: Session, team_id: str, user_id: str) -> list[StandupAsk]:
    return list(
        session.scalars(
            select(StandupAsk)
            .where(StandupAsk.team_id == team_id, StandupAsk.to_user == user_id, StandupAsk.status == AskStatus.OPEN)
            .order_by(StandupAsk.id)
        )
    )


def questions_for(standup: Standup, side: str) -> list[str]:
    questions = standup.questions or {}
    return list(questions.get(side) or questions.get("all") or DEFAULT_QUESTIONS)


def is_away(session: Session, team_id: str, user_id: str, on: date) -> bool:
    return (
        session.scalar(
            select(StandupAbsence.id)
            .where(
                StandupAbsence.team_id == team_id,
                StandupAbsence.user_id == user_id,
                StandupAbsence.starts_on <= on,
                StandupAbsence.ends_on >= on,
            )
            .limit(1)
        )
        is not None
    )


def valid_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def local_today(tz: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(valid_zone(tz))).date()
