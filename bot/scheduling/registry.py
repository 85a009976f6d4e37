"""Job handlers, registered by name (``Schedule.kind``) when a feature's ``jobs`` module is imported.

    # bot/standup/jobs.py
    from bot.scheduling import JobContext, register_job

    def send_prompts(ctx: JobContext) -> None:
        standup = get_standup(ctx.session, ctx.schedule.team_id, int(ctx.schedule.ref_id))
        ...  # enqueue outbox rows with keys derived from (standup, ctx.scheduled_for)

    register_job("standup.prompt", send_prompts, grace=timedelta(hours=2))

A handler runs inside the unit of work that claims its occurrence: what it writes (outbox rows,
occurrence rows of its own) commits together with the claim, or not at all. It must not commit.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.scheduling.models import Schedule
from bot.services import Services

DEFAULT_GRACE = timedelta(hours=2)

# Packages whose ``jobs`` module (if any) registers job handlers; mirrors bot.app.FEATURES.
JOB_FEATURES: tuple[str, ...] = ("standup", "retro", "insights", "digest", "home")


@dataclass(frozen=True)
class JobContext:
    services: Services
    session: Session  # one unit of work per occurrence; flush only
    schedule: Schedule
    scheduled_for: datetime  # the occurrence's instant (aware UTC)
    now: datetime  # the tick's "now" (aware UTC)

    @property
    def occurrence_key(self) -> str:
        """A stable string for this occurrence, handy for outbox keys."""
        return f"{self.schedule.kind}:{self.schedule.ref_id}:{self.subject}:{self.scheduled_for.isoformat()}"

    @property
    def subject(self) -> str:
        return self.schedule.subject


JobHandler = Callable[[JobContext], None]


@dataclass(frozen=True)
class JobSpec:
    kind: str
    handler: JobHandler
    grace: timedelta


_JOBS: dict[str, JobSpec] = {}


def register_job(kind: str, handler: JobHandler, *, grace: timedelta = DEFAULT_GRACE) -> JobHandler:
    """Register ``handler`` for schedules of ``kind``. Re-registering a kind replaces it."""
    _JOBS[kind] = JobSpec(kind, handler, grace)
    return handler


def job_for(kind: str) -> JobSpec | None:
    return _JOBS.get(kind)


def registered_kinds() -> list[str]:
    return sorted(_JOBS)


def unregister_job(kind: str) -> None:
    """Tests only."""
    _JOBS.pop(kind, None)


_imported = False


def import_feature_jobs() -> None:
    """Import ``bot.<feature>.jobs`` for every feature that has one (once per process)."""
    global _imported
    if _imported:
        return
    for feature in JOB_FEATURES:
        name = f"bot.{feature}.jobs"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)
    _imported = True
