"""Posting a digest: compile the week, record the run, enqueue the message and share the chart.

Used by the ``digest.post`` job (``jobs.py``) and ``/digest now``; ``digest_for_preview`` is the
same week shown to one person. Slack is reached only through the outbox (``outbox.py``) and the
``Uploader`` the caller passes in (the chart's bytes must be uploaded before they are shared).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.digest import data, outbox
from bot.digest.compose import compile_chart, compile_digest
from bot.digest.data import CHART_TITLE, ChartRenderer, DigestError, NotAllowed, Uploader, sections_of
from bot.digest.ids import ALL_SECTIONS, ChartStatus, RunKind, RunStatus, Section
from bot.digest.manage import digest_for_channel
from bot.digest.models import DigestRun
from bot.summaries.data import Summarise, SummaryRequest
from bot.summaries.model import LOCAL
from bot.summaries.service import summaries_enabled, summarise_for

log = logging.getLogger(__name__)


def post_digest(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    digest_id: int | None,
    owner_id: str,
    sections: Sequence[Section],
    timezone: str,
    end: datetime,
    now: datetime,
    kind: RunKind,
    key: str,
    render_chart: ChartRenderer | None,
    upload: Uploader | None,
    allow_external: bool = False,
    summarise: Summarise | None = None,
) -> DigestRun:
    """Compile the week ending ``end`` and enqueue it for ``channel_id``; idempotent on ``key``.

    ``summarise`` (the job's: the model if configured) opens it with "This week in three lines".

    ``allow_external``: the owner confirmed posting it in a channel shared with another
    organisation (``bot.slack.channels``); otherwise the drainer holds it back there.

    The chart (when asked for and there is something to draw) is rendered and its bytes uploaded
    now; sharing it into the digest's thread is an outbox row that waits for the digest's ``ts``.
    Any chart failure is recorded on the run and the digest goes out regardless.
    """
    existing = session.scalar(select(DigestRun).where(DigestRun.team_id == team_id, DigestRun.message_key == key))
    if existing is not None:
        return existing
    digest = compile_digest(session, team_id, end=end, sections=sections, timezone=timezone)
    if not digest.empty:
        three_lines = summarise_for(session, team_id, summarise, data.three_lines_request(digest))
        digest = replace(digest, in_three_lines=three_lines)
    run = DigestRun(
        team_id=team_id,
        digest_id=digest_id,
        channel_id=channel_id,
        kind=kind.value,
        period_start=digest.start,
        period_end=digest.end,
        message_key=key,
        status=RunStatus.QUEUED.value,
        chart_status=ChartStatus.NONE.value,
        created_at=now,
    )
    session.add(run)
    session.flush()
    outbox.enqueue_digest(session, run, digest, owner_id=owner_id, now=now, allow_external=allow_external)
    if Section.CHART in sections and render_chart is not None and upload is not None:
        _attach_chart(
            session, run, owner_id, end=end, now=now, render_chart=render_chart, upload=upload,
            allow_external=allow_external,
        )  # fmt: skip
    return run


def pending_three_lines(
    session: Session, *, team_id: str, sections: Sequence[Section], timezone: str, end: datetime
) -> SummaryRequest | None:
    """What the digest job's prepare step summarises (the week as it will be posted): None if
    summaries are switched off or the week is empty."""
    if not summaries_enabled(session, team_id):
        return None
    digest = compile_digest(session, team_id, end=end, sections=sections, timezone=timezone)
    return None if digest.empty else data.three_lines_request(digest)


def _attach_chart(
    session: Session,
    run: DigestRun,
    owner_id: str,
    *,
    end: datetime,
    now: datetime,
    render_chart: ChartRenderer,
    upload: Uploader,
    allow_external: bool,
) -> None:
    chart = compile_chart(session, run.team_id, end=end)
    if chart.empty:
        return
    filename = f"tandem-digest-{end:%Y-%m-%d}.png"
    try:
        png = render_chart(chart)
        file_id = upload(png, filename, CHART_TITLE)
    # The digest must go out whatever happens to its chart (matplotlib, network, Slack errors):
    # the failure is recorded on the run and logged with its traceback, not swallowed.
    except Exception as error:
        log.warning("digest %s: chart upload failed, posting without it", run.id, exc_info=True)
        run.chart_status = ChartStatus.FAILED.value
        run.chart_error = f"{type(error).__name__}: {error}"[:1000]
        session.flush()
        return
    run.chart_status = ChartStatus.QUEUED.value
    run.chart_file_id = file_id
    session.flush()
    outbox.enqueue_chart_share(session, run, file_id, owner_id=owner_id, now=now, allow_external=allow_external)


def digest_for_preview(session: Session, *, team_id: str, channel_id: str, now: datetime) -> data.Digest:
    """This week (ending now) as the channel's digest would show it (all sections if none is set up)."""
    digest = digest_for_channel(session, team_id, channel_id) if channel_id else None
    sections = sections_of(digest.sections) if digest else ALL_SECTIONS
    timezone = digest.timezone if digest else "UTC"
    return compile_digest(session, team_id, end=now, sections=sections, timezone=timezone)


def post_now(
    session: Session,
    *,
    team_id: str,
    channel_id: str,
    user_id: str,
    is_admin: bool,
    now: datetime,
    render_chart: ChartRenderer | None,
    upload: Uploader | None,
    channel_external: bool = False,
) -> DigestRun:
    """``/digest now``: this week, ending now, posted to the channel. Only the digest's owner or a
    workspace admin may post to a channel that has a digest; without one, only admins (so a
    channel never gets digests nobody asked for). A channel shared with another organisation
    (``channel_external``) gets it only if its digest was set up there with the confirmation."""
    digest = digest_for_channel(session, team_id, channel_id)
    if not (is_admin or (digest is not None and digest.owner_id == user_id)):
        raise NotAllowed(
            "Only the person who set up this channel's digest or a workspace admin can post it. "
            "`/digest preview` shows it to you alone."
        )
    confirmed = digest is not None and bool(digest.external_confirmed_by)
    if channel_external and not confirmed:
        raise DigestError(
            "This channel includes people outside your organisation, so I won't post the digest here "
            "unasked. Set it up with `/digest setup` and tick “post there anyway”, or use "
            "`/digest preview` to see it yourself."
        )
    return post_digest(
        session,
        team_id=team_id,
        channel_id=channel_id,
        digest_id=digest.id if digest else None,
        owner_id=digest.owner_id if digest else user_id,
        sections=sections_of(digest.sections) if digest else ALL_SECTIONS,
        timezone=digest.timezone if digest else "UTC",
        end=now,
        now=now,
        kind=RunKind.NOW,
        key=outbox.run_key(digest.id if digest else None, channel_id, now, RunKind.NOW),
        render_chart=render_chart,
        upload=upload,
        allow_external=confirmed,
        summarise=LOCAL,  # a click never waits on a model: the local extractive lines
    )
