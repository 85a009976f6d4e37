"""The ``tandem`` command as a person runs it: a real subprocess, no Slack.

Each run gets an explicit environment (nothing inherited from a developer's shell but PATH), a
temporary working directory and ``--env-file /dev/null`` (an empty settings file), so no ``.env``
is read by accident.

Expected mistakes (a setting Slack or the database refuses, something unreachable, a port in use)
each answer ONE line on stderr and a non-zero exit, never a traceback: one test per class below.
"""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.playground.slack_emulator import SlackEmulator

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
        [*command, "--env-file", "/dev/null", *args],
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


def revision_names() -> list[str]:
    """Every migration, oldest first, as ``0001_foundation`` (read from the files themselves)."""
    from bot.migrate import MIGRATIONS

    files = sorted((MIGRATIONS / "versions").glob("*.py"))
    names = [path.stem.partition("_")[2] for path in files]
    assert len(names) >= 8 and names[0].startswith("0001_"), names
    return names


def test_migrate_creates_the_schema_on_a_new_sqlite_file(tmp_path: Path) -> None:
    database = tmp_path / "nested" / "tandem.db"
    database.parent.mkdir()
    env = base_env(tmp_path, DATABASE_URL=f"sqlite:///{database}")
    result = run(["migrate"], tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    names = revision_names()
    head = names[-1]
    assert result.stdout == f"applied {len(names)} migrations ({names[0]} → {head}); database is at {head}\n"
    assert_no_secret(result)
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        versions = {row[0] for row in connection.execute("SELECT version_num FROM alembic_version")}
    assert {"alembic_version", "workspaces"} <= tables
    assert versions == head_revisions()
    # A second run is a no-op, not an error.
    again = run(["migrate"], tmp_path, env=env)
    assert again.returncode == 0, again.stderr
    assert again.stdout == f"database is up to date ({head})\n"


def test_migrate_reports_an_unreachable_database_in_one_line(tmp_path: Path) -> None:
    env = base_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'missing-dir' / 'tandem.db'}")
    result = run(["migrate"], tmp_path, env=env)
    # The message changed from "could not migrate the database: OperationalError: ..." to one
    # naming the folder and the fix (bot/problems.py).
    folder = tmp_path / "missing-dir"
    assert_one_line_error(
        result,
        1,
        f"tandem: cannot open the SQLite database {folder / 'tandem.db'}: the folder {folder} does not exist; "
        "create it or point DATABASE_URL elsewhere",
    )
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
    assert (
        "slack      FAILED: could not reach Slack at http://127.0.0.1:9/api/ (Connection refused): "
        "check the network and SLACK_API_URL" in result.stdout
    )
    # slack_sdk's own "Failed to send a request" ERROR lines stay out: the FAILED line says it all.
    assert "ERROR" not in result.stderr and "Traceback" not in result.stderr
    assert_no_secret(result)


# ---------------------------------------------------------------- settings files


def test_an_env_file_named_but_missing_is_an_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [tandem_executable(), "--env-file", str(tmp_path / "no-such.env"), "migrate"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", **base_env(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_one_line_error(
        result,
        2,
        f"tandem: --env-file {tmp_path / 'no-such.env'}: no such file (leave the option out to read only the "
        "environment)",
    )
    assert not (tmp_path / "tandem.db").exists()


def test_without_env_file_and_without_dot_env_the_environment_is_enough(tmp_path: Path) -> None:
    environment = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [tandem_executable(), "migrate"],
        cwd=tmp_path,
        env={**environment, **base_env(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("applied ")


def test_an_unreadable_env_file_is_one_line(tmp_path: Path) -> None:
    # A folder where the file should be: unreadable as a settings file, whoever runs the test (root
    # reads any file, so a chmod would not do).
    (tmp_path / "settings.env").mkdir()
    result = subprocess.run(
        [tandem_executable(), "--env-file", str(tmp_path / "settings.env"), "check"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", **base_env(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_one_line_error(
        result, 2, f"tandem: --env-file {tmp_path / 'settings.env'}: is a folder, not a settings file"
    )


EMPTY_APP_TOKEN = (
    "tandem: SLACK_APP_TOKEN: set but empty; put the app-level token (xapp-...) there for Socket Mode, "
    "or delete the line to serve HTTP on PORT"
)


@pytest.mark.parametrize("command", ["run", "check"])
def test_an_empty_app_token_is_an_error_in_the_environment(tmp_path: Path, command: str) -> None:
    # As `docker run --env-file .env` passes a half-filled .env from .env.example.
    result = run([command], tmp_path, env=base_env(tmp_path, SLACK_APP_TOKEN=""))
    assert_one_line_error(result, 2, EMPTY_APP_TOKEN)


def test_an_empty_app_token_is_an_error_in_a_dot_env(tmp_path: Path) -> None:
    example = (Path(__file__).resolve().parent.parent / ".env.example").read_text(encoding="utf-8")
    dot_env = example.replace("SLACK_BOT_TOKEN=\n", f"SLACK_BOT_TOKEN={BOT_TOKEN}\n")
    dot_env = dot_env.replace("SLACK_SIGNING_SECRET=\n", f"SLACK_SIGNING_SECRET={SIGNING_SECRET}\n")
    assert "\nSLACK_APP_TOKEN=\n" in dot_env
    (tmp_path / ".env").write_text(dot_env, encoding="utf-8")
    environment = {"PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [tandem_executable(), "run"], cwd=tmp_path, env=environment, capture_output=True, text=True, timeout=120
    )
    assert_one_line_error(result, 2, EMPTY_APP_TOKEN)
    assert_no_secret(result)


# ---------------------------------------------------------------- check


def test_check_on_a_new_database_counts_every_pending_migration_and_creates_nothing(
    tmp_path: Path, emulator: SlackEmulator
) -> None:
    env = base_env(tmp_path, SLACK_BOT_TOKEN=emulator.workspace.bot_token, SLACK_API_URL=emulator.base_url)
    result = run(["check"], tmp_path, env=env)
    assert result.returncode == 0, result
    count = len(revision_names())
    database = tmp_path / "tandem.db"
    assert (
        f"database   ok: {database} does not exist yet; `tandem migrate` creates it ({count} migrations pending)"
        in result.stdout
    )
    assert f"slack      ok: team Acme ({emulator.workspace.team_id})" in result.stdout
    assert result.stderr == ""
    assert list(tmp_path.iterdir()) == []  # no database file, nor its -wal / -shm
    assert run(["migrate"], tmp_path, env=env).returncode == 0
    again = run(["check"], tmp_path, env=env)
    assert f"database   ok (at {revision_names()[-1]})" in again.stdout


def test_check_verifies_the_app_token(tmp_path: Path, emulator: SlackEmulator) -> None:
    # The emulator has no Socket Mode endpoint here, so any app-level token is refused (invalid_auth).
    env = base_env(
        tmp_path,
        SLACK_BOT_TOKEN=emulator.workspace.bot_token,
        SLACK_API_URL=emulator.base_url,
        SLACK_APP_TOKEN="xapp-1-A0000000000-0-not-this-app",
    )
    result = run(["check"], tmp_path, env=env)
    assert result.returncode == 1, result
    assert "slack      ok: team Acme" in result.stdout
    assert (
        "socket     FAILED: SLACK_APP_TOKEN: Slack rejected it (apps.connections.open: invalid_auth); "
        "create an app-level token" in result.stdout
    )
    assert result.stderr == "" and "Traceback" not in result.stdout
    assert [call.error for call in emulator.calls("apps.connections.open")] == ["invalid_auth"]


def test_check_reports_a_rejected_bot_token(tmp_path: Path, emulator: SlackEmulator) -> None:
    env = base_env(tmp_path, SLACK_API_URL=emulator.base_url)  # BOT_TOKEN is not the emulator's
    result = run(["check"], tmp_path, env=env)
    assert result.returncode == 1, result
    assert "slack      FAILED: SLACK_BOT_TOKEN: Slack rejected it (auth.test: invalid_auth); copy the Bot User" in (
        result.stdout
    )
    assert result.stderr == ""
    assert_no_secret(result)


# ---------------------------------------------------------------- one line per expected failure


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def slack_env(tmp_path: Path, emulator: SlackEmulator, **extra: str) -> dict[str, str]:
    return base_env(tmp_path, SLACK_BOT_TOKEN=emulator.workspace.bot_token, SLACK_API_URL=emulator.base_url, **extra)


def test_run_with_a_bot_token_slack_rejects(tmp_path: Path, emulator: SlackEmulator) -> None:
    result = run(
        ["run", "--http", "--port", str(closed_port())],
        tmp_path,
        env=base_env(tmp_path, SLACK_API_URL=emulator.base_url),
    )
    assert_one_line_error(
        result,
        2,
        "tandem: SLACK_BOT_TOKEN: Slack rejected it (auth.test: invalid_auth); copy the Bot User OAuth Token "
        "(xoxb-...) from your app's Install App page into SLACK_BOT_TOKEN",
    )
    assert_no_secret(result)
    assert not (tmp_path / "tandem.db").exists()  # checked before anything else


@pytest.mark.parametrize("command", [["run", "--http"], ["run", "--socket"], ["refresh"]])
def test_slack_unreachable(tmp_path: Path, command: list[str]) -> None:
    url = f"http://127.0.0.1:{closed_port()}/api/"
    env = base_env(tmp_path, SLACK_API_URL=url, SLACK_APP_TOKEN="xapp-1-A0000000000-0-some-app")
    port = ["--port", str(closed_port())] if command[0] == "run" else []
    result = run([*command, *port], tmp_path, env=env)
    assert_one_line_error(
        result, 1, f"tandem: could not reach Slack at {url} (Connection refused): check the network and SLACK_API_URL"
    )


def test_run_when_slack_times_out(tmp_path: Path, emulator: SlackEmulator) -> None:
    from bot.slack.probe import PROBE_TIMEOUT

    emulator.faults.add("auth.test", "slow", count=None, delay=PROBE_TIMEOUT + 3)
    result = run(["run", "--http", "--port", str(closed_port())], tmp_path, env=slack_env(tmp_path, emulator))
    assert_one_line_error(
        result,
        1,
        f"tandem: Slack did not answer auth.test within {PROBE_TIMEOUT} s at {emulator.base_url}: "
        "check the network (proxy, firewall) and try again",
    )


def test_run_with_an_app_token_slack_rejects(tmp_path: Path, emulator: SlackEmulator) -> None:
    env = slack_env(tmp_path, emulator, SLACK_APP_TOKEN="xapp-1-A0000000000-0-not-this-app")
    result = run(["run", "--port", str(closed_port())], tmp_path, env=env)
    assert_one_line_error(
        result,
        2,
        "tandem: SLACK_APP_TOKEN: Slack rejected it (apps.connections.open: invalid_auth); create an app-level "
        "token with the connections:write scope",
    )
    assert "Tandem is running" not in result.stdout + result.stderr


def test_run_when_the_port_is_in_use(tmp_path: Path, emulator: SlackEmulator) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        env = slack_env(tmp_path, emulator)
        result = run(["run", "--http", "--host", "127.0.0.1", "--port", str(port), "--no-scheduler"], tmp_path, env=env)
    assert_one_line_error(
        result,
        1,
        f"tandem: port {port} is already in use: stop whatever listens there, or pick another port with --port or PORT",
    )
    assert not (tmp_path / "tandem.db").exists()  # the port is checked before the database is touched


@pytest.mark.parametrize(
    "command",
    [
        ["run", "--http", "--no-scheduler"],
        ["tick"],
        ["digest", "--team", "T0123", "--channel", "C0123", "--preview"],
        ["export", "insights"],
        ["migrate"],
    ],
)
def test_a_sqlite_folder_that_does_not_exist(tmp_path: Path, emulator: SlackEmulator, command: list[str]) -> None:
    folder = tmp_path / "no" / "such" / "dir"
    env = slack_env(tmp_path, emulator, DATABASE_URL=f"sqlite:///{folder / 'tandem.db'}")
    result = run([*command, *(["--port", str(closed_port())] if command[0] == "run" else [])], tmp_path, env=env)
    assert_one_line_error(
        result,
        1,
        f"tandem: cannot open the SQLite database {folder / 'tandem.db'}: the folder {folder} does not exist; "
        "create it or point DATABASE_URL elsewhere",
    )
    assert result.stdout == ""  # export writes nothing (not even its header) before failing


def test_a_sqlite_path_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a folder")
    env = base_env(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / 'notes.txt' / 'tandem.db'}")
    result = run(["migrate"], tmp_path, env=env)
    assert_one_line_error(
        result,
        1,
        f"tandem: cannot open the SQLite database {tmp_path / 'notes.txt' / 'tandem.db'}: "
        f"{tmp_path / 'notes.txt'} is a file, not a folder; point DATABASE_URL elsewhere",
    )


def test_a_database_that_was_never_migrated(tmp_path: Path) -> None:
    result = run(["tick", "--now", "2026-03-29T07:00:00Z"], tmp_path, env=base_env(tmp_path))
    assert_one_line_error(
        result,
        1,
        f"tandem: the SQLite database {tmp_path / 'tandem.db'} has no Tandem tables yet: run `tandem migrate`",
    )


@pytest.mark.parametrize("command", [["migrate"], ["tick"], ["export", "insights"]])
def test_postgresql_refusing_the_connection(tmp_path: Path, command: list[str]) -> None:
    port = closed_port()
    env = base_env(tmp_path, DATABASE_URL=f"postgresql://tandem:secret-pw@127.0.0.1:{port}/tandem")
    result = run(command, tmp_path, env=env)
    assert_one_line_error(
        result,
        1,
        f"tandem: could not connect to PostgreSQL at 127.0.0.1:{port} (connection refused): is the server running, "
        "and is DATABASE_URL right?",
    )
    assert_no_secret(result, (*SECRETS, "secret-pw"))


def test_postgresql_without_its_driver(tmp_path: Path) -> None:
    # The `postgres` extra not installed: psycopg cannot be imported (None in sys.modules makes
    # `import psycopg` fail exactly as when it is absent), then the real command runs.
    script = "import sys; sys.modules['psycopg'] = None; from bot.cli import main; raise SystemExit(main())"
    result = subprocess.run(
        [sys.executable, "-c", script, "--env-file", "/dev/null", "migrate"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", **base_env(tmp_path, DATABASE_URL="postgresql://u:p@127.0.0.1:5432/tandem")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_one_line_error(
        result,
        2,
        "tandem: DATABASE_URL is a PostgreSQL URL but the driver is not installed: pip install 'tandem[postgres]'",
    )


def test_postgresql_refusing_the_password_is_explained() -> None:
    # The test clusters trust every local login (no password check to fail), so this maps the
    # error psycopg raises for a wrong password, as SQLAlchemy wraps it.
    import psycopg
    from sqlalchemy.exc import OperationalError

    from bot.problems import EXIT_SETTINGS, explain

    driver_error = psycopg.OperationalError(
        'connection failed: connection to server at "10.0.0.5", port 5433 failed: FATAL:  password authentication '
        'failed for user "tandem"'
    )
    error = OperationalError("SELECT 1", {}, driver_error)
    problem = explain(
        error, database_url="postgresql+psycopg://tandem:pw@10.0.0.5:5433/tandem", slack_api_url="x", port=None
    )
    assert problem is not None and problem.status == EXIT_SETTINGS
    assert str(problem) == (
        "PostgreSQL at 10.0.0.5:5433 refused the login of user tandem: check the user name and password in DATABASE_URL"
    )


def test_an_unexpected_error_still_shows_its_traceback() -> None:
    from bot.problems import explain

    assert explain(KeyError("bug"), database_url="sqlite://", slack_api_url="x", port=3000) is None
    assert explain(OSError(2, "No such file"), database_url="sqlite://", slack_api_url="x", port=3000) is None


# ---------------------------------------------------------------- digest


def test_digest_previews_without_the_preview_option(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    assert run(["migrate"], tmp_path, env=env).returncode == 0
    plain = run(["digest", "--team", "T0123", "--channel", "C0123", "--now", "2026-03-29T07:00:00Z"], tmp_path, env=env)
    assert plain.returncode == 0, plain.stderr
    assert plain.stdout.strip()
    explicit = run(
        ["digest", "--team", "T0123", "--channel", "C0123", "--now", "2026-03-29T07:00:00Z", "--preview"],
        tmp_path,
        env=env,
    )
    assert explicit.returncode == 0 and explicit.stdout == plain.stdout
