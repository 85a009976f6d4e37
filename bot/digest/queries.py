"""Read-only queries the digest and the App Home run against other features' tables.

This is the one place that knows their models: when a stand-up, insight, retro or scheduling
model changes, adapt here. Every query filters by ``team_id`` and by an indexed time range
(see migration 0006 for the indexes), and returns plain tuples/rows, never ORM objects that a
caller could change by accident.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from bot.insights.models import Insight, InsightStatusChange, InsightVote
from bot.retro.ids import ActionStatus, RetroStatus
from bot.retro.models import Retro, RetroActionItem, RetroRating, RetroSeries
from bot.standup.ids import AskStatus
from bot.standup.models import (
    Standup,
    StandupAnswer,
    StandupAsk,
    StandupOccurrence,
    StandupParticipant,
    StandupPrompt,
)

Rows = list[tuple[Any, ...]]


def _rows(result: Iterable[Any]) -> Rows:
    return [tuple(row) for row in result]


# --- stand-ups -------------------------------------------------------------------------------


def answers_by_side(session: Session, team_id: str, start: datetime, end: datetime) -> dict[str, int]:
    rows = session.execute(
        select(StandupAnswer.side, func.count())
        .where(StandupAnswer.team_id == team_id, StandupAnswer.created_at >= start, StandupAnswer.created_at < end)
        .group_by(StandupAnswer.side)
    )
    return {str(side): int(count) for side, count in rows}


def off_in_period(session: Session, team_id: str, start: datetime, end: datetime) -> Rows:
    """(user, holiday, local date) of people off for a holiday at a stand-up of the period."""
    return _rows(
        session.execute(
            select(StandupPrompt.user_id, StandupPrompt.holiday, StandupOccurrence.local_date)
            .join(StandupOccurrence, StandupOccurrence.id == StandupPrompt.occurrence_id)
            .where(
                StandupPrompt.team_id == team_id,
                StandupPrompt.due_at >= start,
                StandupPrompt.due_at < end,
                StandupPrompt.holiday != "",
            )
            .distinct()
            .order_by(StandupOccurrence.local_date, StandupPrompt.user_id)
        )
    )


def prompts_by_side(session: Session, team_id: str, start: datetime, end: datetime) -> dict[str, int]:
    """People asked to answer in the period (prompted, not away), by side."""
    rows = session.execute(
        select(StandupPrompt.side, func.count())
        .where(
            StandupPrompt.team_id == team_id,
            StandupPrompt.prompted_at >= start,
            StandupPrompt.prompted_at < end,
            StandupPrompt.away.is_(False),
        )
        .group_by(StandupPrompt.side)
    )
    return {str(side): int(count) for side, count in rows}


def latest_answers_with_blockers(
    session: Session, team_id: str, start: datetime, end: datetime
) -> list[tuple[str, str, str, datetime]]:
    """(user, stand-up name, blocker, answered at) for each person's latest answer of each stand-up
    in the period, when that latest answer still names a blocker (a later answer without one
    means it was resolved)."""
    latest = (
        select(StandupAnswer.standup_id, StandupAnswer.user_id, func.max(StandupAnswer.created_at).label("at"))
        .where(StandupAnswer.team_id == team_id, StandupAnswer.created_at >= start, StandupAnswer.created_at < end)
        .group_by(StandupAnswer.standup_id, StandupAnswer.user_id)
        .subquery()
    )
    rows = session.execute(
        select(StandupAnswer.user_id, Standup.name, StandupAnswer.blocker, StandupAnswer.created_at)
        .join(
            latest,
            and_(
                latest.c.standup_id == StandupAnswer.standup_id,
                latest.c.user_id == StandupAnswer.user_id,
                latest.c.at == StandupAnswer.created_at,
            ),
        )
        .join(Standup, Standup.id == StandupAnswer.standup_id)
        .where(StandupAnswer.team_id == team_id, Standup.team_id == team_id, StandupAnswer.blocker != "")
        .order_by(StandupAnswer.created_at)
    )
    return [(str(u), str(n), str(b), at) for u, n, b, at in rows]


def open_asks(session: Session, team_id: str, limit: int) -> tuple[int, list[tuple[str, str, str, datetime, str]]]:
    """(total, oldest first: (from, to, text, created, stand-up name)) of asks nobody handled yet."""
    where = (StandupAsk.team_id == team_id, StandupAsk.status == AskStatus.OPEN.value)
    total = session.scalar(select(func.count()).select_from(StandupAsk).where(*where)) or 0
    rows = session.execute(
        select(StandupAsk.from_user, StandupAsk.to_user, StandupAsk.text, StandupAsk.created_at, Standup.name)
        .join(Standup, Standup.id == StandupAsk.standup_id)
        .where(*where, Standup.team_id == team_id)
        .order_by(StandupAsk.created_at, StandupAsk.id)
        .limit(limit)
    )
    return int(total), [(str(a), str(b), str(t), c, str(n)) for a, b, t, c, n in rows]


def weekly_answers_by_side(session: Session, team_id: str, edges: Sequence[datetime]) -> dict[str, list[int]]:
    """Answers per side in each [edges[i], edges[i+1]) bucket. One small indexed range query per
    bucket: faster on both databases than one scan with a CASE per bucket."""
    found: dict[str, list[int]] = {}
    buckets = list(pairwise(edges))
    for index, (lo, hi) in enumerate(buckets):
        for side, count in answers_by_side(session, team_id, lo, hi).items():
            found.setdefault(side, [0] * len(buckets))[index] = count
    return found


# --- insights --------------------------------------------------------------------------------


def count_new_insights(session: Session, team_id: str, start: datetime, end: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Insight)
            .where(Insight.team_id == team_id, Insight.created_at >= start, Insight.created_at < end)
        )
        or 0
    )


def new_insights(session: Session, team_id: str, start: datetime, end: datetime, limit: int) -> Rows:
    """Insights created in the period with their +1 count, most +1'd first (then newest)."""
    votes = (
        select(func.count())
        .where(InsightVote.insight_id == Insight.id, InsightVote.team_id == team_id)
        .correlate(Insight)
        .scalar_subquery()
        .label("plus_ones")
    )
    return _rows(
        session.execute(
            select(
                Insight.number,
                Insight.text,
                Insight.category,
                Insight.segment,
                Insight.customer,
                Insight.submitted_by,
                votes,
            )
            .where(Insight.team_id == team_id, Insight.created_at >= start, Insight.created_at < end)
            .order_by(votes.desc(), Insight.created_at.desc(), Insight.id.desc())
            .limit(limit)
        )
    )


def new_insights_by_category(session: Session, team_id: str, start: datetime, end: datetime) -> dict[str | None, int]:
    rows = session.execute(
        select(Insight.category, func.count())
        .where(Insight.team_id == team_id, Insight.created_at >= start, Insight.created_at < end)
        .group_by(Insight.category)
    )
    return {category: int(count) for category, count in rows}


def weekly_insights_by_category(
    session: Session, team_id: str, edges: Sequence[datetime]
) -> dict[str | None, list[int]]:
    """New insights per category in each [edges[i], edges[i+1]) bucket (see weekly_answers_by_side)."""
    found: dict[str | None, list[int]] = {}
    buckets = list(pairwise(edges))
    for index, (lo, hi) in enumerate(buckets):
        for category, count in new_insights_by_category(session, team_id, lo, hi).items():
            found.setdefault(category, [0] * len(buckets))[index] = count
    return found


def status_changes(session: Session, team_id: str, start: datetime, end: datetime, limit: int) -> tuple[int, Rows]:
    where = (
        InsightStatusChange.team_id == team_id,
        InsightStatusChange.changed_at >= start,
        InsightStatusChange.changed_at < end,
    )
    total = session.scalar(select(func.count()).select_from(InsightStatusChange).where(*where)) or 0
    rows = session.execute(
        select(
            Insight.number,
            Insight.text,
            Insight.submitted_by,
            InsightStatusChange.from_status,
            InsightStatusChange.to_status,
            InsightStatusChange.changed_at,
            InsightStatusChange.note,
        )
        .join(Insight, Insight.id == InsightStatusChange.insight_id)
        .where(*where, Insight.team_id == team_id)
        .order_by(InsightStatusChange.changed_at.desc(), InsightStatusChange.id.desc())
        .limit(limit)
    )
    return int(total), _rows(rows)


def count_status_changes(session: Session, team_id: str, start: datetime, end: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(InsightStatusChange)
            .where(
                InsightStatusChange.team_id == team_id,
                InsightStatusChange.changed_at >= start,
                InsightStatusChange.changed_at < end,
            )
        )
        or 0
    )


def insights_of(session: Session, team_id: str, user_id: str, limit: int) -> Rows:
    """The insights ``user_id`` shared, most recently changed first (App Home)."""
    return _rows(
        session.execute(
            select(Insight.number, Insight.text, Insight.status, Insight.updated_at)
            .where(Insight.team_id == team_id, Insight.submitted_by == user_id)
            .order_by(Insight.updated_at.desc(), Insight.id.desc())
            .limit(limit)
        )
    )


# --- retro action items and health -----------------------------------------------------------


def actions_done(session: Session, team_id: str, start: datetime, end: datetime, limit: int) -> tuple[int, Rows]:
    where = (
        RetroActionItem.team_id == team_id,
        RetroActionItem.completed_at >= start,
        RetroActionItem.completed_at < end,
        RetroActionItem.status == ActionStatus.DONE.value,
    )
    total = session.scalar(select(func.count()).select_from(RetroActionItem).where(*where)) or 0
    rows = session.execute(
        select(RetroActionItem.text, RetroActionItem.owner_id, RetroActionItem.due_on, RetroActionItem.completed_at)
        .where(*where)
        .order_by(RetroActionItem.completed_at.desc(), RetroActionItem.id.desc())
        .limit(limit)
    )
    return int(total), _rows(rows)


def count_actions_done(session: Session, team_id: str, start: datetime, end: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(RetroActionItem)
            .where(
                RetroActionItem.team_id == team_id,
                RetroActionItem.completed_at >= start,
                RetroActionItem.completed_at < end,
                RetroActionItem.status == ActionStatus.DONE.value,
            )
        )
        or 0
    )


def open_actions(session: Session, team_id: str, today: date, limit: int) -> tuple[int, int, Rows]:
    """(overdue total, open-not-overdue total, soonest due first) of open action items."""
    where = (RetroActionItem.team_id == team_id, RetroActionItem.status == ActionStatus.OPEN.value)
    overdue, total = session.execute(
        select(func.sum(case((RetroActionItem.due_on < today, 1), else_=0)), func.count())
        .select_from(RetroActionItem)
        .where(*where)
    ).one()
    rows = session.execute(
        select(RetroActionItem.text, RetroActionItem.owner_id, RetroActionItem.due_on)
        .where(*where)
        .order_by(RetroActionItem.due_on, RetroActionItem.id)
        .limit(limit)
    )
    overdue = int(overdue or 0)
    return overdue, int(total or 0) - overdue, _rows(rows)


def health_ratings(session: Session, team_id: str, since: datetime, until: datetime) -> Rows:
    """Per closed retro and side: (retro id, closed at, series title, number, side, raters, avg trust,
    avg ownership, avg planning), oldest first. Aggregates only: ratings are anonymous."""
    return _rows(
        session.execute(
            select(
                Retro.id,
                Retro.closed_at,
                RetroSeries.title,
                Retro.number,
                RetroRating.side,
                func.count(),
                func.avg(RetroRating.trust),
                func.avg(RetroRating.ownership),
                func.avg(RetroRating.planning),
            )
            .join(Retro, Retro.id == RetroRating.retro_id)
            .join(RetroSeries, RetroSeries.id == Retro.series_id)
            .where(
                RetroRating.team_id == team_id,
                Retro.team_id == team_id,
                Retro.status == RetroStatus.CLOSED.value,
                Retro.closed_at >= since,
                Retro.closed_at < until,
            )
            .group_by(Retro.id, Retro.closed_at, RetroSeries.title, Retro.number, RetroRating.side)
            .order_by(Retro.closed_at, Retro.id)
        )
    )


# --- names for upcoming rituals, App Home ----------------------------------------------------


def standup_names(session: Session, team_id: str, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(select(Standup.id, Standup.name).where(Standup.team_id == team_id, Standup.id.in_(ids)))
    return {int(i): str(n) for i, n in rows}


def retro_series_titles(session: Session, team_id: str, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(RetroSeries.id, RetroSeries.title).where(RetroSeries.team_id == team_id, RetroSeries.id.in_(ids))
    )
    return {int(i): str(n) for i, n in rows}


def standups_of(session: Session, team_id: str, user_id: str) -> list[int]:
    """Ids of the stand-ups ``user_id`` takes part in."""
    return [
        int(i)
        for i in session.scalars(
            select(StandupParticipant.standup_id).where(
                StandupParticipant.team_id == team_id,
                StandupParticipant.user_id == user_id,
                StandupParticipant.active.is_(True),
            )
        )
    ]


def pending_standups(session: Session, team_id: str, user_id: str) -> Rows:
    """Open occurrences ``user_id`` was prompted for and has neither answered nor skipped:
    (occurrence id, stand-up name, closes at)."""
    answered = (
        select(StandupAnswer.id)
        .where(
            StandupAnswer.team_id == team_id,
            StandupAnswer.occurrence_id == StandupOccurrence.id,
            StandupAnswer.user_id == user_id,
        )
        .exists()
    )
    return _rows(
        session.execute(
            select(StandupOccurrence.id, Standup.name, StandupOccurrence.closes_at)
            .join(StandupPrompt, StandupPrompt.occurrence_id == StandupOccurrence.id)
            .join(Standup, Standup.id == StandupOccurrence.standup_id)
            .where(
                StandupOccurrence.team_id == team_id,
                StandupPrompt.team_id == team_id,
                StandupPrompt.user_id == user_id,
                StandupPrompt.prompted_at.is_not(None),
                StandupPrompt.skipped_at.is_(None),
                StandupOccurrence.closed_at.is_(None),
                ~answered,
            )
            .order_by(StandupOccurrence.closes_at)
        )
    )


def my_open_asks(session: Session, team_id: str, user_id: str, limit: int) -> Rows:
    """(ask id, from, text, created at, stand-up name) of open asks addressed to ``user_id``."""
    return _rows(
        session.execute(
            select(StandupAsk.id, StandupAsk.from_user, StandupAsk.text, StandupAsk.created_at, Standup.name)
            .join(Standup, Standup.id == StandupAsk.standup_id)
            .where(
                StandupAsk.team_id == team_id,
                StandupAsk.to_user == user_id,
                StandupAsk.status == AskStatus.OPEN.value,
                Standup.team_id == team_id,
            )
            .order_by(StandupAsk.created_at, StandupAsk.id)
            .limit(limit)
        )
    )


def my_open_actions(session: Session, team_id: str, user_id: str, limit: int) -> Rows:
    """(action id, text, due on, series title) of open retro action items ``user_id`` owns."""
    return _rows(
        session.execute(
            select(RetroActionItem.id, RetroActionItem.text, RetroActionItem.due_on, RetroSeries.title)
            .join(RetroSeries, RetroSeries.id == RetroActionItem.series_id)
            .where(
                RetroActionItem.team_id == team_id,
                RetroActionItem.owner_id == user_id,
                RetroActionItem.status == ActionStatus.OPEN.value,
                RetroSeries.team_id == team_id,
            )
            .order_by(RetroActionItem.due_on, RetroActionItem.id)
            .limit(limit)
        )
    )


def rituals_owned(session: Session, team_id: str, user_id: str) -> list[tuple[str, int, str]]:
    """(kind, id, name) of the stand-ups and retro series ``user_id`` owns (App Home edit buttons)."""
    found: list[tuple[str, int, str]] = [
        ("standup", int(i), str(n))
        for i, n in session.execute(
            select(Standup.id, Standup.name).where(Standup.team_id == team_id, Standup.owner_id == user_id)
        )
    ]
    found += [
        ("retro", int(i), str(t))
        for i, t in session.execute(
            select(RetroSeries.id, RetroSeries.title).where(
                RetroSeries.team_id == team_id,
                RetroSeries.facilitator_id == user_id,
                RetroSeries.archived.is_(False),
            )
        )
    ]
    return found
