"""The in-process clock driver: APScheduler calls the same ``run_due`` as ``tandem tick``."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler

from bot.scheduling.tick import run_due
from bot.services import Services

log = logging.getLogger(__name__)


def start_scheduler(services: Services) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")

    def tick() -> None:
        report = run_due(services, services.clock())
        if report.ran:
            log.info(report.summary())

    scheduler.add_job(
        tick,
        "interval",
        seconds=services.settings.tandem_tick_seconds,
        id="tandem-tick",
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )
    scheduler.start()
    return scheduler
