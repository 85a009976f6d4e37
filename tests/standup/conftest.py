"""Fixtures for the stand-up unit tests: a migrated SQLite database and a fake people directory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from bot.db import Database
from bot.slack.users import SlackUser

TEAM = "T0STANDUP"


@dataclass
class FakeDirectory:
    users: dict[str, SlackUser] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)

    def add(self, user_id: str, name: str, tz: str, *, admin: bool = False, deleted: bool = False) -> str:
        self.users[user_id] = SlackUser(user_id, TEAM, name, tz, admin, False, deleted)
        return user_id

    def get_user(self, user_id: str) -> SlackUser | None:
        return self.users.get(user_id)

    def group_members(self, group_id: str) -> list[str]:
        return list(self.groups.get(group_id, []))


@pytest.fixture
def db(sqlite_database_url: str) -> Iterator[Database]:
    database = Database.from_url(sqlite_database_url)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
def people() -> FakeDirectory:
    directory = FakeDirectory()
    directory.add("UPAT", "Pat Product", "America/New_York")
    directory.add("UNOAH", "Noah Product", "America/New_York")
    directory.add("UMAX", "Max Marketing", "Europe/Berlin")
    directory.add("ULENA", "Lena Marketing", "Europe/Berlin")
    directory.add("UGONE", "Gale Former", "UTC", deleted=True)
    directory.groups["SMKT"] = ["UMAX", "ULENA", "UGONE"]
    return directory
