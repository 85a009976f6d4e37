"""A normal install works anywhere: the wheel carries the migrations (as ``bot.migrations``), and
``tandem migrate`` / ``check`` / ``run`` from the wheel work from a directory unrelated to the checkout.

The wheel is built once from a copy of what the Dockerfile copies (pyproject.toml,
README.md, bot/, migrations/), with pip's usual isolated build (setuptools from the package index,
as any ``pip install .`` does). It is installed with ``--no-deps --no-index`` into a fresh venv
that sees the test environment's site-packages through a ``.pth`` line, so no dependency is
downloaded; ``.pth`` files of that folder are not processed, so the editable install of the
checkout stays out and ``bot`` comes from the wheel (asserted).
"""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import sysconfig
import time
import tomllib
import venv
import zipfile
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from setuptools import find_packages

from bot.playground.slack_emulator import SlackEmulator
from tests.support.botproc import free_port

ROOT = Path(__file__).resolve().parent.parent
SIGNING_SECRET = "packaging-test-signing-secret-0123456789"


def test_the_package_list_names_every_package() -> None:
    # pyproject.toml lists the packages (package-dir maps bot.migrations to migrations/, which
    # automatic discovery cannot do): a new package under bot/ must be added there.
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {"bot", *(f"bot.{name}" for name in find_packages(str(ROOT / "bot")))}
    assert listed == found | {"bot.migrations"}
    assert config["tool"]["setuptools"]["package-dir"] == {"bot.migrations": "migrations"}


@dataclass(frozen=True)
class Installed:
    venv: Path
    wheel: Path

    @property
    def tandem(self) -> str:
        return str(self.venv / "bin" / "tandem")

    @property
    def python(self) -> str:
        return str(self.venv / "bin" / "python")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """The project built as a wheel and installed into a fresh venv (see the module docstring)."""
    base = tmp_path_factory.mktemp("packaging")
    source = base / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        (source / name).write_bytes((ROOT / name).read_bytes())
    for folder in ("bot", "migrations"):
        shutil.copytree(ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    wheels = base / "wheels"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(source)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=base,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    (wheel,) = wheels.glob("tandem-*.whl")

    target = base / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    purelib = Path(
        subprocess.run(
            [str(target / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # The test environment's dependencies, after the venv's own site-packages (where the wheel goes).
    (purelib / "zz_test_environment.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    pip = [sys.executable, "-m", "pip", "--python", str(target / "bin" / "python")]
    install = subprocess.run(
        [*pip, "install", "--no-deps", "--no-index", "--quiet", str(wheel)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    return Installed(target, wheel)


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    """Only what the command needs: no PYTHONPATH, no VIRTUAL_ENV pointing at the checkout."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", **extra}


def test_installed_wheel_migrates_checks_and_runs_from_any_directory(
    installed: Installed, tmp_path: Path, emulator: SlackEmulator
) -> None:
    # One test: under xdist a session fixture is built once per worker, and the build is the slow part.
    with zipfile.ZipFile(installed.wheel) as archive:
        names = set(archive.namelist())
    versions = sorted(p.name for p in (ROOT / "migrations" / "versions").glob("*.py"))
    assert versions and {f"bot/migrations/versions/{name}" for name in versions} <= names
    assert {"bot/migrations/env.py", "bot/migrations/script.py.mako", "bot/migrations/__init__.py"} <= names
    assert not any(name.startswith(("tests/", "migrations/")) for name in names)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    database = tmp_path / "data" / "tandem.db"
    database.parent.mkdir()
    env = clean_env(
        elsewhere,
        SLACK_BOT_TOKEN=emulator.workspace.bot_token,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=emulator.base_url,
        DATABASE_URL=f"sqlite:///{database}",
    )

    where = subprocess.run(
        [installed.python, "-c", "import bot, bot.migrate; print(bot.__file__); print(bot.migrate.MIGRATIONS)"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert all(line.startswith(str(installed.venv)) for line in where), where  # not the checkout

    def tandem(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [installed.tandem, "--env-file", "/dev/null", *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    migrate = tandem("migrate")
    assert migrate.returncode == 0, migrate.stderr
    assert migrate.stdout.startswith("applied ") and "0001_foundation" in migrate.stdout
    with sqlite3.connect(database) as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"alembic_version", "workspaces", "outbox", "standups"} <= tables, tables

    check = tandem("check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "database   ok (at 0" in check.stdout and "slack      ok: team Acme" in check.stdout

    port = free_port()
    log = tmp_path / "run.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [installed.tandem, "--env-file", "/dev/null", "run", "--http", "--host", "127.0.0.1", "--port", str(port)],
            cwd=elsewhere,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        status = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code
            except httpx.HTTPError:
                status = None
            if status == 200:
                break
            time.sleep(0.1)
        assert status == 200, log.read_text(errors="replace")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            process.wait(30)
    assert process.returncode == 0, log.read_text(errors="replace")
    assert "database is up to date" in log.read_text(errors="replace")
    assert not (elsewhere / "migrations").exists() and os.listdir(elsewhere) == []
