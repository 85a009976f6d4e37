"""The scheduling engine: schedules in the database, one tick, job handlers listed by the features.

Public API (see docs/ARCHITECTURE.md, "Scheduling contract")::

    from bot.scheduling import Cadence, JobContext, JobSpec
    from bot.scheduling.service import create_schedule, schedule_once, update_schedule, ...
    from bot.scheduling.tick import run_due
"""

from __future__ import annotations

from bot.scheduling.cadence import Cadence, CadenceKind, InvalidCadence
from bot.scheduling.registry import DEFAULT_GRACE, JobContext, JobSpec, JobTable

__all__ = ["DEFAULT_GRACE", "Cadence", "CadenceKind", "InvalidCadence", "JobContext", "JobSpec", "JobTable"]
