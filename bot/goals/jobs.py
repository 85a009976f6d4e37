"""Scheduled jobs for shared goals: each owner's check-in prompt, the one reminder, the miss.

``goals.prompt`` schedules: ref_id = goal id, subject = the owner, in the owner's Slack zone
(``bot.goals.setup.schedule_checkins``). ``goals.remind`` (subject = the owner) and
``goals.miss`` are one-off timers with ref_id = round id (``bot.goals.checkins``).
"""

from __future__ import annotations

from datetime import timedelta

from bot.goals import checkins
from bot.goals.ids import JobKind
from bot.goals.pull import fetch_value
from bot.scheduling.registry import JobContext, JobSpec

# A check-in prompt a few hours late (downtime) is still worth sending the same working day;
# later than that it is recorded as missed and the next owner's firing (or the next round) asks.
PROMPT_GRACE = timedelta(hours=4)
# The reminder is a nudge at the owner's usual time: two hours late it would be noise.
REMIND_GRACE = timedelta(hours=2)
# Missing a round only changes state (and maybe tells the owners once): late is still right.
MISS_GRACE = timedelta(days=7)


def run_goal_prompt(ctx: JobContext) -> None:
    key = ctx.services.settings.tandem_encryption_key
    checkins.run_prompt(
        ctx.session,
        team_id=ctx.schedule.team_id,
        goal_id=int(ctx.schedule.ref_id),
        user_id=ctx.subject,
        scheduled_for=ctx.scheduled_for,
        tz=ctx.schedule.timezone,
        now=ctx.now,
        encryption_key=key.get_secret_value() if key is not None else None,
        fetch=fetch_value,
    )


def run_goal_remind(ctx: JobContext) -> None:
    checkins.run_remind(
        ctx.session, team_id=ctx.schedule.team_id, round_id=int(ctx.schedule.ref_id), user_id=ctx.subject, now=ctx.now
    )


def run_goal_miss(ctx: JobContext) -> None:
    checkins.run_miss(ctx.session, team_id=ctx.schedule.team_id, round_id=int(ctx.schedule.ref_id), now=ctx.now)


JOBS = (
    JobSpec(JobKind.PROMPT, run_goal_prompt, grace=PROMPT_GRACE),
    JobSpec(JobKind.REMIND, run_goal_remind, grace=REMIND_GRACE),
    JobSpec(JobKind.MISS, run_goal_miss, grace=MISS_GRACE),
)
