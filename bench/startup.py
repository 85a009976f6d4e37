"""Benchmark: start-up time of ``tandem run --http`` to ready, and the running bot's resident
memory with 1,000 rituals (and 1,000 insights) in the database, after a tick.

    python bench/startup.py              # SQLite, 7 start-ups
    python bench/startup.py --runs 11

Set-up (not timed): a migrated SQLite database holding 1,000 stand-ups made through the stand-up
service (``save_standup``: 4 participants each, product and marketing, weekdays 09:00 UTC, so
1,000 schedules of the scheduling engine and 4,000 participant rows) and 1,000 insights made
through the insights service (``capture_insight``). The Slack emulator of the test harness
answers the bot's Web API calls on loopback.

* Start-up: ``python -m bot run --http`` (scheduler and drainer on, migrations already applied
  so the start-up check finds nothing to do) from process spawn to the first ``GET /healthz``
  answering 200 (polled every 10 ms); median, min and max of ``--runs`` start-ups. The clock file
  says 08:30, so nothing is due while it starts.
* Memory: the bot is started again with ``TANDEM_TICK_SECONDS=1`` and the clock at 09:00:30 on a
  Monday, so its first scheduler tick finds all 1,000 stand-ups due and runs their prompts
  (outbox rows; the drainer starts sending). RSS is read from /proc/<pid>/status (VmRSS, and the
  peak VmHWM) when ready, and 2 s after the tick's summary is logged.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

RITUALS = 1_000
INSIGHTS = 1_000
SEEDED_AT = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # a Monday
BEFORE_DUE = "2026-11-23T08:30:00Z"
AFTER_DUE = "2026-11-23T09:00:30Z"


def seed(database_url: str, api_url: str, bot_token: str, people: dict[str, list[str]], channel: str) -> None:
    from bot.db import Database
    from bot.insights.capture import capture_insight
    from bot.insights.data import CaptureContext, CleanCapture
    from bot.migrate import upgrade_to_head
    from bot.runtime import build_services
    from bot.settings import Settings
    from bot.slack.users import SlackUser
    from bot.standup.data import StandupInput
    from bot.standup.ids import Side, ZoneMode
    from bot.standup.setup import save_standup

    db = Database.from_url(database_url)
    upgrade_to_head(db)
    db.dispose()
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=bot_token,
        slack_signing_secret="bench",
        slack_api_url=api_url,
        database_url=database_url,
    )
    services = build_services(settings)

    class Directory:
        """Everyone is an active person in New York: no Slack look-ups while seeding."""

        def get_user(self, user_id: str) -> SlackUser:
            return SlackUser(user_id, "T", user_id, "America/New_York", False, False, False)

        def group_members(self, group_id: str) -> list[str]:
            return []

    team = people["team"][0]
    with services.db.unit_of_work() as session:
        for i in range(RITUALS):
            data = StandupInput(
                name=f"Joint stand-up {i}",
                channel_id=channel,
                people={Side.PRODUCT: people["product"], Side.MARKETING: people["marketing"]},
                groups={},
                days=[0, 1, 2, 3, 4],
                local_time="09:00",
                zone_mode=ZoneMode.FIXED,
                timezone="UTC",
                questions={"all": ["What did you finish?", "What is next?"]},
                blocker_question="What do you need from the other team?",
                reminder_minutes=60,
                open_minutes=240,
                prefill=False,
            )
            save_standup(
                session, Directory(), team_id=team, actor_id=people["product"][0], actor_is_admin=True,
                data=data, now=SEEDED_AT,
            )  # fmt: skip
        for i in range(INSIGHTS):
            capture = CleanCapture(
                text=f"Customer number {i} asked about single sign-on, exports and onboarding emails",
                customer=f"Customer {i}",
                segment="Mid-market",
                source="sales_call",
                category="customer_needs",
                impact="medium",
                evidence_url="",
                tags=[],
            )
            capture_insight(
                session, team_id=team, user_id=people["product"][0], capture=capture, context=CaptureContext(),
                now=SEEDED_AT,
            )  # fmt: skip
    services.db.dispose()


def rss_kib(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) in KiB from /proc."""
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    found = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.M)}
    return found["VmRSS"], found["VmHWM"]


def start(
    env: dict[str, str], workdir: Path, log_name: str, timeout: float = 60.0
) -> tuple[subprocess.Popen[bytes], str, float, Path]:
    from tests.support.botproc import free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = workdir / log_name
    args = [sys.executable, "-m", "bot", "run", "--http", "--host", "127.0.0.1", "--port", str(port)]
    with log_path.open("wb") as log, httpx.Client(timeout=1.0) as client:
        began = time.perf_counter()
        process = subprocess.Popen(args, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"the bot exited: {log_path.read_text(errors='replace')[-2000:]}")
            try:
                if client.get(url + "/healthz").status_code == 200:
                    return process, url, time.perf_counter() - began, log_path
            except httpx.HTTPError:
                pass
            time.sleep(0.01)
    process.kill()
    raise RuntimeError("the bot did not become ready")


def stop(process: subprocess.Popen[bytes]) -> int:
    process.terminate()
    return process.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7, help="start-ups to time (default 7)")
    parser.add_argument("--tick-timeout", type=float, default=300.0, help="seconds to wait for the tick (300)")
    args = parser.parse_args()

    from bot.playground.slack_emulator import SlackEmulator
    from tests.support.botproc import TEST_SIGNING_SECRET, ClockFile, bot_env
    from tests.support.conformance import REFERENCE_RULES

    with tempfile.TemporaryDirectory() as tmp, SlackEmulator(rules=REFERENCE_RULES) as emulator:
        workdir = Path(tmp)
        ws = emulator.workspace
        url = f"sqlite:///{workdir}/startup.db"
        people = {
            "team": [ws.team_id],
            "product": [ws.user_id("pat"), ws.user_id("max")],
            "marketing": [ws.user_id("asha"), ws.user_id("mia")],
        }
        began = time.perf_counter()
        seed(url, emulator.base_url, ws.bot_token, people, ws.channel_id("product-marketing"))
        print(f"seeded {RITUALS} stand-ups (1 schedule + 4 participants each) and {INSIGHTS} insights "
              f"in {time.perf_counter() - began:.1f} s")  # fmt: skip
        clock = ClockFile(workdir / "now.txt")
        clock.set(BEFORE_DUE)
        env = bot_env(
            api_url=emulator.base_url,
            bot_token=ws.bot_token,
            signing_secret=TEST_SIGNING_SECRET,
            database_url=url,
            clock_file=clock.path,
        )

        times: list[float] = []
        ready_rss: list[int] = []
        for run in range(args.runs):
            process, _url, elapsed, _log = start(env, workdir, f"start{run}.log")
            times.append(elapsed)
            ready_rss.append(rss_kib(process.pid)[0])
            code = stop(process)
            if code != 0:
                print(f"warning: run {run} exited with {code} on SIGTERM")
        print(
            f"start-up to ready (GET /healthz 200), {args.runs} runs: median {statistics.median(times) * 1000:.0f} ms, "
            f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms; "
            f"RSS when ready: median {statistics.median(ready_rss) / 1024:.1f} MiB"
        )

        clock.set(AFTER_DUE)
        process, _url, _elapsed, log_path = start({**env, "TANDEM_TICK_SECONDS": "1"}, workdir, "tick.log")
        try:
            before = rss_kib(process.pid)
            deadline = time.monotonic() + args.tick_timeout
            summary = ""
            while time.monotonic() < deadline and not summary:
                found = re.search(r"tick at [^\n]*", log_path.read_text(errors="replace"))
                summary = found.group(0) if found else ""
                time.sleep(0.2)
            if not summary:
                print(f"the tick did not finish within {args.tick_timeout:.0f} s")
                return 1
            time.sleep(2.0)
            after = rss_kib(process.pid)
            sent = len(emulator.calls("chat.postMessage"))
        finally:
            code = stop(process)
        print(f"tick summary: {summary}")
        print(
            f"RSS with {RITUALS} stand-ups + {INSIGHTS} insights: when ready {before[0] / 1024:.1f} MiB; "
            f"2 s after the tick {after[0] / 1024:.1f} MiB (peak VmHWM {after[1] / 1024:.1f} MiB); "
            f"chat.postMessage calls by then {sent}; exit on SIGTERM {code}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
