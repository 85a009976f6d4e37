"""The in-process clock driver: APScheduler calls the same ``run_due`` as ``tandem tick``.

APScheduler only provides the heartbeat (an interval job); what is due is decided from the
schedules in the database, so edits take effect on the next tick and several replicas can tick
at once (occurrences are claimed in the database).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler

from bot.scheduling.tick import run_due
from bot.services import Services

log = logging.getLogger(__name__)

REFRESH_HOURS = 6


def start_scheduler(services: Services, refresh: Callable[[], object] | None = None) -> BackgroundScheduler:
    """The tick every ``TANDEM_TICK_SECONDS``, and ``refresh`` (re-reading what was copied from
    Slack: time zones, user groups; ``bot.maintenance``) every few hours."""
    scheduler = BackgroundScheduler(timezone="UTC")

    def tick() -> None:
        report = run_due(services, services.clock())
        if report.ran or report.missed or report.failed:
            log.info(report.summary())
        # run_due sets services.outbox_wakeup when it ran something: the drainer thread sends.

    scheduler.add_job(
        tick,
        "interval",
        seconds=services.settings.tandem_tick_seconds,
        id="tandem-tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    if refresh is not None:
        scheduler.add_job(
            refresh,
            "interval",
            hours=REFRESH_HOURS,
            id="tandem-refresh",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )
    scheduler.start()
    return scheduler
