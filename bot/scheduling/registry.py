"""Job handlers by name (``Schedule.kind``): a ``JobTable`` built from the features' job specs.

Nothing registers itself on import. Each ritual package lists its jobs in its feature object
(``bot/<feature>/feature.py``)::

    # bot/standup/jobs.py
    def run_standup_prompt(ctx: JobContext) -> None:
        standup = get_standup(ctx.session, ctx.schedule.team_id, int(ctx.schedule.ref_id))
        ...  # enqueue outbox rows with keys derived from (standup, ctx.scheduled_for)

    JOBS = (JobSpec(JobKind.PROMPT, run_standup_prompt, grace=timedelta(hours=2)), ...)

and the composition root (``bot.runtime.build_services``) builds ``services.jobs`` from every
feature in ``bot.features.FEATURES``; the tick (``bot.scheduling.tick.run_due``) reads it.

A handler runs inside the unit of work that claims its occurrence: what it writes (outbox rows,
occurrence rows of its own) commits together with the claim, or not at all. It must not commit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.scheduling.models import Schedule
from bot.services import Services

DEFAULT_GRACE = timedelta(hours=2)


@dataclass(frozen=True)
class JobContext:
    services: Services
    session: Session  # one unit of work per occurrence; flush only
    schedule: Schedule
    scheduled_for: datetime  # the occurrence's instant (aware UTC)
    now: datetime  # the tick's "now" (aware UTC)
    prepared: object = None  # what the spec's ``prepare`` returned (None without one, or if it failed)

    @property
    def occurrence_key(self) -> str:
        """A stable string for this occurrence, handy for outbox keys."""
        return f"{self.schedule.kind}:{self.schedule.ref_id}:{self.subject}:{self.scheduled_for.isoformat()}"

    @property
    def subject(self) -> str:
        return self.schedule.subject


JobHandler = Callable[[JobContext], None]
# (services, team_id, ref_id, due_at) -> anything: slow work that must not hold the claim's locks.
# ``due_at`` is the schedule's next_run_at (the occurrence about to run, unless several were missed).
JobPrepare = Callable[[Services, str, str, datetime], object]


@dataclass(frozen=True)
class JobSpec:
    kind: str
    handler: JobHandler
    grace: timedelta = DEFAULT_GRACE
    # Run by the tick just before the claim's unit of work opens, with no transaction of the
    # tick's open (on SQLite a claim holds the database's one write lock): a network call such as a
    # summary model. It opens its own read-only units of work; its result reaches the handler as
    # ``ctx.prepared``. It may be wasted (another process claims the occurrence) and must not write.
    prepare: JobPrepare | None = None


class DuplicateJob(ValueError):
    """Two specs claim the same kind: every kind has exactly one handler."""


class JobTable(Mapping[str, JobSpec]):
    """Kind -> spec, read-only. Building it with two specs of one kind raises ``DuplicateJob``."""

    def __init__(self, specs: Iterable[JobSpec] = ()) -> None:
        self._specs: dict[str, JobSpec] = {}
        for spec in specs:
            kind = str(spec.kind)
            if kind in self._specs:
                raise DuplicateJob(f"two handlers for job kind {kind!r}")
            self._specs[kind] = JobSpec(kind, spec.handler, spec.grace, spec.prepare)

    def __getitem__(self, kind: str) -> JobSpec:
        return self._specs[kind]

    def __iter__(self) -> Iterator[str]:
        return iter(self._specs)

    def __len__(self) -> int:
        return len(self._specs)

    def kinds(self) -> list[str]:
        return sorted(self._specs)

    def plus(self, *specs: JobSpec) -> JobTable:
        """This table and ``specs`` (tests and benchmarks add throwaway jobs this way)."""
        return JobTable([*self._specs.values(), *specs])
