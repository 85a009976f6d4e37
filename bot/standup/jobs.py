"""Scheduled jobs for joint stand-ups: prompt, the single reminder, closing.

``standup.prompt`` schedules: ref_id = stand-up id; subject = a participant in per-person zone
mode (that person only), else "" (everybody, in the stand-up's one zone).
``standup.remind`` and ``standup.close`` are one-off timers with ref_id = occurrence id; closing
also raises the stand-up's stale asks and blockers to its owner (``escalation``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.scheduling.registry import JobContext, JobSpec
from bot.services import Services
from bot.standup import escalation, rounds, summary
from bot.standup.directory import SlackDirectory
from bot.standup.ids import JobKind
from bot.standup.lookups import get_standup
from bot.summaries.data import Summary
from bot.summaries.model import Prepared, summariser_for

# A prompt more than two hours late (downtime) is recorded as missed rather than sent: a 09:00
# stand-up prompt at lunchtime is noise. Closing and reminders have their own windows.
PROMPT_GRACE = timedelta(hours=2)
REMIND_GRACE = timedelta(hours=1)
CLOSE_GRACE = timedelta(days=7)


def run_standup_prompt(ctx: JobContext) -> None:
    team_id = ctx.schedule.team_id
    standup = get_standup(ctx.session, team_id, int(ctx.schedule.ref_id))
    if standup is None or standup.paused:
        return
    directory = SlackDirectory(ctx.services.slack.for_team(team_id), team_id)
    rounds.run_prompts(
        ctx.session,
        standup,
        scheduled_for=ctx.scheduled_for,
        tz=ctx.schedule.timezone,
        now=ctx.now,
        subject=ctx.subject,
        directory=directory,
    )


def run_standup_remind(ctx: JobContext) -> None:
    rounds.send_reminders(
        ctx.session,
        team_id=ctx.schedule.team_id,
        occurrence_id=int(ctx.schedule.ref_id),
        subject=ctx.subject,
        now=ctx.now,
    )


def prepare_standup_close(services: Services, team_id: str, ref_id: str, due_at: datetime) -> Summary | None:
    """ "In short", from the model if one is configured: asked here, with no transaction open."""
    with services.db.unit_of_work() as session:
        request = summary.pending_in_short(session, team_id=team_id, occurrence_id=int(ref_id))
    return summariser_for(services.settings)(request) if request is not None else None


def run_standup_close(ctx: JobContext) -> None:
    """Close the occurrence, then raise (once) the stand-up's asks and blockers open too long."""
    occurrence = summary.close_occurrence(
        ctx.session,
        team_id=ctx.schedule.team_id,
        occurrence_id=int(ctx.schedule.ref_id),
        now=ctx.now,
        summarise=Prepared(ctx.prepared),
    )
    standup = get_standup(ctx.session, ctx.schedule.team_id, occurrence.standup_id) if occurrence else None
    if standup is not None and not standup.paused:
        escalation.escalate_stale(ctx.session, standup, now=ctx.now)


JOBS = (
    JobSpec(JobKind.PROMPT, run_standup_prompt, grace=PROMPT_GRACE),
    JobSpec(JobKind.REMIND, run_standup_remind, grace=REMIND_GRACE),
    JobSpec(JobKind.CLOSE, run_standup_close, grace=CLOSE_GRACE, prepare=prepare_standup_close),
)
