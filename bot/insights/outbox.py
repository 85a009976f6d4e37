"""Every message customer insights sends, through the outbox (render with the views, key, enqueue),
and the hook that records where the insight's post landed.

Keys are derived from what makes each message unique:

- ``insight:{id}:post`` — the insight's message in the insights channel (its ``ts`` is recorded on
  the insight by a result hook; updates reference it with ``result_ref``),
- ``insight:{id}:update:{version}`` — each edit of that message,
- ``insight:{id}:change:{change}:dm:{user}`` / ``:thread`` — the loop-closing notifications of
  one status change.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.insights import views
from bot.insights.data import RITUAL_KIND, InsightCard, StatusNotice
from bot.insights.ids import Category, Hook, Impact, Source, Status
from bot.insights.models import Insight, InsightSettings, InsightStatusChange
from bot.slack.delivery_models import OutboxMessage
from bot.slack.outbox import ResultHook, Ritual, enqueue, result_ref


def post_key(insight: Insight) -> str:
    return f"insight:{insight.id}:post"


def card(insight: Insight) -> InsightCard:
    """The insight as the views show it."""
    return InsightCard(
        id=insight.id,
        number=insight.number,
        text=insight.text,
        customer=insight.customer,
        segment=insight.segment,
        source=Source(insight.source) if insight.source else None,
        category=Category(insight.category) if insight.category else None,
        impact=Impact(insight.impact) if insight.impact else None,
        evidence_url=insight.evidence_url,
        tags=insight.tag_names,
        status=Status(insight.status),
        status_note=insight.status_note,
        roadmap_url=insight.roadmap_url,
        submitted_by=insight.submitted_by,
        plus_ones=len(insight.votes),
        plus_one_customers=[v.customer for v in insight.votes if v.customer],
        created_at=insight.created_at,
        channel_id=insight.channel_id,
        message_ts=insight.message_ts,
        source_permalink=insight.source_permalink,
    )


def post_to_channel(session: Session, insight: Insight, settings: InsightSettings, now: datetime) -> None:
    assert settings.channel_id
    insight.channel_id = settings.channel_id
    session.flush()
    enqueue(
        session,
        team_id=insight.team_id,
        method="chat.postMessage",
        args={"channel": settings.channel_id, "unfurl_links": False, **views.build_insight_message(card(insight))},
        key=post_key(insight),
        now=now,
        ritual=Ritual(RITUAL_KIND, insight.id, settings.updated_by or insight.submitted_by),
        on_result=Hook.POSTED,
    )


def update_channel_message(session: Session, insight: Insight, now: datetime) -> None:
    if not insight.channel_id:
        return
    insight.version += 1
    session.flush()
    enqueue(
        session,
        team_id=insight.team_id,
        method="chat.update",
        args={
            "channel": insight.channel_id,
            "ts": result_ref(post_key(insight)),
            **views.build_insight_message(card(insight)),
        },
        key=f"insight:{insight.id}:update:{insight.version}",
        now=now,
    )


def notice(insight: Insight, change: InsightStatusChange) -> StatusNotice:
    return StatusNotice(
        number=insight.number,
        text=insight.text,
        status=Status(change.to_status),
        note=change.note,
        roadmap_url=change.roadmap_url,
        changed_by=change.changed_by,
        insight_permalink_channel=insight.channel_id,
    )


def source_thread(insight: Insight, settings: InsightSettings) -> bool:
    """Whether the workspace answers in the thread an insight was captured from (and it has one)."""
    return bool(settings.notify_thread and insight.source_channel_id and insight.source_message_ts)


def close_the_loop(
    session: Session,
    insight: Insight,
    change: InsightStatusChange,
    settings: InsightSettings,
    now: datetime,
    *,
    in_thread: bool,
) -> None:
    """DM the submitter and the +1ers; reply in the source thread only if ``in_thread`` (it is
    internal): a customer's channel hears only what a triager chose for it."""
    status_notice = notice(insight, change)
    recipients: dict[str, bool] = {}  # user -> is the submitter
    if settings.notify_submitter:
        recipients[insight.submitted_by] = True
    if settings.notify_plus_ones:
        for vote in insight.votes:
            recipients.setdefault(vote.user_id, False)
    recipients.pop(change.changed_by, None)  # the triager knows already
    for user_id, is_submitter in recipients.items():
        enqueue(
            session,
            team_id=insight.team_id,
            method="chat.postMessage",
            args={"channel": user_id, **views.build_status_dm(status_notice, submitter=is_submitter)},
            key=f"insight:{insight.id}:change:{change.id}:dm:{user_id}",
            now=now,
        )
    if in_thread and source_thread(insight, settings):
        enqueue_thread_reply(session, insight, change, now, chosen=False)


def thread_reply_preview(insight: Insight, change: InsightStatusChange) -> dict[str, Any]:
    """Exactly what ``enqueue_thread_reply`` posts for ``change``."""
    return views.build_thread_reply(notice(insight, change))


def enqueue_thread_reply(
    session: Session, insight: Insight, change: InsightStatusChange, now: datetime, *, chosen: bool
) -> None:
    enqueue(
        session,
        team_id=insight.team_id,
        method="chat.postMessage",
        args={
            "channel": insight.source_channel_id,
            "thread_ts": insight.source_thread_ts or insight.source_message_ts,
            "unfurl_links": False,
            **thread_reply_preview(insight, change),
        },
        key=f"insight:{insight.id}:change:{change.id}:thread",
        now=now,
        # If the bot is not in that channel, the person who captured it hears how to fix it.
        ritual=Ritual(RITUAL_KIND, insight.id, insight.submitted_by),
        allow_external=chosen,
    )


def _record_posted(session: Session, row: OutboxMessage, result: dict[str, Any]) -> None:
    insight_id = int(row.key.split(":")[1])
    insight = session.scalar(select(Insight).where(Insight.team_id == row.team_id, Insight.id == insight_id))
    if insight is not None:
        insight.message_ts = str(result.get("ts") or "") or None
        insight.channel_id = str(result.get("channel") or insight.channel_id)


RESULT_HOOKS: dict[str, ResultHook] = {Hook.POSTED: _record_posted}
