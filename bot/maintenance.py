"""Keeping what Tandem copied from Slack current: people's time zones (per-person schedules) and
the members of user groups (stand-ups set up with groups).

``tandem run`` calls :func:`refresh` every few hours; cron deployments, which only run ``tandem
tick``, add a line for ``tandem refresh``. Both steps are idempotent, so replicas may overlap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from bot.scheduling.timezones import refresh_user_timezones
from bot.services import Services
from bot.standup.data import GroupChange
from bot.standup.resync import resync_usergroups

log = logging.getLogger(__name__)


@dataclass
class RefreshReport:
    moved_schedules: int = 0
    group_changes: list[GroupChange] = field(default_factory=list)

    def summary(self) -> str:
        joined = sum(len(c.added) for c in self.group_changes)
        left = sum(len(c.removed) for c in self.group_changes)
        return (
            f"refresh: {self.moved_schedules} schedule(s) moved to a new time zone; "
            f"user groups: {joined} joined, {left} left, in {len(self.group_changes)} stand-up(s)"
        )


def refresh(services: Services, now: datetime) -> RefreshReport:
    report = RefreshReport()
    report.moved_schedules = refresh_user_timezones(services, now)
    report.group_changes = resync_usergroups(services, now)
    return report
