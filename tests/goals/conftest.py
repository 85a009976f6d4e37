"""Shared fixtures for the goals tests: a migrated database (SQLite and PostgreSQL) and a goal input."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

import pytest

from bot.db import Database
from bot.goals.data import GoalInput
from bot.goals.ids import CheckinCadence, Direction, Kind, Unit
from bot.slack.users import SlackUser

TEAM = "T0GOALS001"
OTHER_TEAM = "T0GOALS002"
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # a Monday
TODAY = NOW.date()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    try:
        yield database
    finally:
        database.dispose()


@dataclass
class FakeDirectory:
    """Who people are, without Slack: user id -> zone."""

    zones: dict[str, str] = field(default_factory=dict)

    def get_user(self, user_id: str) -> SlackUser | None:
        zone = self.zones.get(user_id)
        if zone is None:
            return None
        return SlackUser(
            id=user_id, team_id=TEAM, name=user_id.lower(), tz=zone, is_admin=False, is_bot=False, deleted=False
        )


def goal_input(**changes: object) -> GoalInput:
    values: dict[str, object] = {
        "title": "Lift trial-to-paid for self-serve teams",
        "why": "Launch week drove trials that did not convert.",
        "kind": Kind.TARGET,
        "metric_name": "Trial-to-paid conversion",
        "unit": Unit.PERCENT,
        "unit_label": "",
        "direction": Direction.UP,
        "baseline": 4.0,
        "target": 6.0,
        "due_on": date(2027, 3, 31),
        "range_low": None,
        "range_high": None,
        "product_owners": ("U0PRODUCT1",),
        "marketing_owners": ("U0MARKET01",),
        "visibility_only": False,
        "channel_id": "C0GOALS001",
        "cadence": CheckinCadence.BIWEEKLY,
        "weekday": 0,
        "local_time": time(9, 30),
    }
    values.update(changes)
    return GoalInput(**values)  # type: ignore[arg-type]
