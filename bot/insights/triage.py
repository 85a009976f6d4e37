"""Triage: a triager changes an insight's status, the loop closes with whoever shared or +1'd it
(DMs; the source thread when it is internal), and a customer's own thread hears only the one
reply a triager chose after seeing its text.

Every function takes the caller's session and only flushes; Slack is read only through the
``Directory`` passed in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.insights import outbox
from bot.insights.data import Directory, InsightCard, InsightNotFound
from bot.insights.ids import Status
from bot.insights.listing import get_insight
from bot.insights.models import Insight, InsightSettings, InsightStatusChange
from bot.insights.setup import check_triager


@dataclass(frozen=True)
class TriageTarget:
    card: InsightCard
    # The insight came from a thread in a channel shared with another organisation: the triage
    # modal offers to tell them there (never by default).
    customer_channel: str | None


def triage_target(
    session: Session, directory: Directory, team_id: str, user_id: str, insight_id: int, now: datetime
) -> TriageTarget:
    """The insight a triager is about to triage. Raises NotTriager or InsightNotFound."""
    settings = check_triager(session, directory, team_id, user_id, now)
    insight = get_insight(session, team_id, insight_id)
    return TriageTarget(outbox.card(insight), customer_channel(directory, insight, settings))


def customer_channel(directory: Directory, insight: Insight, settings: InsightSettings) -> str | None:
    """The insight's source channel if a reply there would reach another organisation, else None.

    A channel Slack won't describe (deleted, private without us) counts as theirs: no reply
    goes there unasked. The outbox drainer checks again right before posting."""
    if not outbox.source_thread(insight, settings):
        return None
    return insight.source_channel_id if directory.shared_with_others(insight.source_channel_id) else None


@dataclass(frozen=True)
class TriageOutcome:
    insight: Insight
    change: InsightStatusChange | None  # None when the status stayed the same
    # The thread reply was not sent because the channel is shared with another organisation; the
    # triager may still choose it (``reply_in_customer_thread``).
    customer_channel: str | None = None
    # Exactly what a reply in that thread would say (``outbox.thread_reply_preview``), shown to
    # the triager before it is posted; empty when the status stayed the same.
    reply_preview: dict[str, Any] = field(default_factory=dict)


def triage(
    session: Session,
    directory: Directory,
    *,
    team_id: str,
    insight_id: int,
    user_id: str,
    status: Status,
    note: str,
    roadmap_url: str,
    now: datetime,
) -> TriageOutcome:
    """Change an insight's status (triagers only) and close the loop with whoever shared or +1'd it."""
    settings = check_triager(session, directory, team_id, user_id, now)
    insight = get_insight(session, team_id, insight_id)
    previous = Status(insight.status)
    insight.status = status.value
    insight.status_note = note
    insight.roadmap_url = roadmap_url
    insight.updated_at = now
    change = None
    held_back_in: str | None = None
    if status != previous:
        change = InsightStatusChange(
            team_id=team_id,
            insight_id=insight.id,
            from_status=previous.value,
            to_status=status.value,
            note=note,
            roadmap_url=roadmap_url,
            changed_by=user_id,
            changed_at=now,
        )
        session.add(change)
        session.flush()
        held_back_in = customer_channel(directory, insight, settings)
        outbox.close_the_loop(session, insight, change, settings, now, in_thread=held_back_in is None)
    session.flush()
    outbox.update_channel_message(session, insight, now)
    preview = outbox.thread_reply_preview(insight, change) if change is not None else {}
    return TriageOutcome(insight, change, held_back_in, preview)


def reply_in_customer_thread(
    session: Session,
    directory: Directory,
    *,
    team_id: str,
    insight_id: int,
    change_id: int,
    user_id: str,
    now: datetime,
) -> InsightStatusChange:
    """A triager chose to tell the customer's own thread about ``change`` (after seeing the text):
    one reply, recorded with who chose it and when. Choosing again changes nothing."""
    settings = check_triager(session, directory, team_id, user_id, now)
    insight = get_insight(session, team_id, insight_id)
    change = session.scalar(
        select(InsightStatusChange).where(
            InsightStatusChange.team_id == team_id,
            InsightStatusChange.insight_id == insight.id,
            InsightStatusChange.id == change_id,
        )
    )
    if change is None or not outbox.source_thread(insight, settings):
        raise InsightNotFound()
    if change.thread_reply_by:
        return change
    change.thread_reply_by = user_id
    change.thread_reply_at = now
    session.flush()
    outbox.enqueue_thread_reply(session, insight, change, now, chosen=True)
    return change
