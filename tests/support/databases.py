"""Test databases built by the migrations (never ``create_all``), fast per test.

* SQLite: migrate once per session into a file, copy the file for each test.
* PostgreSQL: migrate once per session into a template database, ``CREATE DATABASE ... TEMPLATE``
  for each test, ``DROP ... WITH (FORCE)`` afterwards. The server is ``TANDEM_TEST_POSTGRES_URL``
  (an admin URL) or, when unset, a throwaway cluster this module starts (initdb/pg_ctl from PATH
  or /usr/lib/postgresql/*/bin; as the ``postgres`` user when running as root) on a free loopback
  port in a temp dir, stopped at session end. Each pytest-xdist worker gets its own template
  (and, without the env var, its own cluster).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.db import Database
from bot.migrate import upgrade_to_head
from bot.settings import normalize_database_url
from tests.support.botproc import free_port


class PostgresUnavailable(Exception):
    pass


def migrate(url: str) -> None:
    db = Database.from_url(normalize_database_url(url))
    try:
        upgrade_to_head(db)
    finally:
        db.dispose()


def build_sqlite_template(directory: Path) -> Path:
    path = directory / "template.db"
    migrate(f"sqlite:///{path}")
    for suffix in ("-wal", "-shm"):
        if Path(f"{path}{suffix}").exists():  # engine disposal checkpoints; be sure nothing is left
            raise RuntimeError(f"SQLite template left a {suffix} file behind")
    return path


def fresh_sqlite(template: Path, directory: Path) -> str:
    target = directory / f"tandem-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def _pg_bin() -> Path | None:
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists() and Path(candidate, "pg_ctl").exists():
            return Path(candidate)
    return None


class PostgresCluster:
    """A throwaway PostgreSQL cluster on 127.0.0.1:<free port>, trust auth, fsync off."""

    def __init__(self) -> None:
        bindir = _pg_bin()
        if bindir is None:
            raise PostgresUnavailable("no initdb/pg_ctl on PATH or in /usr/lib/postgresql/*/bin")
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="tandem-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._prefix: list[str] = []
        if os.geteuid() == 0:
            # /usr/sbin is not on every root PATH (cron, `env -i`): look there too.
            runuser = shutil.which("runuser") or shutil.which("runuser", path="/usr/sbin:/sbin")
            if runuser is None:
                raise PostgresUnavailable("running as root without runuser: cannot start PostgreSQL")
            self._prefix = [runuser, "-u", "postgres", "--"]
            shutil.chown(self.root, "postgres", "postgres")
            self.root.chmod(0o755)

    def _run(self, *args: str) -> None:
        result = subprocess.run([*self._prefix, *args], capture_output=True, text=True, check=False, timeout=120)
        if result.returncode != 0:
            raise PostgresUnavailable(f"{Path(args[0]).name} failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> PostgresCluster:
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        options += " -c synchronous_commit=off -c max_connections=200"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.root / "pg.log"),
            "-w",
            "start",
        )
        return self

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)


class PostgresAdmin:
    """Creates and drops databases through an admin URL."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self._url = make_url(normalize_database_url(admin_url))

    def _execute(self, statement: str) -> None:
        import psycopg

        url = self._url
        with psycopg.connect(
            host=url.host, port=url.port, user=url.username, password=url.password, dbname=url.database, autocommit=True
        ) as connection:
            connection.execute(statement.encode())

    def check(self) -> None:
        import psycopg

        try:
            self._execute("SELECT 1")
        except (psycopg.Error, OSError) as error:
            raise PostgresUnavailable(f"cannot reach {self._url.render_as_string()}: {error}") from None

    def url_for(self, name: str) -> str:
        return (
            self._url.set(database=name)
            .render_as_string(hide_password=False)
            .replace("postgresql+psycopg", "postgresql")
        )

    def create(self, name: str, template: str | None = None) -> str:
        clause = f' TEMPLATE "{template}"' if template else ""
        self._execute(f'CREATE DATABASE "{name}"{clause}')
        return self.url_for(name)

    def drop(self, name: str) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def unique_name(kind: str) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    return f"tandem_{kind}_{worker}_{uuid.uuid4().hex[:10]}"


def ci_requires_postgres() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
