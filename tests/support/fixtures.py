"""pytest fixtures of the harness (imported by tests/conftest.py; see tests/README.md).

* ``emulator`` — a fresh :class:`SlackEmulator` per test; at teardown the test fails if any
  conformance violation is left (collect expected ones with ``emulator.take_violations()``).
* ``workspace`` — ``emulator.workspace`` (Acme, the standard cast).
* ``database_url`` — parametrized ``sqlite`` / ``postgresql``: a fresh, migrated database per
  test. Narrow one test to one database with
  ``@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)``.
* ``clock`` — the :class:`ClockFile` the bot reads 'now' from; ``set_now(instant)`` writes it.
* ``bot`` — the real bot (``python -m bot run --http --no-scheduler``) against the emulator and
  the database; SIGTERM at teardown, which must exit 0. ``bot_options`` (override the fixture)
  turns the scheduler on or adds env.
* ``inproc_bot`` — the Bolt App built in this process (``build_app(services)``), driven through
  ``app.dispatch``; same API as ``bot``.
* ``driver`` / ``user`` — the driver of whichever bot the test uses (``inproc_bot`` if the test
  asks for it, else ``bot``) and a factory ``user("pat")`` of :class:`SimulatedUser`.
* ``tandem`` — run a ``tandem`` CLI command with the bot's environment: ``tandem("tick", "--now", iso)``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from bot.playground.people import SimulatedUser
from bot.playground.signed_requests import Driver, HttpTransport, InProcessTransport
from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import Workspace
from tests.support.botproc import TEST_SIGNING_SECRET, BotProcess, ClockFile, bot_env, run_tandem
from tests.support.conformance import REFERENCE_RULES
from tests.support.databases import (
    PostgresAdmin,
    PostgresCluster,
    PostgresUnavailable,
    build_sqlite_template,
    ci_requires_postgres,
    fresh_sqlite,
    migrate,
    unique_name,
)


@dataclass
class BotUnderTest:
    """The bot a test talks to (subprocess or in-process), with everything bound to it."""

    emulator: SlackEmulator
    driver: Driver
    clock: ClockFile
    database_url: str
    env: dict[str, str]
    workdir: Path
    process: BotProcess | None = None
    app: Any = None  # the Bolt App (in-process only)
    services: Any = None  # bot.services.Services (in-process only)
    _users: dict[tuple[str, str], SimulatedUser] = field(default_factory=dict)

    @property
    def url(self) -> str:
        assert self.process is not None, "in-process bot has no URL"
        return self.process.url

    def user(self, handle_or_id: str, workspace: Workspace | None = None) -> SimulatedUser:
        """A SimulatedUser by handle ("pat") or id, in ``workspace`` (default: the first)."""
        ws = workspace or self.emulator.workspace
        key = (ws.team_id, handle_or_id)
        if key not in self._users:
            user_id = handle_or_id if handle_or_id in ws.users else ws.user_id(handle_or_id)
            self._users[key] = SimulatedUser(self.emulator, self.driver, ws, user_id)
        return self._users[key]

    def set_now(self, instant: datetime | str) -> datetime:
        """Make the bot's clock read ``instant`` (aware datetime or ISO string)."""
        return self.clock.set(instant)

    def tandem(self, *args: str, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
        """Run ``tandem <args>`` with the bot's environment (same DB, emulator, clock)."""
        return run_tandem(*args, env=self.env, cwd=self.workdir, timeout=timeout)

    def tick(self, now: datetime | str | None = None) -> subprocess.CompletedProcess[str]:
        """``tandem tick --now <instant>`` (default: the clock file's instant, else the real now)."""
        moment = now if now is not None else self.clock.now()
        args = (
            ["tick"] if moment is None else ["tick", "--now", moment if isinstance(moment, str) else moment.isoformat()]
        )
        result = self.tandem(*args)
        if result.returncode != 0:
            raise AssertionError(f"tandem tick failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result

    def log_text(self) -> str:
        """Subprocess bot: its whole stdout+stderr so far."""
        return self.process.log_text() if self.process is not None else ""


# ---------------------------------------------------------------------- Slack
@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    emulator = SlackEmulator(rules=REFERENCE_RULES).start()
    try:
        yield emulator
    finally:
        emulator.stop()
    emulator.assert_no_violations()


@pytest.fixture
def workspace(emulator: SlackEmulator) -> Workspace:
    return emulator.workspace


@pytest.fixture
def signing_secret() -> str:
    return TEST_SIGNING_SECRET


# ---------------------------------------------------------------------- databases
@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[PostgresAdmin]:
    """An admin connection to a PostgreSQL server: TANDEM_TEST_POSTGRES_URL or a throwaway cluster.

    Without PostgreSQL the dependent tests are skipped, except under CI=true where that fails."""
    cluster: PostgresCluster | None = None
    try:
        url = os.environ.get("TANDEM_TEST_POSTGRES_URL", "").strip()
        if not url:
            cluster = PostgresCluster().start()
            url = cluster.admin_url
        admin = PostgresAdmin(url)
        admin.check()
    except PostgresUnavailable as error:
        if cluster is not None:
            cluster.stop()
        reason = f"PostgreSQL unavailable ({error}); set TANDEM_TEST_POSTGRES_URL or install PostgreSQL"
        if ci_requires_postgres():
            pytest.fail(f"CI must run both databases: {reason}", pytrace=False)
        pytest.skip(reason)
    try:
        yield admin
    finally:
        if cluster is not None:
            cluster.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres_admin: PostgresAdmin) -> Iterator[str]:
    name = unique_name("tmpl")
    url = postgres_admin.create(name)
    try:
        migrate(url)
        yield name
    finally:
        postgres_admin.drop(name)


def _fresh_database(request: pytest.FixtureRequest, kind: str, tmp_path: Path) -> Iterator[str]:
    if kind == "sqlite":
        yield fresh_sqlite(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    if kind != "postgresql":
        raise ValueError(f"unknown database kind {kind!r}")
    admin: PostgresAdmin = request.getfixturevalue("postgres_admin")
    template: str = request.getfixturevalue("postgres_template")
    name = unique_name("test")
    url = admin.create(name, template=template)
    try:
        yield url
    finally:
        admin.drop(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database per test, on SQLite and on PostgreSQL."""
    yield from _fresh_database(request, request.param, tmp_path)


@pytest.fixture
def sqlite_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from _fresh_database(request, "sqlite", tmp_path)


@pytest.fixture
def postgres_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from _fresh_database(request, "postgresql", tmp_path)


# ---------------------------------------------------------------------- time
@pytest.fixture
def clock(tmp_path: Path) -> ClockFile:
    return ClockFile(tmp_path / "now.txt")


@pytest.fixture
def set_now(clock: ClockFile) -> Callable[[datetime | str], datetime]:
    return clock.set


# ---------------------------------------------------------------------- the bot
@pytest.fixture
def bot_options() -> dict[str, Any]:
    """Override in a module to change how ``bot`` starts: {"scheduler": True, "env": {...}}."""
    return {}


@pytest.fixture
def bot_environment(
    emulator: SlackEmulator, database_url: str, clock: ClockFile, signing_secret: str, bot_options: dict[str, Any]
) -> dict[str, str]:
    return bot_env(
        api_url=emulator.base_url,
        bot_token=emulator.workspace.bot_token,
        signing_secret=signing_secret,
        database_url=database_url,
        clock_file=clock.path,
        log_level=bot_options.get("log_level", "INFO"),
        **bot_options.get("env", {}),
    )


@pytest.fixture
def bot(
    emulator: SlackEmulator,
    bot_environment: dict[str, str],
    database_url: str,
    clock: ClockFile,
    signing_secret: str,
    bot_options: dict[str, Any],
    tmp_path: Path,
) -> Iterator[BotUnderTest]:
    """The real bot process in HTTP mode, bound to the emulator and a fresh database."""
    workdir = tmp_path / "bot"
    workdir.mkdir()
    process = BotProcess(bot_environment, workdir, scheduler=bool(bot_options.get("scheduler"))).start()
    transport = HttpTransport(process.url)
    handle = BotUnderTest(
        emulator, Driver(emulator, transport, signing_secret), clock, database_url, bot_environment, workdir, process
    )
    try:
        yield handle
    finally:
        transport.close()
        code = process.stop()
    assert code == 0, f"the bot exited with {code} on SIGTERM; log:\n{process.log_text()[-3000:]}"


@pytest.fixture
def inproc_bot(
    emulator: SlackEmulator,
    database_url: str,
    clock: ClockFile,
    signing_secret: str,
    tmp_path: Path,
) -> Iterator[BotUnderTest]:
    """The Bolt App in this process (fast): ``build_app(services)`` + ``app.dispatch``."""
    from pydantic import SecretStr

    from bot.app import build_app
    from bot.runtime import build_services
    from bot.settings import Settings

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=SecretStr(emulator.workspace.bot_token),
        slack_signing_secret=SecretStr(signing_secret),
        slack_api_url=emulator.base_url,
        database_url=database_url,
        tandem_clock_file=clock.path,
        slack_app_token=None,
        slack_client_id=None,
        slack_client_secret=None,
    )
    services = build_services(settings)
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="inproc-listener")
    app = build_app(services, listener_executor=executor)
    env = bot_env(
        api_url=emulator.base_url,
        bot_token=emulator.workspace.bot_token,
        signing_secret=signing_secret,
        database_url=database_url,
        clock_file=clock.path,
    )
    workdir = tmp_path / "inproc"
    workdir.mkdir()
    handle = BotUnderTest(
        emulator,
        Driver(emulator, InProcessTransport(app), signing_secret),
        clock,
        database_url,
        env,
        workdir,
        app=app,
        services=services,
    )
    try:
        yield handle
    finally:
        executor.shutdown(wait=True)
        services.db.dispose()


def _target(request: pytest.FixtureRequest) -> BotUnderTest:
    name = "inproc_bot" if "inproc_bot" in request.fixturenames else "bot"
    target: BotUnderTest = request.getfixturevalue(name)
    return target


@pytest.fixture
def driver(request: pytest.FixtureRequest) -> Driver:
    return _target(request).driver


@pytest.fixture
def user(request: pytest.FixtureRequest) -> Callable[..., SimulatedUser]:
    target = _target(request)
    return target.user


@pytest.fixture
def tandem(
    emulator: SlackEmulator, database_url: str, clock: ClockFile, signing_secret: str, tmp_path: Path
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the ``tandem`` CLI against the emulator and the test database (no bot process needed)."""
    env = bot_env(
        api_url=emulator.base_url,
        bot_token=emulator.workspace.bot_token,
        signing_secret=signing_secret,
        database_url=database_url,
        clock_file=clock.path,
    )

    def run(
        *args: str, env_overrides: dict[str, str | None] | None = None, timeout: float = 60.0
    ) -> subprocess.CompletedProcess[str]:
        final = dict(env)
        for key, value in (env_overrides or {}).items():
            if value is None:
                final.pop(key, None)
            else:
                final[key] = value
        return run_tandem(*args, env=final, cwd=tmp_path, timeout=timeout)

    return run
