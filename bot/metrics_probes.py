"""The gauges ``/metrics`` reads from the shared database at scrape time, so every replica reports
the same truth: the outbox's queue depth and the scheduler's lag.

Apart from ``bot.metrics`` (the counters and the registry): the Slack client and the tick import
``bot.metrics`` for their counters, and these probes read the scheduling and outbox tables, so
keeping them together would make the two import each other.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import func, select

from bot.metrics import seconds_since
from bot.scheduling.models import Schedule
from bot.services import Services
from bot.slack.delivery_models import OutboxMessage, OutboxStatus


def operational_probes(services: Services) -> dict[str, tuple[str, Callable[[], float | None]]]:
    """Delivery queue depth and scheduler lag, as the shared database sees them."""

    def queue_depth() -> float:
        with services.db.unit_of_work() as session:
            pending = (OutboxStatus.PENDING, OutboxStatus.SENDING)
            return float(session.scalar(select(func.count()).where(OutboxMessage.status.in_(pending))) or 0)

    def scheduler_lag() -> float | None:
        now = services.clock()
        with services.db.unit_of_work() as session:
            oldest = session.scalar(
                select(func.min(Schedule.next_run_at)).where(Schedule.paused.is_(False), Schedule.next_run_at <= now)
            )
        return seconds_since(oldest, now) if oldest is not None else 0.0

    return {
        "tandem_delivery_queue_depth": ("Outbox rows waiting to be sent (all replicas).", queue_depth),
        "tandem_scheduler_lag_seconds": ("Age of the oldest due, unclaimed schedule occurrence.", scheduler_lag),
    }
