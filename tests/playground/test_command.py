"""``tandem playground`` as a person runs it: a process with nothing configured, on loopback,
stopped with SIGTERM / Ctrl-C; started again on its database, it goes on where it stopped."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

READY = re.compile(r"Tandem playground is ready at (http://127\.0\.0\.1:(\d+)/) \(([0-9.]+) s\)")
START_TIMEOUT = 30.0


def _environment(folder: Path) -> dict[str, str]:
    """No Slack settings at all, and no display (so no browser is launched)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "TANDEM_"))}
    env.pop("DISPLAY", None)
    env.pop("WAYLAND_DISPLAY", None)
    env["HOME"] = str(folder)
    return env


def _start(folder: Path, *extra: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "playground", "--port", "0", *extra],
        cwd=folder,
        env=_environment(folder),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        found = READY.search(line)
        if found:
            return process, found.group(1)
        if not line and process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"the playground did not start: {process.stderr.read() if process.stderr else ''}")


def _stop(process: subprocess.Popen[str], sig: signal.Signals) -> tuple[int, str]:
    process.send_signal(sig)
    try:
        _out, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        raise AssertionError("the playground did not stop within 20 s") from None
    return process.returncode, err


def test_it_starts_with_nothing_configured_serves_the_page_and_stops_cleanly(tmp_path: Path) -> None:
    process, url = _start(tmp_path)
    try:
        page = httpx.get(url)
        assert page.status_code == 200 and "Tandem playground" in page.text
        people = httpx.get(url + "api/people").json()["people"]
        assert {p["tz"] for p in people} >= {"Europe/Berlin", "America/New_York", "Asia/Kolkata"}
        assert {p["side"] for p in people} >= {"product", "marketing"}
        wrong_host = httpx.get(url, headers={"Host": "evil.example:80"})
        assert wrong_host.status_code == 421  # DNS rebinding: only this loopback server's own name
    finally:
        status, err = _stop(process, signal.SIGTERM)
    assert status == 0, err
    assert "Traceback" not in err
    assert (tmp_path / "playground.db").exists() and (tmp_path / "playground.db.slack.json").exists()


def test_started_again_it_resumes_and_fresh_starts_over(tmp_path: Path) -> None:
    process, url = _start(tmp_path)
    try:
        moved = httpx.post(url + "api/clock", json={"step": "day"}, headers={"X-Playground": "1"}).json()
        assert moved["ok"], moved
    finally:
        status, err = _stop(process, signal.SIGINT)  # Ctrl-C
    assert status == 0, err
    process, url = _start(tmp_path)
    try:
        someone = httpx.get(url + "api/people").json()["people"][0]["id"]
        state = httpx.get(url + "api/state", params={"as": someone}).json()
        assert state["now"] == moved["result"]["now"]  # the clock went on from where it was
    finally:
        _stop(process, signal.SIGTERM)
    process, url = _start(tmp_path, "--fresh")
    try:
        someone = httpx.get(url + "api/people").json()["people"][0]["id"]
        state = httpx.get(url + "api/state", params={"as": someone}).json()
        assert state["now"] < moved["result"]["now"]
    finally:
        _stop(process, signal.SIGTERM)


def test_a_database_without_its_saved_slack_is_one_clear_line(tmp_path: Path) -> None:
    (tmp_path / "playground.db").write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "playground", "--port", "0"],
        cwd=tmp_path,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "--fresh" in lines[0], result.stderr


def test_demo_week_plays_headless_and_exits(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "playground", "--demo-week"],
        cwd=tmp_path,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    summary = result.stdout.strip().splitlines()[-1]
    week = (
        r"played a week: (\d+) rituals, (\d+) stand-up answers .* (\d+) insights saved, (\d+) triaged, "
        r"(\d+) retro items"
    )
    found = re.search(week, summary)
    assert found, summary
    rituals, answers, insights, triaged, items = (int(g) for g in found.groups())
    assert rituals > 20 and answers > 20 and insights == 3 and triaged == 2 and items == 3
    assert "digest.post" in result.stdout and "retro.open" in result.stdout and "standup.prompt" in result.stdout
    assert "Traceback" not in result.stderr
