"""Scheduled job: post each digest on its day (``digest.post``, one schedule per digest)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.digest import chart, manage, outbox, posting
from bot.digest.data import Uploader, sections_of
from bot.digest.ids import JobKind, RunKind
from bot.scheduling.registry import JobContext, JobSpec
from bot.services import Services
from bot.slack.files import upload_file
from bot.summaries.data import Summary
from bot.summaries.model import Prepared, summariser_for


def chart_uploader(services: Services, team_id: str) -> Uploader:
    def upload(content: bytes, filename: str, title: str) -> str:
        return upload_file(services.slack.for_team(team_id), content, filename, title)

    return upload


def prepare_digest(services: Services, team_id: str, ref_id: str, due_at: datetime) -> Summary | None:
    """ "This week in three lines", from the model if one is configured: asked with no transaction open."""
    with services.db.unit_of_work() as session:
        digest = manage.get_digest(session, team_id, int(ref_id))
        if digest is None or digest.paused:
            return None
        request = posting.pending_three_lines(
            session, team_id=team_id, sections=sections_of(digest.sections), timezone=digest.timezone, end=due_at
        )
    return summariser_for(services.settings)(request) if request is not None else None


def post_scheduled_digest(ctx: JobContext) -> None:
    team_id = ctx.schedule.team_id
    digest = manage.get_digest(ctx.session, team_id, int(ctx.schedule.ref_id))
    if digest is None or digest.paused:
        return
    posting.post_digest(
        ctx.session,
        team_id=team_id,
        channel_id=digest.channel_id,
        digest_id=digest.id,
        owner_id=digest.owner_id,
        sections=sections_of(digest.sections),
        timezone=digest.timezone,
        # The week is the one before the scheduled instant, so a late tick reports the same week.
        end=ctx.scheduled_for,
        now=ctx.now,
        kind=RunKind.SCHEDULED,
        key=outbox.run_key(digest.id, digest.channel_id, ctx.scheduled_for, RunKind.SCHEDULED),
        render_chart=chart.render_chart,
        upload=chart_uploader(ctx.services, team_id),
        allow_external=bool(digest.external_confirmed_by),
        summarise=Prepared(ctx.prepared),
    )


# A digest more than 6 hours late is old news: record it missed and wait for next week.
JOBS = (JobSpec(JobKind.POST, post_scheduled_digest, grace=timedelta(hours=6), prepare=prepare_digest),)
