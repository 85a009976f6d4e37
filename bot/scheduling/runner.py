"""The in-process clock driver: APScheduler calls the same ``run_due`` as ``tandem tick``.

APScheduler only provides the heartbeat (an interval job); what is due is decided from the
schedules in the database, so edits take effect on the next tick and several replicas can tick
at once (occurrences are claimed in the database).
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler

from bot.scheduling.tick import run_due
from bot.scheduling.timezones import refresh_user_timezones
from bot.services import Services

log = logging.getLogger(__name__)

TIMEZONE_REFRESH_HOURS = 6


def start_scheduler(services: Services) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")

    def tick() -> None:
        report = run_due(services, services.clock())
        if report.ran or report.missed or report.failed:
            log.info(report.summary())
        # run_due sets services.outbox_wakeup when it ran something: the drainer thread sends.

    def refresh_timezones() -> None:
        moved = refresh_user_timezones(services, services.clock())
        if moved:
            log.info("moved %d per-participant schedule(s) to their owner's new time zone", moved)

    scheduler.add_job(
        tick,
        "interval",
        seconds=services.settings.tandem_tick_seconds,
        id="tandem-tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.add_job(
        refresh_timezones,
        "interval",
        hours=TIMEZONE_REFRESH_HOURS,
        id="tandem-timezones",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.start()
    return scheduler
