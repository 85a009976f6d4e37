"""Scheduled jobs for a launch's dates: the leads' go/no-go DM the day before each phase, and
launch day (the phase shipped). Timers are set by ``bot.launches.timeline.replan``.

- ``launches.go_no_go``: ref_id = phase id, subject = a lead, 09:00 the day before in the lead's zone;
- ``launches.launch_day``: ref_id = phase id, 09:00 on the phase's date in the launch's zone.
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.launches import decisions, launch_day
from bot.launches.ids import JobKind
from bot.scheduling.cadence import zone
from bot.scheduling.registry import JobContext, JobSpec

# A go/no-go asked hours late (downtime) is still worth asking before the date; later it is moot.
GO_NO_GO_GRACE = timedelta(hours=12)
# Marking a phase shipped only changes state and the message: late is still right.
LAUNCH_DAY_GRACE = timedelta(days=7)


def _local_day(ctx: JobContext) -> date:
    """The timer's date in its zone (the lead's for a go/no-go, the launch's for launch day)."""
    return ctx.scheduled_for.astimezone(zone(ctx.schedule.timezone)).date()


def run_go_no_go(ctx: JobContext) -> None:
    decisions.ask_go_no_go(
        ctx.session, team_id=ctx.schedule.team_id, phase_id=int(ctx.schedule.ref_id), lead=ctx.subject,
        day=_local_day(ctx), now=ctx.now,
    )  # fmt: skip


def run_launch_day(ctx: JobContext) -> None:
    launch_day.ship_phase(
        ctx.session, team_id=ctx.schedule.team_id, phase_id=int(ctx.schedule.ref_id), day=_local_day(ctx), now=ctx.now
    )


JOBS = (
    JobSpec(JobKind.GO_NO_GO, run_go_no_go, grace=GO_NO_GO_GRACE),
    JobSpec(JobKind.LAUNCH_DAY, run_launch_day, grace=LAUNCH_DAY_GRACE),
)
