"""Scheduled job: post each digest on its day (``digest.post``, one schedule per digest)."""

from __future__ import annotations

from datetime import timedelta

from bot.digest import chart, manage, outbox, posting
from bot.digest.data import Uploader, sections_of
from bot.digest.ids import JobKind, RunKind
from bot.scheduling.registry import JobContext, JobSpec
from bot.services import Services
from bot.slack.files import upload_file
from bot.summaries.model import summariser_for


def chart_uploader(services: Services, team_id: str) -> Uploader:
    def upload(content: bytes, filename: str, title: str) -> str:
        return upload_file(services.slack.for_team(team_id), content, filename, title)

    return upload


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
        summarise=summariser_for(ctx.services.settings),
    )


# A digest more than 6 hours late is old news: record it missed and wait for next week.
JOBS = (JobSpec(JobKind.POST, post_scheduled_digest, grace=timedelta(hours=6)),)
