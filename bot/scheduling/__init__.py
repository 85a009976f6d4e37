"""The scheduling engine: schedules in the database, one tick, job handlers registered by name.

Public API (see docs/ARCHITECTURE.md, "Scheduling contract")::

    from bot.scheduling import Cadence, JobContext, register_job
    from bot.scheduling.service import create_schedule, schedule_once, update_schedule, ...
    from bot.scheduling.tick import run_due
"""

from __future__ import annotations

from bot.scheduling.cadence import Cadence, CadenceKind, InvalidCadence
from bot.scheduling.registry import DEFAULT_GRACE, JobContext, register_job

__all__ = ["DEFAULT_GRACE", "Cadence", "CadenceKind", "InvalidCadence", "JobContext", "register_job"]
