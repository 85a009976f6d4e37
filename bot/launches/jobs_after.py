"""Scheduled work after a launch: the success metrics' check-ins (T+7, T+30) and the retro's
opening brief. Listed in ``JOBS`` (named by the feature object), never registered on import."""

from __future__ import annotations

import logging
from datetime import timedelta

from bot.goals.pull import fetch_value
from bot.launches.brief import write_brief
from bot.launches.goal_checkins import run_goal_checkin
from bot.launches.ids import JobKind
from bot.launches.lookups import get_launch
from bot.scheduling.registry import JobContext, JobSpec

log = logging.getLogger(__name__)

# Like the goal's own prompts: a few hours late is still the same working day.
CHECKIN_GRACE = timedelta(hours=4)
# The brief is written an hour before the retro opens; late, it still updates the open retro.
BRIEF_GRACE = timedelta(hours=12)


def _ref(ctx: JobContext) -> int | None:
    try:
        return int(ctx.schedule.ref_id)
    except ValueError:
        log.warning("launch job %s: bad ref_id %r", ctx.schedule.kind, ctx.schedule.ref_id)
        return None


def run_checkin(ctx: JobContext) -> None:
    link_id = _ref(ctx)
    if link_id is None:
        return
    key = ctx.services.settings.tandem_encryption_key
    run_goal_checkin(
        ctx.session,
        team_id=ctx.schedule.team_id,
        link_id=link_id,
        user_id=ctx.subject,
        scheduled_for=ctx.scheduled_for,
        tz=ctx.schedule.timezone,
        now=ctx.now,
        encryption_key=key.get_secret_value() if key is not None else None,
        fetch=fetch_value,
    )


def run_retro_brief(ctx: JobContext) -> None:
    launch_id = _ref(ctx)
    launch = get_launch(ctx.session, ctx.schedule.team_id, launch_id) if launch_id is not None else None
    if launch is not None:
        write_brief(ctx.session, launch, ctx.now)


JOBS = (
    JobSpec(JobKind.GOAL_CHECKIN, run_checkin, grace=CHECKIN_GRACE),
    JobSpec(JobKind.RETRO_BRIEF, run_retro_brief, grace=BRIEF_GRACE),
)
