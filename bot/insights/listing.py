"""Reading insights: one by id, the workspace's tags, and ``/insight list`` / ``search`` pages."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from bot.insights import outbox
from bot.insights.data import PAGE_SIZE, SEARCH_LIMIT, InsightCard, InsightFilter, InsightNotFound, InsightPage
from bot.insights.models import Insight, InsightTag, InsightTagLink
from bot.insights.search import search_insight_ids


def insights_by_id(session: Session, team_id: str, ids: Collection[int]) -> dict[int, Insight]:
    """The workspace's insights among ``ids`` (tags and +1s loaded), by id; others are left out."""
    query = (
        select(Insight)
        .where(Insight.team_id == team_id, Insight.id.in_(ids))
        .options(selectinload(Insight.tags), selectinload(Insight.votes))
    )
    return {insight.id: insight for insight in session.scalars(query)}


def get_insight(session: Session, team_id: str, insight_id: int) -> Insight:
    insight = insights_by_id(session, team_id, [insight_id]).get(insight_id)
    if insight is None:
        raise InsightNotFound()
    return insight


def insight_card(session: Session, team_id: str, insight_id: int) -> InsightCard:
    """The insight as the views show it. Raises InsightNotFound."""
    return outbox.card(get_insight(session, team_id, insight_id))


def list_tag_names(session: Session, team_id: str, limit: int = 100) -> list[str]:
    return list(
        session.scalars(
            select(InsightTag.name).where(InsightTag.team_id == team_id).order_by(InsightTag.name).limit(limit)
        )
    )


def list_insights(session: Session, team_id: str, user_id: str, flt: InsightFilter, page: int = 1) -> InsightPage:
    page = max(1, page)
    if flt.kind == "search":
        ids = search_insight_ids(session, team_id, flt.value, limit=SEARCH_LIMIT)
        window = ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        by_id = insights_by_id(session, team_id, window)
        return InsightPage(flt, [outbox.card(by_id[i]) for i in window if i in by_id], page, len(ids))
    query = select(Insight).where(Insight.team_id == team_id)
    if flt.kind == "mine":
        query = query.where(Insight.submitted_by == user_id)
    elif flt.kind == "status":
        query = query.where(Insight.status == flt.value)
    elif flt.kind == "category":
        query = query.where(Insight.category == flt.value)
    elif flt.kind == "tag":
        query = query.where(
            Insight.id.in_(
                select(InsightTagLink.insight_id)
                .join(InsightTag, InsightTag.id == InsightTagLink.tag_id)
                .where(InsightTag.team_id == team_id, InsightTag.name == flt.value)
            )
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Insight.created_at.desc(), Insight.id.desc())
        .offset((page - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
        .options(selectinload(Insight.tags), selectinload(Insight.votes))
    )
    return InsightPage(flt, [outbox.card(i) for i in rows], page, total)
