"""Scheduled work for retros: open a run of a series, close a run, remind an action item's owner.

Also holds the outbox result hook that records the ts of a retro's channel message, so later
``chat.update`` calls can address it directly.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.retro import service
from bot.retro.ids import RETRO_MESSAGE_HOOK, RetroJob, RetroStatus
from bot.retro.models import Retro, RetroActionItem, RetroSeries
from bot.scheduling.registry import JobContext, JobSpec
from bot.slack.delivery_models import OutboxMessage

log = logging.getLogger(__name__)


def _ref(ctx: JobContext) -> int | None:
    try:
        return int(ctx.schedule.ref_id)
    except ValueError:
        log.warning("retro job %s: bad ref_id %r", ctx.schedule.kind, ctx.schedule.ref_id)
        return None


def open_scheduled_retro(ctx: JobContext) -> None:
    series_id = _ref(ctx)
    series = ctx.session.scalar(
        select(RetroSeries).where(RetroSeries.team_id == ctx.schedule.team_id, RetroSeries.id == series_id)
    )
    if series is None or series.archived:
        return
    # The run starts at its scheduled instant, so a late tick does not shorten nor shift it.
    service.open_retro(ctx.session, series, ctx.scheduled_for)


def close_scheduled_retro(ctx: JobContext) -> None:
    retro = ctx.session.scalar(select(Retro).where(Retro.team_id == ctx.schedule.team_id, Retro.id == _ref(ctx)))
    if retro is not None and retro.status == RetroStatus.OPEN:
        service.close_retro(ctx.session, retro, ctx.now)


def remind_action_owner(ctx: JobContext) -> None:
    action = ctx.session.scalar(
        select(RetroActionItem).where(RetroActionItem.team_id == ctx.schedule.team_id, RetroActionItem.id == _ref(ctx))
    )
    if action is not None:
        service.remind_action_item(ctx.session, action, ctx.now)


def on_retro_message_posted(session: Session, row: OutboxMessage, result: dict[str, Any]) -> None:
    # Keys look like "retro:<retro id>:message" (see service._message_key).
    parts = row.key.split(":")
    ts = result.get("ts")
    if len(parts) == 3 and parts[2] == "message" and parts[1].isdigit() and isinstance(ts, str):
        service.record_message_ts(session, row.team_id, int(parts[1]), ts)


JOBS = (
    JobSpec(RetroJob.OPEN, open_scheduled_retro, grace=timedelta(hours=12)),
    # A run must always close eventually, even after a long outage: closing late beats never.
    JobSpec(RetroJob.CLOSE, close_scheduled_retro, grace=timedelta(days=30)),
    JobSpec(RetroJob.ACTION_REMINDER, remind_action_owner, grace=timedelta(hours=20)),
)
RESULT_HOOKS = {RETRO_MESSAGE_HOOK: on_retro_message_posted}
