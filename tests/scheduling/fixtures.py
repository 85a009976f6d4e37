"""Clock and services fixtures for the scheduling and delivery tests. The databases (SQLite and
PostgreSQL, schema built by the migrations) are the shared ``database_url`` fixture of
tests/support/fixtures.py. Imported by tests/scheduling/conftest.py and tests/delivery/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bot.runtime import build_services
from bot.services import Services
from bot.settings import Settings

BOT_TOKEN = "xoxb-test-token"


class MutableClock:
    """A clock tests move by hand."""

    def __init__(self, instant: datetime) -> None:
        self.instant = instant

    def __call__(self) -> datetime:
        return self.instant

    def advance(self, **delta: float) -> datetime:
        self.instant += timedelta(**delta)
        return self.instant


def make_settings(database_url: str, slack_api_url: str = "http://127.0.0.1:9/api/", **extra: object) -> Settings:
    values: dict[str, object] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": "test-secret",
        "slack_api_url": slack_api_url,
        "database_url": database_url,
    } | extra
    return Settings(_env_file=None, **values)  # type: ignore[call-arg, arg-type]


@pytest.fixture
def clock() -> MutableClock:
    return MutableClock(datetime(2026, 3, 1, 12, 0, tzinfo=UTC))  # a Sunday


@pytest.fixture
def services(database_url: str, clock: MutableClock) -> Iterator[Services]:
    services = build_services(make_settings(database_url), clock=clock)
    try:
        yield services
    finally:
        services.db.dispose()
