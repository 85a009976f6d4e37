"""What a retro shows: its channel message (``RetroCard``), its partnership health and its results
(``RetroSummary``), and the refreshes of both messages through the outbox.

The card never carries vote totals while the retro is open (they are tallied at close), and an
anonymous item carries no author.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.insights.models import Insight
from bot.retro import outbox
from bot.retro.data import (
    MIN_RATERS_PER_SIDE,
    ActionView,
    HealthSummary,
    InsightLine,
    ItemView,
    RetroCard,
    RetroSummary,
    SideHealth,
    opening_notes_of,
)
from bot.retro.goal_links import linked_goals, shows_goals
from bot.retro.ids import ActionStatus, Anonymity, RetroStatus, RetroTemplate, Side, Strand
from bot.retro.lookups import action_view_of, get_series, items_of, previous_retro
from bot.retro.models import Retro, RetroActionItem, RetroRating
from bot.retro.templates import INSIGHTS_PROMPT, TEMPLATES
from bot.summaries.data import Passage, Ritual, Summarise, SummaryRequest
from bot.summaries.service import store_summary, stored_summary, summaries_enabled, summarise_for

THEMES_TASK = (
    "Name the main themes of this retrospective between a product team and a marketing team in at most "
    "three sentences. Items carry the prompt they answer; the most voted come first."
)


def _review_actions(session: Session, retro: Retro) -> list[ActionView]:
    """Last time's action items with their status, plus older ones of the series still open."""
    previous = previous_retro(session, retro)
    if previous is None:
        return []
    query = (
        select(RetroActionItem)
        .where(
            RetroActionItem.team_id == retro.team_id,
            RetroActionItem.series_id == retro.series_id,
            RetroActionItem.retro_id < retro.id,
        )
        .order_by(RetroActionItem.id)
    )
    return [
        action_view_of(a) for a in session.scalars(query) if a.retro_id == previous.id or a.status == ActionStatus.OPEN
    ]


def _insights_since(session: Session, team_id: str, since: datetime, until: datetime) -> list[InsightLine]:
    """Customer insights captured in ``(since, until]``: read-only, through one small query."""
    rows = session.execute(
        select(Insight.number, Insight.text)
        .where(Insight.team_id == team_id, Insight.created_at > since, Insight.created_at <= until)
        .order_by(Insight.created_at)
        .limit(20)
    )
    return [InsightLine(number, text) for number, text in rows]


def retro_card(session: Session, retro: Retro) -> RetroCard:
    series = get_series(session, retro.team_id, retro.series_id)
    template = RetroTemplate(series.template)
    ratings = session.scalar(
        select(func.count())
        .select_from(RetroRating)
        .where(RetroRating.team_id == retro.team_id, RetroRating.retro_id == retro.id)
    )
    insights: list[InsightLine] = []
    insights_index = None
    if INSIGHTS_PROMPT in retro.prompts:
        insights_index = retro.prompts.index(INSIGHTS_PROMPT)
        previous = previous_retro(session, retro)
        since = previous.opened_at if previous is not None else series.created_at - timedelta(days=30)
        insights = _insights_since(session, retro.team_id, since, retro.opened_at)
    goals = (
        linked_goals(session, retro.team_id, retro.channel_id, series.goal_id)
        if shows_goals(template, series.goal_id)
        else []
    )
    return RetroCard(
        goals=goals,
        retro_id=retro.id,
        title=series.title,
        number=retro.number,
        template=template,
        prompts=list(retro.prompts),
        items=[ItemView(i.id, i.prompt_index, i.text, i.author_id, i.votes) for i in items_of(session, retro)],
        anonymity=Anonymity(retro.anonymity),
        votes_per_person=retro.votes_per_person,
        closes_at=retro.closes_at,
        status=RetroStatus(retro.status),
        facilitator_id=series.facilitator_id,
        rates_partnership=TEMPLATES[template].rates_partnership,
        rating_count=int(ratings or 0),
        previous_actions=_review_actions(session, retro),
        insights=insights,
        insights_prompt_index=insights_index,
        opening_notes=opening_notes_of(series.opening_notes),
    )


def refresh_retro_message(session: Session, retro: Retro, now: datetime, reason: str) -> None:
    """chat.update the retro's message in place. ``reason`` makes the outbox key unique per
    change; it must never name a person (an anonymous item's refresh would point at its author)."""
    series = get_series(session, retro.team_id, retro.series_id)
    outbox.update_retro_message(session, series, retro, retro_card(session, retro), now, reason)


# --------------------------------------------------------------------------------------------
# Partnership health and results


def _side_averages(session: Session, retro: Retro) -> dict[Side, tuple[int, dict[Strand, float]]]:
    rows = session.scalars(
        select(RetroRating).where(RetroRating.team_id == retro.team_id, RetroRating.retro_id == retro.id)
    )
    grouped: dict[Side, list[RetroRating]] = defaultdict(list)
    for rating in rows:
        grouped[Side(rating.side)].append(rating)
    result: dict[Side, tuple[int, dict[Strand, float]]] = {}
    for side, ratings in grouped.items():
        n = len(ratings)
        result[side] = (
            n,
            {
                Strand.TRUST: sum(r.trust for r in ratings) / n,
                Strand.OWNERSHIP: sum(r.ownership for r in ratings) / n,
                Strand.PLANNING: sum(r.planning for r in ratings) / n,
            },
        )
    return result


def health_summary(session: Session, retro: Retro) -> HealthSummary:
    current = _side_averages(session, retro)
    previous_run = previous_retro(session, retro)
    previous = _side_averages(session, previous_run) if previous_run is not None else {}
    sides: list[SideHealth] = []
    for side in Side:
        if side not in current:
            continue
        raters, averages = current[side]
        shown = averages if raters >= MIN_RATERS_PER_SIDE else None
        change = None
        before = previous.get(side)
        if shown is not None and before is not None and before[0] >= MIN_RATERS_PER_SIDE:
            change = {strand: shown[strand] - before[1][strand] for strand in Strand}
        sides.append(SideHealth(side, raters, shown, change))
    focus: dict[Strand, int] = dict.fromkeys(Strand, 0)
    for strand in session.scalars(
        select(RetroRating.focus).where(RetroRating.team_id == retro.team_id, RetroRating.retro_id == retro.id)
    ):
        focus[Strand(strand)] += 1
    return HealthSummary(sides, focus, previous_run.number if previous_run is not None else None)


def retro_summary(session: Session, retro: Retro) -> RetroSummary:
    series = get_series(session, retro.team_id, retro.series_id)
    items = sorted(items_of(session, retro), key=lambda i: (i.prompt_index, -i.votes, i.id))
    template = RetroTemplate(series.template)
    actions = session.scalars(
        select(RetroActionItem)
        .where(RetroActionItem.team_id == retro.team_id, RetroActionItem.retro_id == retro.id)
        .order_by(RetroActionItem.id)
    )
    return RetroSummary(
        retro_id=retro.id,
        title=series.title,
        number=retro.number,
        prompts=list(retro.prompts),
        items=[ItemView(i.id, i.prompt_index, i.text, i.author_id, i.votes) for i in items],
        health=health_summary(session, retro) if TEMPLATES[template].rates_partnership else None,
        facilitator_id=series.facilitator_id,
        action_items=[action_view_of(a) for a in actions],
        themes=stored_summary(session, retro.team_id, Ritual.RETRO, retro.id),
    )


def themes_request(session: Session, retro: Retro) -> SummaryRequest:
    """The items, most voted first, each with its prompt and never its author (anonymous or not)."""
    items = sorted(items_of(session, retro), key=lambda i: (-i.votes, i.id))
    prompts = list(retro.prompts)
    passages = tuple(
        Passage(i.text, prompts[i.prompt_index] if 0 <= i.prompt_index < len(prompts) else "") for i in items
    )
    return SummaryRequest(THEMES_TASK, passages, max_sentences=3)


def pending_themes(session: Session, retro: Retro) -> SummaryRequest | None:
    """What the themes job's prepare step summarises: None if not closed, done already or switched off."""
    if retro.status != RetroStatus.CLOSED or stored_summary(session, retro.team_id, Ritual.RETRO, retro.id):
        return None
    return themes_request(session, retro) if summaries_enabled(session, retro.team_id) else None


def write_themes(session: Session, retro: Retro, summarise: Summarise | None, now: datetime) -> None:
    """After closing (the ``retro.themes`` job): the results gain "Main themes", updated in place."""
    if retro.status != RetroStatus.CLOSED or stored_summary(session, retro.team_id, Ritual.RETRO, retro.id):
        return
    themes = summarise_for(session, retro.team_id, summarise, themes_request(session, retro))
    if themes is None:
        return
    store_summary(session, retro.team_id, Ritual.RETRO, retro.id, themes, now)
    refresh_summary(session, retro, now, "themes")


def refresh_summary(session: Session, retro: Retro, now: datetime, reason: str) -> None:
    """Update the summary reply in place so it lists the action items as they are added."""
    series = get_series(session, retro.team_id, retro.series_id)
    outbox.update_summary(session, series, retro, retro_summary(session, retro), now, reason)
