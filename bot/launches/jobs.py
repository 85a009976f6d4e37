"""Scheduled jobs of launches, every timer ``bot.launches.timeline`` makes: the checklist's due-day
DM and the overdue raise (ref_id = item id, subject = the person, in their Slack zone), and the
dates' jobs (``jobs_dates``: go/no-go, launch day) and the after-launch ones (``jobs_after``:
the goal check-ins, the retro's brief)."""

from __future__ import annotations

from datetime import timedelta

from bot.launches import jobs_after, jobs_dates, reminders
from bot.launches.ids import JobKind
from bot.scheduling.registry import JobContext, JobSpec

# The due-day DM goes at 09:00; after downtime it is still worth sending the same working day.
ITEM_DUE_GRACE = timedelta(hours=8)
# Raising an overdue item late is still right as long as it is open (the job checks that).
OVERDUE_GRACE = timedelta(days=2)


def run_item_due(ctx: JobContext) -> None:
    reminders.run_item_due(
        ctx.session, team_id=ctx.schedule.team_id, item_id=int(ctx.schedule.ref_id), user_id=ctx.subject,
        scheduled_for=ctx.scheduled_for, tz=ctx.schedule.timezone, now=ctx.now,
    )  # fmt: skip


def run_overdue(ctx: JobContext) -> None:
    reminders.run_overdue(
        ctx.session, team_id=ctx.schedule.team_id, item_id=int(ctx.schedule.ref_id), user_id=ctx.subject,
        scheduled_for=ctx.scheduled_for, tz=ctx.schedule.timezone, now=ctx.now,
    )  # fmt: skip


JOBS = (
    JobSpec(JobKind.ITEM_DUE, run_item_due, grace=ITEM_DUE_GRACE),
    JobSpec(JobKind.OVERDUE, run_overdue, grace=OVERDUE_GRACE),
    *jobs_dates.JOBS,  # go/no-go the day before each date; launch day
    *jobs_after.JOBS,  # the success metrics' check-ins at T+7 and T+30; the launch retro's brief
)
