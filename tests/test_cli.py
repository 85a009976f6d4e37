"""The ``tandem`` command as a person runs it: a real subprocess, no Slack.

Each run gets an explicit environment (nothing inherited from a developer's shell but PATH), a
temporary working directory and ``--env-file`` pointing at a file that does not exist, so no
``.env`` is read by accident.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

BOT_TOKEN = "xoxb-1111-2222-cli-test-bot-token-Zq8"
SIGNING_SECRET = "cli-test-signing-secret-0123456789abcdef"
SECRETS = (BOT_TOKEN, SIGNING_SECRET)


def tandem_executable() -> str:
    beside_python = Path(sys.executable).parent / "tandem"
    found = str(beside_python) if beside_python.exists() else shutil.which("tandem")
    assert found, "the `tandem` console script is not installed: pip install -e ."
    return found


def run(
    args: list[str], cwd: Path, env: dict[str, str] | None = None, *, module: bool = False
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bot"] if module else [tandem_executable()]
    environment = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "HOME": str(cwd), "LANG": "C.UTF-8"}
    environment.update(env or {})
    return subprocess.run(
        [*command, "--env-file", str(cwd / "no-such.env"), *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


def base_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'tandem.db'}",
    }
    env.update(extra)
    return env


def assert_no_secret(result: subprocess.CompletedProcess[str], secrets: tuple[str, ...] = SECRETS) -> None:
    for secret in secrets:
        assert secret not in result.stdout
        assert secret not in result.stderr


def assert_one_line_error(result: subprocess.CompletedProcess[str], status: int, starts: str) -> None:
    assert result.returncode == status, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, f"expected one line on stderr, got:\n{result.stderr}"
    assert lines[0].startswith(starts), lines[0]
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- help


def test_tandem_help_lists_every_command(tmp_path: Path) -> None:
    result = run(["--help"], tmp_path, env={})
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: tandem")
    for command in ("run", "migrate", "tick", "check"):
        assert command in result.stdout


def test_python_m_bot_is_the_same_command(tmp_path: Path) -> None:
    console = run(["--help"], tmp_path, env={})
    module = run(["--help"], tmp_path, env={}, module=True)
    assert module.returncode == 0, module.stderr
    assert module.stdout == console.stdout


def test_subcommand_help_shows_the_documented_options(tmp_path: Path) -> None:
    result = run(["run", "--help"], tmp_path, env={})
    assert result.returncode == 0
    for option in ("--http", "--socket", "--no-scheduler", "--no-migrate", "--port"):
        assert option in result.stdout
    result = run(["tick", "--help"], tmp_path, env={})
    assert result.returncode == 0 and "--now" in result.stdout


def test_help_needs_no_settings(tmp_path: Path) -> None:
    # A newcomer can read the help before configuring anything.
    assert run(["migrate", "--help"], tmp_path, env={}).returncode == 0


def test_an_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run(["launch"], tmp_path, env=base_env(tmp_path))
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


# ---------------------------------------------------------------- settings errors


def test_missing_signing_secret_exits_2_with_one_line(tmp_path: Path) -> None:
    result = run(["migrate"], tmp_path, env={"SLACK_BOT_TOKEN": BOT_TOKEN})
    assert_one_line_error(result, 2, "tandem: SLACK_SIGNING_SECRET: required but not set")
    assert_no_secret(result)
    assert not (tmp_path / "tandem.db").exists()


def test_bad_token_exits_2_without_echoing_it(tmp_path: Path) -> None:
    user_token = "xoxp-9999-8888-a-user-token-that-is-secret"
    result = run(["check"], tmp_path, env=base_env(tmp_path, SLACK_BOT_TOKEN=user_token))
    assert_one_line_error(result, 2, "tandem: SLACK_BOT_TOKEN: expected a bot token")
    assert_no_secret(result, (*SECRETS, user_token, user_token[5:]))


def test_malformed_port_exits_2_naming_it(tmp_path: Path) -> None:
    result = run(["migrate"], tmp_path, env=base_env(tmp_path, PORT="eighty"))
    assert_one_line_error(result, 2, "tandem: PORT:")
    assert_no_secret(result)


def test_half_configured_oauth_exits_2_naming_the_missing_half(tmp_path: Path) -> None:
    result = run(["migrate"], tmp_path, env=base_env(tmp_path, SLACK_CLIENT_ID="1234.5678"))
    assert_one_line_error(result, 2, "tandem: SLACK_CLIENT_SECRET: required together with")


def test_env_file_option_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / "custom.env"
    env_file.write_text(f"SLACK_BOT_TOKEN={BOT_TOKEN}\nPORT=not-a-port\n")
    environment = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [tandem_executable(), "--env-file", str(env_file), "migrate"],
        cwd=tmp_path,
        env={**environment, "SLACK_SIGNING_SECRET": SIGNING_SECRET},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_one_line_error(result, 2, "tandem: PORT:")  # the value came from the file


def test_dot_env_in_the_working_directory_is_read_by_default(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(f"SLACK_BOT_TOKEN={BOT_TOKEN}\nLOG_LEVEL=loud\n")
    environment = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [tandem_executable(), "migrate"],
        cwd=tmp_path,
        env={**environment, "SLACK_SIGNING_SECRET": SIGNING_SECRET},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_one_line_error(result, 2, "tandem: LOG_LEVEL:")


# ---------------------------------------------------------------- migrate


def head_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    from bot.migrate import alembic_config

    return set(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def test_migrate_creates_the_schema_on_a_new_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "nested" / "tandem.db"
    database.parent.mkdir()
    env = base_env(tmp_path, DATABASE_URL=f"sqlite:///{database}")
    result = run(["migrate"], tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "database is up to date" in result.stdout
    assert_no_secret(result)
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        versions = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    assert {"alembic_version", "workspaces"} <= tables
    assert versions == head_revisions()
    # A second run is a no-op, not an error.
    again = run(["migrate"], tmp_path, env=env)
    assert again.returncode == 0, again.stderr


def test_migrate_reports_an_unreachable_database_in_one_line(tmp_path: Path) -> None:
    env = base_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'missing-dir' / 'tandem.db'}")
    result = run(["migrate"], tmp_path, env=env)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("tandem: could not migrate the database")
    assert "Traceback" not in result.stderr
    assert_no_secret(result)


# ---------------------------------------------------------------- tick


@pytest.mark.parametrize("instant", ["not-a-date", "2026-13-45T07:00:00Z", "tomorrow 9am"])
def test_tick_with_a_bad_instant_is_a_one_line_error(tmp_path: Path, instant: str) -> None:
    result = run(["tick", "--now", instant], tmp_path, env=base_env(tmp_path))
    assert_one_line_error(result, 2, "tandem: --now: expected an ISO-8601 instant")
    assert repr(instant) in result.stderr


def test_tick_runs_at_a_given_instant_on_a_migrated_database(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    assert run(["migrate"], tmp_path, env=env).returncode == 0
    result = run(["tick", "--now", "2026-03-29T09:00:00+02:00"], tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "2026-03-29T07:00:00" in result.stdout  # the instant, in UTC
    assert "Traceback" not in result.stderr


# ---------------------------------------------------------------- check


def test_check_reports_an_unreachable_slack_and_never_prints_the_token(tmp_path: Path) -> None:
    # Port 9 on loopback (discard) is closed here: auth.test fails fast with a connection error.
    # LOG_LEVEL=DEBUG is the chattiest setting (slack_sdk logs each request and its headers);
    # the token must still stay out of everything printed.
    env = base_env(tmp_path, SLACK_API_URL="http://127.0.0.1:9/api/", LOG_LEVEL="DEBUG")
    assert run(["migrate"], tmp_path, env=env).returncode == 0
    result = run(["check"], tmp_path, env=env)
    assert result.returncode == 1, result
    assert "settings   ok" in result.stdout
    assert "database   ok" in result.stdout
    assert "slack      FAILED: auth.test" in result.stdout
    assert_no_secret(result)
