"""Database and services fixtures for the scheduling and delivery tests (SQLite and PostgreSQL,
schema built by the migrations). Imported by tests/scheduling/conftest.py and
tests/delivery/conftest.py."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from bot.db import Database
from bot.migrate import upgrade_to_head
from bot.runtime import build_services
from bot.services import Services
from bot.settings import Settings

POSTGRES_ADMIN_URL = os.environ.get("TANDEM_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:55432/postgres")
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


def postgres_available() -> bool:
    try:
        db = Database.from_url(POSTGRES_ADMIN_URL, pool_size=1)
        db.ping()
        db.dispose()
        return True
    except OSError:
        return False
    except SQLAlchemyError:
        return False


def create_postgres_database() -> str:
    name = f"tandem_sd_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = Database.from_url(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_size=1)
    with admin.engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = Database.from_url(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", pool_size=1)
    with admin.engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database: SQLite file or a new PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'tandem.db'}"
        db = Database.from_url(url)
        upgrade_to_head(db)
        db.dispose()
        yield url
        return
    if not postgres_available():
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} (set TANDEM_TEST_POSTGRES)")
    url = create_postgres_database()
    db = Database.from_url(url)
    upgrade_to_head(db)
    db.dispose()
    try:
        yield url
    finally:
        drop_postgres_database(url)


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
