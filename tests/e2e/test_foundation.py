"""End to end: the real bot (``python -m bot run --http``) and the ``tandem`` CLI against the
Slack emulator, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import inspect

from bot.db import Database
from bot.playground.signed_requests import FORM
from bot.playground.signing import signature
from bot.playground.slack_emulator import SlackEmulator
from bot.settings import normalize_database_url
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

Tandem = Callable[..., subprocess.CompletedProcess[str]]
COMMANDS = ("/standup", "/retro", "/insight", "/goal", "/launch", "/digest")


def test_help_and_unknown_subcommands_answer_with_usage_fast(bot: BotUnderTest) -> None:
    pat = bot.user("pat")
    for command in COMMANDS:
        ack = pat.command(command, "help")
        assert ack.status == 200, (command, ack.body)
        assert ack.latency < 1.0, f"{command} help acked in {ack.latency:.2f}s; Slack allows 3 s"
        assert ack.json is not None and ack.json["response_type"] == "ephemeral", ack.body
        assert f"`{command} help`" in ack.text or f"{command} " in ack.text, ack.text

        unknown = pat.command(command, "frobnicate now")
        assert unknown.status == 200, (command, unknown.body)
        assert unknown.latency < 1.0
        if command == "/insight":
            # By design "/insight <what you heard>" captures: the capture modal opens, prefilled.
            opened = bot.emulator.wait_for_call("views.open")
            assert opened.ok and "frobnicate now" in str(opened.args["view"])
            continue
        assert unknown.json is not None and unknown.json["response_type"] == "ephemeral", unknown.body
        assert "frobnicate" in unknown.text and f"{command} " in unknown.text, unknown.text
    # Each usage text went back in the HTTP response; the bot posted nothing for help.
    assert bot.emulator.calls("chat.postMessage") == []
    assert len(pat.ephemerals) == 2 * len(COMMANDS) - 1


def test_signatures_health_and_clean_shutdown(bot: BotUnderTest, emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    body = f"team_id={ws.team_id}&user_id={ws.user_id('pat')}&command=%2Fstandup&text=help".encode()
    now = int(time.time())
    forged = bot.driver.send("raw", body, FORM, {}, signature=signature("not-the-secret", now, body), timestamp=now)
    assert forged.status == 401
    stale = bot.driver.send("raw", body, FORM, {}, timestamp=now - 6 * 60)
    assert stale.status == 401
    unsigned = bot.driver.send("raw", body, FORM, {}, signature="")
    assert unsigned.status == 401

    health = httpx.get(f"{bot.url}/healthz", timeout=5)
    assert health.status_code == 200
    assert health.headers["content-type"].startswith("application/json")
    assert health.json()["status"] == "ok"

    assert bot.process is not None
    assert bot.process.stop() == 0  # SIGTERM: drains and exits 0
    log = bot.log_text()
    assert "Tandem stopped" in log
    assert ws.bot_token not in log and bot.driver.signing_secret not in log


def test_check_reports_ok_against_the_emulator(tandem: Tandem, emulator: SlackEmulator) -> None:
    result = tandem("check")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "slack      ok" in result.stdout and emulator.workspace.team_id in result.stdout
    assert "database   ok" in result.stdout
    assert emulator.calls("auth.test")[0].ok


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_check_fails_with_invalid_auth_for_a_wrong_token(tandem: Tandem, emulator: SlackEmulator) -> None:
    result = tandem("check", env_overrides={"SLACK_BOT_TOKEN": "xoxb-0000-not-a-real-token"})
    assert result.returncode != 0
    assert "invalid_auth" in result.stdout
    assert "xoxb-0000-not-a-real-token" not in result.stdout + result.stderr
    assert emulator.calls("auth.test")[0].error == "invalid_auth"


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    admin = request.getfixturevalue("postgres_admin")
    name = f"tandem_empty_{uuid.uuid4().hex[:10]}"
    url = admin.create(name)
    try:
        yield url
    finally:
        admin.drop(name)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_migrate_builds_the_schema_on_both_databases(tandem: Tandem, empty_database_url: str) -> None:
    result = tandem("migrate", env_overrides={"DATABASE_URL": empty_database_url})
    assert result.returncode == 0, result.stderr
    # A fresh database: it says what it applied (it used to say "up to date" here, which was untrue).
    assert result.stdout.startswith("applied ") and "0001_foundation" in result.stdout
    db = Database.from_url(normalize_database_url(empty_database_url))
    try:
        tables = set(inspect(db.engine).get_table_names())
    finally:
        db.dispose()
    assert {"alembic_version", "workspaces"} <= tables
    again = tandem("migrate", env_overrides={"DATABASE_URL": empty_database_url})
    assert again.returncode == 0  # idempotent
    assert again.stdout.startswith("database is up to date (")
    check = tandem("check", env_overrides={"DATABASE_URL": empty_database_url})
    assert "pending" not in check.stdout


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("missing", ["SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN"])
def test_missing_setting_exits_2_naming_the_variable(tandem: Tandem, missing: str) -> None:
    result = tandem("check", env_overrides={missing: None})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and missing in lines[0], result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_tick_runs_at_the_given_instant(tandem: Tandem) -> None:
    result = tandem("tick", "--now", "2026-03-29T07:00:00Z")
    assert result.returncode == 0, result.stderr
    assert "2026-03-29T07:00:00+00:00" in result.stdout
    bad = tandem("tick", "--now", "next tuesday")
    assert bad.returncode == 2 and "--now" in bad.stderr
