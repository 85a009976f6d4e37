"""The real bot as a subprocess (HTTP mode) and the ``tandem`` CLI, against the emulator.

The environment is built from scratch (never inherited SLACK_* / DATABASE_URL settings) and the
process runs in a temporary working directory, so no ``.env`` file leaks in.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

import httpx

from bot.clock import parse_instant

# The signing secret the test bots run with (the driver signs every request with it).
TEST_SIGNING_SECRET = "e2e0c0ffee5ecret0000000000000000"

INHERITED = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT", "VIRTUAL_ENV", "PYTHONPATH")
STARTUP_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bot_env(
    *,
    api_url: str,
    bot_token: str | None,
    signing_secret: str | None,
    database_url: str,
    clock_file: Path | None = None,
    log_level: str = "INFO",
    **extra: str,
) -> dict[str, str]:
    """A clean environment for ``python -m bot``: only what the bot needs, nothing inherited."""
    env = {key: os.environ[key] for key in INHERITED if key in os.environ}
    env.update({"SLACK_API_URL": api_url, "DATABASE_URL": database_url, "LOG_LEVEL": log_level})
    env["PYTHONUNBUFFERED"] = "1"
    if bot_token is not None:
        env["SLACK_BOT_TOKEN"] = bot_token
    if signing_secret is not None:
        env["SLACK_SIGNING_SECRET"] = signing_secret
    if clock_file is not None:
        env["TANDEM_CLOCK_FILE"] = str(clock_file)
    env.update(extra)
    return env


def run_tandem(*args: str, env: dict[str, str], cwd: Path, timeout: float = 60.0) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot <args>`` (the ``tandem`` command) and capture its output."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


class ClockFile:
    """The bot's ``TANDEM_CLOCK_FILE``: write an instant and the bot takes it as 'now'."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.write_text("", encoding="utf-8")

    def set(self, instant: datetime | str) -> datetime:
        moment = parse_instant(instant) if isinstance(instant, str) else instant
        if moment.tzinfo is None:
            raise ValueError("set_now needs an aware datetime (or an ISO string with an offset)")
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(moment.isoformat(), encoding="utf-8")
        tmp.replace(self.path)  # atomic: the bot never reads half a timestamp
        return moment

    def advance(self, delta: timedelta) -> datetime:
        current = self.now()
        if current is None:
            raise ValueError("advance() needs set() first")
        return self.set(current + delta)

    def now(self) -> datetime | None:
        text = self.path.read_text(encoding="utf-8").strip()
        return parse_instant(text) if text else None

    def clear(self) -> None:
        """Back to the system clock."""
        self.path.write_text("", encoding="utf-8")


class BotProcess:
    """``python -m bot run --http`` on a free loopback port; stdout+stderr go to ``log_path``.

    ``http=False`` leaves out ``--http``: ``tandem run`` then picks its transport by itself (Socket
    Mode when the env has SLACK_APP_TOKEN, serving only /healthz and /metrics on the port)."""

    def __init__(
        self,
        env: dict[str, str],
        workdir: Path,
        *,
        scheduler: bool = False,
        extra_args: tuple[str, ...] = (),
        http: bool = True,
    ) -> None:
        self.env = env
        self.workdir = workdir
        self.scheduler = scheduler
        self.extra_args = extra_args
        self.http = http
        self.log_path = workdir / "bot.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = STARTUP_TIMEOUT) -> BotProcess:
        for _attempt in range(3):  # a free port can be taken between probe and bind: retry
            self.port = free_port()
            args = [sys.executable, "-m", "bot", "run", *(["--http"] if self.http else [])]
            args += ["--host", "127.0.0.1", "--port", str(self.port)]
            args += ["--threads", "4"]
            if not self.scheduler:
                args.append("--no-scheduler")
            args += list(self.extra_args)
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    args, env=self.env, cwd=self.workdir, stdout=log, stderr=subprocess.STDOUT
                )
            if self._wait_ready(timeout):
                return self
            if "already in use" not in self.log_text().lower():
                break
        self.kill()
        raise RuntimeError(f"the bot did not become ready; its log:\n{self.log_text()[-4000:]}")

    def _wait_ready(self, timeout: float) -> bool:
        assert self.process is not None
        deadline = time.monotonic() + timeout
        with httpx.Client(timeout=1.0) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    return False
                try:
                    if client.get(f"{self.url}/healthz").status_code == 200:
                        return True
                except httpx.HTTPError:
                    pass
                time.sleep(0.05)
        return False

    def log_text(self) -> str:
        """Everything the bot wrote to stdout/stderr so far."""
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 15.0) -> int:
        """SIGTERM and wait; returns the exit status."""
        if self.process is None:
            return self.returncode if self.returncode is not None else 0
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.returncode = self.process.returncode
        self.process = None
        return self.returncode

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None
