"""Scheduled work for retros: open a run of a series, close a run, remind an action item's owner.

Listed in ``JOBS`` (named by the feature object), never registered on import. The tick opens the
unit of work; each job looks its row up by team and id and calls one service.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.retro.actions import remind_action_item
from bot.retro.ids import JobKind, RetroStatus
from bot.retro.models import Retro, RetroActionItem, RetroSeries
from bot.retro.runs import close_retro, open_retro
from bot.retro.summary import pending_themes, write_themes
from bot.scheduling.registry import JobContext, JobSpec
from bot.services import Services
from bot.summaries.data import Summary
from bot.summaries.model import Prepared, summariser_for

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
    open_retro(ctx.session, series, ctx.scheduled_for)


def close_scheduled_retro(ctx: JobContext) -> None:
    retro = ctx.session.scalar(select(Retro).where(Retro.team_id == ctx.schedule.team_id, Retro.id == _ref(ctx)))
    if retro is not None and retro.status == RetroStatus.OPEN:
        close_retro(ctx.session, retro, ctx.now)


def remind_action_owner(ctx: JobContext) -> None:
    action = ctx.session.scalar(
        select(RetroActionItem).where(RetroActionItem.team_id == ctx.schedule.team_id, RetroActionItem.id == _ref(ctx))
    )
    if action is not None:
        remind_action_item(ctx.session, action, ctx.now)


def prepare_retro_themes(services: Services, team_id: str, ref_id: str, due_at: datetime) -> Summary | None:
    """The main themes, from the model if one is configured: asked here, with no transaction open."""
    with services.db.unit_of_work() as session:
        retro = session.scalar(select(Retro).where(Retro.team_id == team_id, Retro.id == int(ref_id)))
        request = pending_themes(session, retro) if retro is not None else None
    return summariser_for(services.settings)(request) if request is not None else None


def write_closed_retro_themes(ctx: JobContext) -> None:
    retro = ctx.session.scalar(select(Retro).where(Retro.team_id == ctx.schedule.team_id, Retro.id == _ref(ctx)))
    if retro is not None:
        write_themes(ctx.session, retro, Prepared(ctx.prepared), ctx.now)


JOBS = (
    JobSpec(JobKind.OPEN, open_scheduled_retro, grace=timedelta(hours=12)),
    # A run must always close eventually, even after a long outage: closing late beats never.
    JobSpec(JobKind.CLOSE, close_scheduled_retro, grace=timedelta(days=30)),
    JobSpec(JobKind.ACTION_REMINDER, remind_action_owner, grace=timedelta(hours=20)),
    # Late themes still beat none: the results message is updated in place whenever they come.
    JobSpec(JobKind.THEMES, write_closed_retro_themes, grace=timedelta(days=7), prepare=prepare_retro_themes),
)
