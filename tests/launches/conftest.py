"""Shared fixtures for the launches tests: a migrated database (SQLite and PostgreSQL), a fake
directory of zones, and a launch input."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pytest

from bot.db import Database
from bot.launches.data import LaunchInput, PhaseInput
from bot.launches.ids import LaunchKind
from bot.slack.users import SlackUser

TEAM = "T0LAUNCH01"
OTHER_TEAM = "T0LAUNCH02"
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)  # a Monday
TODAY = NOW.date()
PRODUCT_LEAD = "U0PRODLEAD"
MARKETING_LEAD = "U0MKTLEAD1"
CHANNEL = "C0LAUNCH01"


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
    admins: frozenset[str] = frozenset()

    def get_user(self, user_id: str) -> SlackUser | None:
        zone = self.zones.get(user_id)
        if zone is None:
            return None
        return SlackUser(
            id=user_id, team_id=TEAM, name=user_id.lower(), tz=zone, is_admin=user_id in self.admins,
            is_bot=False, deleted=False,
        )  # fmt: skip


ZONES = FakeDirectory({PRODUCT_LEAD: "Europe/Berlin", MARKETING_LEAD: "America/New_York"})


def launch_input(**changes: object) -> LaunchInput:
    """A full launch on 2027-01-11 (a Monday, five weeks after NOW)."""
    values: dict[str, object] = {
        "name": "Shared inbox",
        "what": "Shared inboxes for support teams on the Team plan.",
        "kind": LaunchKind.FULL,
        "phases": (PhaseInput("Launch", date(2027, 1, 11), "Team plan customers"),),
        "product_lead": PRODUCT_LEAD,
        "marketing_lead": MARKETING_LEAD,
        "channel_id": CHANNEL,
        "goal_ids": (),
    }
    values.update(changes)
    return LaunchInput(**values)  # type: ignore[arg-type]


def staggered_input(**changes: object) -> LaunchInput:
    """Two phases: a beta on 2027-01-11 and general availability on 2027-02-01."""
    values: dict[str, object] = {
        "kind": LaunchKind.STAGGERED,
        "phases": (
            PhaseInput("Beta", date(2027, 1, 11), "50 design partners"),
            PhaseInput("GA", date(2027, 2, 1), "every Team plan workspace"),
        ),
    }
    values.update(changes)
    return launch_input(**values)
