"""A retro's runs: opening one (its channel message and closing timer) and closing it (tally the
votes, forget who cast them, post the results in the message's thread)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.retro import outbox
from bot.retro.data import IsAdmin, RetroError, RetroSummary
from bot.retro.ids import JobKind, RetroStatus
from bot.retro.lookups import (
    active_series_named,
    get_retro,
    get_series,
    items_of,
    open_run,
    plain_title,
    require_facilitator,
)
from bot.retro.models import Retro, RetroSeries, RetroVote
from bot.retro.summary import refresh_retro_message, retro_card, retro_summary
from bot.retro.templates import INSIGHTS_PROMPT
from bot.scheduling.service import delete_schedules_for, schedule_once


def open_retro(session: Session, series: RetroSeries, now: datetime) -> Retro:
    """Start a run of ``series`` at ``now``: post its message and set the closing timer."""
    last = session.scalar(
        select(func.max(Retro.number)).where(Retro.team_id == series.team_id, Retro.series_id == series.id)
    )
    prompts = list(series.prompts)
    if series.include_insights and INSIGHTS_PROMPT not in prompts:
        prompts.append(INSIGHTS_PROMPT)
    retro = Retro(
        team_id=series.team_id,
        series_id=series.id,
        number=int(last or 0) + 1,
        status=RetroStatus.OPEN.value,
        channel_id=series.channel_id,
        prompts=prompts,
        anonymity=series.anonymity,
        votes_per_person=series.votes_per_person,
        opened_at=now,
        closes_at=now + timedelta(minutes=series.collect_minutes),
        secret_salt=secrets.token_hex(16),
    )
    session.add(retro)
    session.flush()
    outbox.post_retro_message(session, series, retro, retro_card(session, retro), now)
    schedule_once(session, team_id=retro.team_id, kind=JobKind.CLOSE, ref_id=retro.id, at=retro.closes_at, now=now)
    return retro


def close_retro(session: Session, retro: Retro, now: datetime) -> RetroSummary:
    """Tally the votes, forget who cast them, and post the summary in the retro's thread."""
    if retro.status == RetroStatus.CLOSED:
        return retro_summary(session, retro)
    series = get_series(session, retro.team_id, retro.series_id)
    tallies = dict(
        session.execute(
            select(RetroVote.item_id, func.count())
            .where(RetroVote.team_id == retro.team_id, RetroVote.retro_id == retro.id)
            .group_by(RetroVote.item_id)
        ).all()
    )
    for item in items_of(session, retro):
        item.votes = int(tallies.get(item.id, 0))
    session.execute(delete(RetroVote).where(RetroVote.team_id == retro.team_id, RetroVote.retro_id == retro.id))
    retro.status = RetroStatus.CLOSED.value
    retro.closed_at = now
    retro.secret_salt = None
    session.flush()
    delete_schedules_for(session, retro.team_id, JobKind.CLOSE, retro.id)
    refresh_retro_message(session, retro, now, "closed")
    summary = retro_summary(session, retro)
    outbox.post_summary(session, series, retro, summary, now)
    # The main themes may wait on a model: never here (this can be a click), in the next tick.
    schedule_once(session, team_id=retro.team_id, kind=JobKind.THEMES, ref_id=str(retro.id), at=now, now=now)
    return summary


def close_retro_by_user(
    session: Session, *, team_id: str, retro_id: int, user_id: str, is_admin: IsAdmin, now: datetime
) -> RetroSummary:
    retro = get_retro(session, team_id, retro_id)
    series = get_series(session, team_id, retro.series_id)
    require_facilitator(series, user_id, is_admin, "close this retro")
    if retro.status == RetroStatus.CLOSED:
        raise RetroError("This retro is already closed.")
    return close_retro(session, retro, now)


def close_by_title(
    session: Session, *, team_id: str, title: str, user_id: str, is_admin: IsAdmin, now: datetime
) -> tuple[RetroSeries, RetroSummary]:
    """``/retro close <title>``: close the open run of that series and stop it recurring."""
    if not title.strip():
        raise RetroError("Which retro? Try `/retro close Launch review` (see `/retro list`).")
    series = active_series_named(session, team_id, title)
    if series is None:
        raise RetroError(f"I couldn't find an active retro called “{plain_title(title)}”. See `/retro list`.")
    require_facilitator(series, user_id, is_admin, "close this retro")
    retro = open_run(session, series)
    if retro is None:
        raise RetroError("That retro isn't collecting items right now, so there is nothing to close.")
    return series, close_retro(session, retro, now)
