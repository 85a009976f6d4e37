"""One tick: run everything that is due up to ``now``. Filled in by the scheduling engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.services import Services


@dataclass
class TickReport:
    now: datetime
    ran: dict[str, int] = field(default_factory=dict)
    missed: int = 0

    def summary(self) -> str:
        done = ", ".join(f"{kind}: {count}" for kind, count in sorted(self.ran.items())) or "nothing due"
        return f"tick at {self.now.isoformat()}: {done}; {self.missed} missed"


def run_due(services: Services, now: datetime) -> TickReport:
    return TickReport(now=now)
