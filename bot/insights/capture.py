"""Capturing insights: save one (and queue its post), offer similar ones first, park what was
typed meanwhile, and "heard this too" (+1).

Every function takes the caller's session and only flushes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.insights import outbox
from bot.insights.data import (
    CUSTOMER_MAX,
    DRAFT_TTL,
    SIMILAR_LIMIT,
    CaptureContext,
    CaptureForm,
    CleanCapture,
    DraftExpired,
    Errors,
    InsightCard,
)
from bot.insights.forms import url_problem, validate_capture
from bot.insights.ids import Status
from bot.insights.listing import get_insight, insights_by_id
from bot.insights.models import Insight, InsightDraft, InsightTag, InsightVote
from bot.insights.search import overlap, search_insight_ids, terms
from bot.insights.setup import get_settings, next_insight_number
from bot.slack.text import clean_text  # control characters dropped, ends stripped


def _tags(session: Session, team_id: str, names: Sequence[str], now: datetime) -> list[InsightTag]:
    if not names:
        return []
    existing = {
        tag.name: tag
        for tag in session.scalars(select(InsightTag).where(InsightTag.team_id == team_id, InsightTag.name.in_(names)))
    }
    result = []
    for name in names:
        tag = existing.get(name)
        if tag is None:
            tag = InsightTag(team_id=team_id, name=name, created_at=now)
            session.add(tag)
            existing[name] = tag
        result.append(tag)
    session.flush()
    return result


def capture_insight(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    capture: CleanCapture,
    context: CaptureContext,
    now: datetime,
    capture_view_id: str | None = None,
) -> Insight:
    """Store a new insight and queue its post in the insights channel (if one is set up)."""
    number = next_insight_number(session, team_id, now)
    settings = get_settings(session, team_id, now)
    insight = Insight(
        team_id=team_id,
        number=number,
        capture_view_id=capture_view_id,
        text=capture.text,
        customer=capture.customer,
        segment=capture.segment,
        source=capture.source,
        category=capture.category,
        impact=capture.impact,
        evidence_url=capture.evidence_url,
        status=Status.NEW.value,
        status_note="",
        roadmap_url="",
        submitted_by=user_id,
        source_channel_id=context.source_channel_id if context.message_ts else "",
        source_message_ts=context.message_ts,
        source_thread_ts=context.thread_ts,
        source_author_id=context.author_id,
        source_permalink=context.permalink if not url_problem(context.permalink) else "",
        channel_id="",
        message_ts=None,
        version=0,
        created_at=now,
        updated_at=now,
    )
    session.add(insight)
    session.flush()
    insight.tags = _tags(session, team_id, capture.tags, now)
    session.flush()
    if settings.channel_id:
        outbox.post_to_channel(session, insight, settings, now)
    return insight


def find_similar(session: Session, team_id: str, text: str, *, exclude: int | None = None) -> list[Insight]:
    """Existing insights that sound like ``text``: full-text candidates, kept if enough words overlap."""
    wanted = terms(text)
    if not wanted:
        return []
    ids = search_insight_ids(session, team_id, text, any_term=True, limit=25)
    if not ids:
        return []
    found = insights_by_id(session, team_id, ids)
    needed = min(2, len(wanted))
    similar = []
    for insight_id in ids:
        insight = found.get(insight_id)
        if insight is None or insight.id == exclude:
            continue
        score = overlap(wanted, f"{insight.text} {insight.customer}")
        if score * len(wanted) >= needed and score >= 0.4:
            similar.append(insight)
        if len(similar) >= SIMILAR_LIMIT:
            break
    return similar


def park_draft(
    session: Session, *, team_id: str, user_id: str, form: CaptureForm, context: CaptureContext, now: datetime
) -> InsightDraft:
    """Keep what someone typed while they decide about similar insights."""
    session.execute(
        delete(InsightDraft).where(InsightDraft.team_id == team_id, InsightDraft.created_at < now - DRAFT_TTL)
    )
    draft = InsightDraft(
        team_id=team_id,
        user_id=user_id,
        data={"form": form.model_dump(), "context": context.model_dump()},
        created_at=now,
    )
    session.add(draft)
    session.flush()
    return draft


def load_draft(session: Session, team_id: str, user_id: str, draft_id: int) -> tuple[CaptureForm, CaptureContext]:
    draft = session.scalar(
        select(InsightDraft).where(
            InsightDraft.team_id == team_id, InsightDraft.id == draft_id, InsightDraft.user_id == user_id
        )
    )
    if draft is None:
        raise DraftExpired()
    return CaptureForm.model_validate(draft.data.get("form") or {}), CaptureContext.model_validate(
        draft.data.get("context") or {}
    )


@dataclass(frozen=True)
class CaptureOutcome:
    insight: Insight
    plus_one: bool  # True: the person added their voice to an existing insight
    channel_id: str | None  # where the insight is (or will be) posted


@dataclass(frozen=True)
class SubmitOutcome:
    """What to do after the capture modal is submitted: show errors, offer duplicates, or done."""

    errors: Errors = field(default_factory=dict)
    similar: list[InsightCard] = field(default_factory=list)  # shown in the duplicate offer
    draft_id: int | None = None
    done: CaptureOutcome | None = None


def submit_capture(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    form: CaptureForm,
    context: CaptureContext,
    now: datetime,
    view_id: str | None = None,
) -> SubmitOutcome:
    """The capture modal's submission: validate, look for duplicates, else save.

    ``view_id`` makes it idempotent: the same modal submitted again (a double click, a re-sent
    request) answers with the insight it already saved instead of saving another.
    """
    capture, errors = validate_capture(form)
    if capture is None:
        return SubmitOutcome(errors=errors)
    if view_id:
        saved = session.scalar(select(Insight).where(Insight.team_id == team_id, Insight.capture_view_id == view_id))
        if saved is not None:
            return SubmitOutcome(done=CaptureOutcome(saved, False, get_settings(session, team_id, now).channel_id))
    similar = find_similar(session, team_id, capture.text)
    if similar:
        draft = park_draft(session, team_id=team_id, user_id=user_id, form=form, context=context, now=now)
        return SubmitOutcome(similar=[outbox.card(i) for i in similar], draft_id=draft.id)
    insight = capture_insight(
        session, team_id=team_id, user_id=user_id, capture=capture, context=context, now=now, capture_view_id=view_id
    )
    return SubmitOutcome(done=CaptureOutcome(insight, False, get_settings(session, team_id, now).channel_id))


def resolve_draft(
    session: Session, *, team_id: str, user_id: str, draft_id: int, plus_one_of: int | None, now: datetime
) -> CaptureOutcome:
    """The duplicate offer's answer: +1 an existing insight (``plus_one_of``) or save as new."""
    form, context = load_draft(session, team_id, user_id, draft_id)
    capture, _errors = validate_capture(form)
    if capture is None:  # validated before parking; only a hand-made payload gets here
        raise DraftExpired()
    if plus_one_of is not None:
        insight = add_plus_one(
            session,
            team_id=team_id,
            insight_id=plus_one_of,
            user_id=user_id,
            customer=capture.customer,
            note=capture.text,
            now=now,
        )
        outcome = CaptureOutcome(insight, True, insight.channel_id or None)
    else:
        insight = capture_insight(session, team_id=team_id, user_id=user_id, capture=capture, context=context, now=now)
        outcome = CaptureOutcome(insight, False, get_settings(session, team_id, now).channel_id)
    session.execute(delete(InsightDraft).where(InsightDraft.team_id == team_id, InsightDraft.id == draft_id))
    return outcome


def add_plus_one(
    session: Session, *, team_id: str, insight_id: int, user_id: str, customer: str, note: str, now: datetime
) -> Insight:
    """Record "heard this too" (one per person: a second one updates the first)."""
    insight = get_insight(session, team_id, insight_id)
    vote = next((v for v in insight.votes if v.user_id == user_id), None)
    customer = clean_text(customer)[:CUSTOMER_MAX]
    note = clean_text(note)
    if vote is None:
        insight.votes.append(
            InsightVote(team_id=team_id, user_id=user_id, customer=customer, note=note, created_at=now)
        )
    else:
        vote.customer = customer or vote.customer
        vote.note = note or vote.note
    insight.updated_at = now
    session.flush()
    outbox.update_channel_message(session, insight, now)
    return insight
