"""Benchmark: ack latency under 50 concurrent simulated users, HTTP mode, side by side with a bare
Bolt app that only acks (same server: waitress + Bolt's WSGI adapter, same signing).

    python bench/load.py                       # SQLite, 50 users x 20 requests per kind
    python bench/load.py --database postgres   # PostgreSQL (see bench/postgres.py)
    python bench/load.py --users 50 --requests 20 --threads 8 --rounds 2

Four processes on 127.0.0.1:

* this one, the load generator: the simulated users (one thread and one keep-alive HTTP client
  each), which sign requests with the harness driver (bot/playground/signed_requests.py) and time them;
* the harness's Slack Web API emulator (bot/playground/slack_emulator.py), in its own process (a
  ``multiprocessing`` manager, spawned), so its work (e.g. validating the Block Kit of each
  ``views.open`` after a click) never holds the GIL of a thread that is measuring. The generator
  reaches it over the manager's connection (one per thread) to issue each trigger_id and
  response_url right before the request that carries it (a trigger is valid 3 s, once), to set
  up users and the channel, to read the posted insight and the capture modal, and for the
  emulator's report (calls, failures, per-request handling time, CPU);
* the real bot (``python -m bot run --http`` with its scheduler and outbox drainer, against the
  emulator) and the bare app (``python bench/load.py --serve-bare``).

Each user sends its next request when the previous one is answered (closed loop), after a mean think
time if ``--think-ms`` is given. Kinds, all for the insights feature:

* ``cmd help``  - ``/insight help`` (the ack carries the usage text)
* ``cmd list``  - ``/insight list`` (a database read before the ack)
* ``click``     - "Heard this too" on a posted insight (ack, then views.open after the ack)
* ``submit``    - the /insight capture modal submitted (validate, duplicate search, insert and
  an outbox row, all before the ack; every text is unique, so every submission saves)

Per kind and round the bare app runs first, then the bot, so machine noise hits both alike.
Latency is measured by the client (send to full answer). Reported: p50, p99, max, throughput
and non-200 answers per target, the p99 ratio bot/bare, and from the bot's own /metrics
(tandem_ack_seconds) the share of acks it answered within 100 ms and within 25 ms, the
emulator's time to handle each request by endpoint, and the CPU seconds each process used.
Goal: bot p99 <= 100 ms and <= 1.3 x the bare app's. Request counts and time are bounded;
nothing leaves loopback.
"""

from __future__ import annotations

import argparse
import copy
import json
import multiprocessing
import os
import random
import re
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.managers import BaseManager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx

from bench.postgres import scratch_database

USERS = 50
REQUESTS = 20
THREADS = 8  # waitress threads of both servers (`tandem run`'s default)
KINDS = ("cmd help", "cmd list", "click", "submit")


# ------------------------------------------------------------------------------- the bare app
def serve_bare(port: int, threads: int) -> None:
    """A Bolt app with the same listeners' ids that only acks, served like the bot."""
    from concurrent.futures import ThreadPoolExecutor

    from slack_bolt import App
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient
    from waitress import serve

    token = os.environ["SLACK_BOT_TOKEN"]
    app = App(
        token=token,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        client=WebClient(token=token, base_url=os.environ["SLACK_API_URL"]),
        process_before_response=False,
        listener_executor=ThreadPoolExecutor(max_workers=max(4, threads)),
        request_verification_enabled=True,
    )

    def just_ack(ack: Any) -> None:
        ack()

    app.command("/insight")(just_ack)
    app.action("insight_heard_too")(just_ack)
    app.view("insights_capture")(just_ack)
    slack = SlackRequestHandler(app)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
            return [b"ok"]
        return slack(environ, start_response)

    serve(application, host="127.0.0.1", port=port, threads=threads, ident="bare")


# ------------------------------------------------------------------------------- the emulator's process
# What the generator's drivers and simulated users call on the emulator, forwarded as they are.
EMULATOR_CALLS = (
    "issue_trigger",
    "new_response_url",
    "wait_for_modal",
    "record_ack_ephemeral",
    "_violate",
    "apply_submission_ack",
    "modal_stack",
)


class EmulatorService:
    """In the emulator's own process: the Slack emulator with every HTTP request it handles timed
    (wall and CPU time of the handling thread, parsing to answer written), plus the bench's calls."""

    def __init__(self) -> None:
        from bot.playground.slack_emulator import SlackEmulator
        from tests.support.conformance import REFERENCE_RULES

        self.emulator = SlackEmulator(rules=REFERENCE_RULES).start()
        self.handling: dict[str, list[tuple[float, float]]] = {}
        handling = self.handling
        server = self.emulator._server
        assert server is not None

        class TimedHandler(server.RequestHandlerClass):
            def _dispatch(self, http_method: str) -> None:
                wall, cpu = time.perf_counter(), time.thread_time()
                try:
                    super()._dispatch(http_method)
                finally:
                    path = urlsplit(self.path).path
                    what = path.removeprefix("/api/").strip("/") if path.startswith("/api/") else path.split("/")[1]
                    what = "response_url" if what == "response" else what  # as the emulator records the call
                    handling.setdefault(what, []).append((time.perf_counter() - wall, time.thread_time() - cpu))

        server.RequestHandlerClass = TimedHandler  # before the bot's first connection

    def __getattr__(self, name: str) -> Any:
        if name not in EMULATOR_CALLS:
            raise AttributeError(name)
        return getattr(self.emulator, name)

    def base_url(self) -> str:
        return self.emulator.base_url

    def setup(self, users: int, channel: str, members: list[str]) -> tuple[list[str], str, Any]:
        """The load users and the insights channel; returns their ids and a copy of the workspace."""
        ws = self.emulator.workspace
        people = [ws.add_user(f"load{i}", f"Load User {i}").id for i in range(users)]
        return people, ws.add_channel(channel, members=members).id, ws

    def first_message(self, channel: str, timeout: float) -> Any:
        em = self.emulator
        return em.wait_for(lambda: em.messages_in(channel), timeout, what=f"a message in {channel}")[0]

    def report(self) -> dict[str, Any]:
        """Per endpoint: requests, failed answers, handling wall/CPU times; and this process's CPU."""
        calls = self.emulator.calls()
        failed = Counter(call.method for call in calls if not call.ok)
        errors = Counter(f"{call.method}: {call.error}" for call in calls if not call.ok)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            "violations": len(self.emulator.violations),
            "cpu_s": usage.ru_utime + usage.ru_stime,
            "errors": dict(errors.most_common()),
            "calls": {
                what: {
                    "n": len(times),
                    "failed": failed[what],
                    "wall": [w for w, _ in times],
                    "cpu": [c for _, c in times],
                }
                for what, times in sorted(self.handling.items())
            },
        }


class EmulatorManager(BaseManager):
    """Starts the emulator's process and connects to it; a proxy opens one connection per calling thread."""


EmulatorManager.register(
    "service", EmulatorService, exposed=(*EMULATOR_CALLS, "base_url", "setup", "first_message", "report")
)


class RemoteEmulator:
    """The emulator as the drivers and simulated users in the generator see it: workspace look-ups are
    answered from a copy taken after set-up (ids and names do not change), the rest goes to the process."""

    def __init__(self, service: Any, workspace: Any) -> None:
        self.service = service
        self.workspace = workspace
        self.workspaces = {workspace.team_id: workspace}

    def workspace_of(self, some_id: str) -> Any:
        return self.workspace  # the one workspace of this bench

    def __getattr__(self, name: str) -> Any:
        if name not in EMULATOR_CALLS:
            raise AttributeError(name)
        return getattr(self.service, name)


# ------------------------------------------------------------------------------- measuring
@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    modal_errors: int = 0
    elapsed: float = 0.0

    def add(self, latency: float, status: int, modal_error: bool) -> None:
        self.latencies.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.modal_errors += modal_error

    def pct(self, q: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[q - 1] * 1000

    @property
    def non_200(self) -> int:
        return sum(count for status, count in self.statuses.items() if status != 200)


def wait_ready(url: str, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=1.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"{url} exited with {process.returncode}")
            try:
                if client.get(url + "/healthz").status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not become ready")


class Load:
    """The emulator, the two servers and one signed-request driver per simulated user."""

    def __init__(self, args: argparse.Namespace, database_url: str, workdir: Path) -> None:
        from tests.support.botproc import TEST_SIGNING_SECRET, BotProcess, bot_env, free_port

        self.args = args
        self.think_ms = args.think_ms
        self.timed_cpu = 0.0  # the generator's CPU seconds while its users ran (not building clients)
        self.manager = EmulatorManager(ctx=multiprocessing.get_context("spawn"))
        self.manager.start()
        service = self.manager.service()
        self.people, self.channel, self.ws = service.setup(args.users, "customer-insights", ["ada", "pat"])
        self.emulator = RemoteEmulator(service, self.ws)
        env = bot_env(
            api_url=service.base_url(),
            bot_token=self.ws.bot_token,
            signing_secret=TEST_SIGNING_SECRET,
            database_url=database_url,
            log_level="INFO",
        )
        self.secret = TEST_SIGNING_SECRET
        self.bot = BotProcess(env, workdir, scheduler=True, extra_args=("--threads", str(args.threads)))
        self.bot.start()
        port = free_port()
        self.bare_url = f"http://127.0.0.1:{port}"
        self.bare_log = (workdir / "bare.log").open("wb")
        self.bare = subprocess.Popen(
            [sys.executable, __file__, "--serve-bare", str(port), "--threads", str(args.threads)],
            env=env,
            stdout=self.bare_log,
            stderr=subprocess.STDOUT,
        )
        wait_ready(self.bare_url, self.bare)

    def close(self) -> None:
        self.bare.terminate()
        self.bare.wait(10)
        self.bare_log.close()
        self.bot.stop()
        self.manager.shutdown()

    def driver(self, url: str) -> Any:
        from bot.playground.signed_requests import Driver, HttpTransport

        return Driver(self.emulator, HttpTransport(url), self.secret)

    def prepare(self) -> None:
        """On the bot: an insights channel, one posted insight (to click) and the capture modal."""
        from bot.insights.ids import Block as InsightBlock
        from bot.insights.ids import Callback as InsightCallback
        from bot.playground.people import SimulatedUser

        driver = self.driver(self.bot.url)
        ada = SimulatedUser(self.emulator, driver, self.ws, self.ws.user_id("ada"))
        ada.command("/insight", "setup")
        ack = ada.submit({InsightBlock.CHANNEL: self.channel}, callback_id=InsightCallback.SETUP)
        assert ack.status == 200 and not ack.errors, ack.body
        pat = SimulatedUser(self.emulator, driver, self.ws, self.ws.user_id("pat"))
        pat.command("/insight", "Benchmark seed about onboarding emails")
        self.capture_view = pat.modal(callback_id=InsightCallback.CAPTURE)
        self.capture_values = pat.fill(self.capture_view, {InsightBlock.TEXT: "placeholder"})
        ack = pat.submit(view=self.capture_view)
        assert ack.status == 200 and ack.response_action == "update", ack.body
        self.posted = self.emulator.service.first_message(self.channel, 15.0)
        self.heard_button = next(
            {"type": "button", "action_id": e["action_id"], "block_id": b.get("block_id", ""), "text": e["text"],
             "value": e.get("value", "")}
            for b in self.posted.blocks for e in b.get("elements") or [] if e.get("action_id") == "insight_heard_too"
        )  # fmt: skip
        self.text_block = str(InsightBlock.TEXT)

    # -------------------------------------------------------------- one request of each kind
    def send(self, kind: str, driver: Any, user: str) -> tuple[float, int, bool]:
        from bot.playground.workspace_state import APP_ID

        if kind.startswith("cmd"):
            fields = {
                "token": "verification-token-unused",
                "team_id": self.ws.team_id,
                "team_domain": self.ws.domain,
                "channel_id": self.ws.channel_id("general"),
                "channel_name": "general",
                "user_id": user,
                "user_name": self.ws.users[user].name,
                "command": "/insight",
                "text": kind.removeprefix("cmd "),
                "api_app_id": APP_ID,
                "is_enterprise_install": "false",
                "response_url": self.emulator.new_response_url(self.ws.team_id, user, self.ws.channel_id("general")),
                "trigger_id": self.emulator.issue_trigger(self.ws.team_id, user),
            }
            ack = driver.send_form("slash_command", fields)
            return ack.latency, ack.status, False
        if kind == "click":
            ack = driver.block_actions(user=user, actions=[dict(self.heard_button)], message=self.posted)
            return ack.latency, ack.status, False
        values = copy.deepcopy(self.capture_values)
        words = " ".join("q" + secrets.token_hex(6) for _ in range(4))  # unique: never a duplicate offer
        next(iter(values[self.text_block].values()))["value"] = f"Load {words}"
        _workspace, team, who = driver._who(user)
        payload = {
            "type": "view_submission",
            "team": team,
            "user": who,
            "api_app_id": APP_ID,
            "token": "verification-token-unused",
            "trigger_id": self.emulator.issue_trigger(self.ws.team_id, user, self.capture_view.id),
            "view": {**self.capture_view.view, "state": {"values": values}},
            "response_urls": [],
            "enterprise": None,
            "is_enterprise_install": False,
        }
        ack = driver.send_interaction(payload)
        return ack.latency, ack.status, ack.response_action == "errors"

    def run(self, kind: str, url: str, requests: int) -> Result:
        result = Result()
        lock = threading.Lock()
        gate = threading.Barrier(len(self.people))
        drivers = [self.driver(url) for _ in self.people]

        def user_loop(index: int) -> None:
            driver, user = drivers[index], self.people[index]
            pause = random.Random(index)  # seeded: the same think times for bare and bot
            gate.wait()
            for _ in range(requests):
                if self.think_ms:
                    time.sleep(pause.expovariate(1000.0 / self.think_ms))
                latency, status, modal_error = self.send(kind, driver, user)
                with lock:
                    result.add(latency, status, modal_error)

        threads = [threading.Thread(target=user_loop, args=(i,)) for i in range(len(self.people))]
        began, cpu = time.perf_counter(), time.process_time()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result.elapsed = time.perf_counter() - began
        self.timed_cpu += time.process_time() - cpu
        for driver in drivers:
            driver.transport.close()
        return result


def server_ack_share(url: str, limit: float = 0.1) -> dict[str, str]:
    """From the bot's /metrics: per kind, acks answered within ``limit`` seconds (server side)."""
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(url + "/metrics", timeout=5).text
    within: dict[str, float] = {}
    total: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.name != "tandem_ack_seconds":
            continue
        for sample in family.samples:
            kind = sample.labels.get("kind", "")
            if sample.name.endswith("_bucket") and float(sample.labels["le"]) == limit:
                within[kind] = sample.value
            elif sample.name.endswith("_count"):
                total[kind] = sample.value
    return {k: f"{within.get(k, 0):.0f}/{total[k]:.0f}" for k in sorted(total)}


def quantiles_ms(values: list[float]) -> list[float]:
    """p50, p99 and max in ms (rounded to 0.01)."""
    if len(values) < 2:
        return [round(v * 1000, 2) for v in (values or [0.0]) * 3]
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return [round(x * 1000, 2) for x in (cuts[49], cuts[98], max(values))]


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main_bench(args: argparse.Namespace, database_url: str, label: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        load = Load(args, database_url, Path(tmp))
        try:
            load.prepare()
            for kind in KINDS:  # warm-up: one request per user per kind, not counted
                load.run(kind, load.bare_url, 1)
                load.run(kind, load.bot.url, 1)
            results: dict[str, dict[str, Result]] = {k: {"bare": Result(), "bot": Result()} for k in KINDS}
            for _round in range(args.rounds):
                for kind in KINDS:
                    for target, url in (("bare", load.bare_url), ("bot", load.bot.url)):
                        got = load.run(kind, url, args.requests)
                        into = results[kind][target]
                        into.latencies += got.latencies
                        into.modal_errors += got.modal_errors
                        into.elapsed += got.elapsed
                        for status, count in got.statuses.items():
                            into.statuses[status] = into.statuses.get(status, 0) + count
            share, share_25 = server_ack_share(load.bot.url), server_ack_share(load.bot.url, 0.025)
            emulated = load.emulator.service.report()
            assert load.bot.process is not None
            cpu = {"generator": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]), "emulator": emulated["cpu_s"]}
            cpu.update(bot=process_cpu(load.bot.process.pid), bare=process_cpu(load.bare.pid))
            timed_cpu = load.timed_cpu
            log_lines = load.bot.log_text().splitlines()
            bot_errors = [line for line in log_lines if " ERROR " in line]
            causes = Counter(line[:160] for line in log_lines if re.match(r"^[\w.]+(Error|Exception): ", line))
        finally:
            load.close()
    pacing = f"think time {args.think_ms:.0f} ms (mean)" if args.think_ms else "closed loop (no think time)"
    print(f"\n{label}: {args.users} users x {args.requests} requests x {args.rounds} round(s) per kind and target, "
          f"waitress threads {args.threads}, {pacing}")  # fmt: skip
    print(f"{'kind':9s} {'target':6s} {'n':>5s} {'p50 ms':>8s} {'p99 ms':>8s} {'max ms':>8s} {'req/s':>7s} non200")
    summary: dict[str, Any] = {"database": label, "kinds": {}}
    for kind in KINDS:
        row: dict[str, Any] = {}
        for target in ("bare", "bot"):
            r = results[kind][target]
            print(
                f"{kind:9s} {target:6s} {len(r.latencies):5d} {r.pct(50):8.1f} {r.pct(99):8.1f} "
                f"{max(r.latencies) * 1000:8.1f} {len(r.latencies) / r.elapsed:7.0f} {r.non_200:6d}"
            )
            row[target] = {"p50_ms": round(r.pct(50), 1), "p99_ms": round(r.pct(99), 1), "non_200": r.non_200}
        bot, bare = results[kind]["bot"], results[kind]["bare"]
        ratio = bot.pct(99) / bare.pct(99)
        goal = "MET" if bot.pct(99) <= 100 and ratio <= 1.3 else "NOT met"
        print(f"{'':9s} p99 bot/bare = {ratio:.2f}; p50 bot/bare = {bot.pct(50) / bare.pct(50):.2f}; goal {goal}")
        row["p99_ratio"] = round(ratio, 2)
        summary["kinds"][kind] = row
    submit_errors = results["submit"]["bot"].modal_errors
    print(f"bot acks within 100 ms by kind (server side, /metrics, incl. warm-up and set-up): {share}")
    print(f"bot acks within 25 ms by kind (same): {share_25}")
    print(f"submissions answered with modal errors: {submit_errors}; emulator conformance violations: "
          f"{emulated['violations']}; ERROR lines in the bot's log: {len(bot_errors)}")  # fmt: skip
    for cause, count in causes.most_common(5):
        print(f"    {count} x {cause}")
    print("emulator (own process), time to handle one request, incl. warm-up and set-up; wall / CPU of its thread:")
    print(f"    {'endpoint':22s} {'n':>5s} {'failed':>6s} {'wall p50':>8s} {'p99':>7s} {'max':>7s} "
          f"{'CPU p50':>8s} {'p99':>7s} {'max':>7s} ms")  # fmt: skip
    handling: dict[str, Any] = {}
    for what, got in sorted(emulated["calls"].items(), key=lambda item: -sum(item[1]["wall"])):
        wall, thread = (quantiles_ms(got[key]) for key in ("wall", "cpu"))
        print(f"    {what:22s} {got['n']:5d} {got['failed']:6d} {wall[0]:8.2f} {wall[1]:7.2f} {wall[2]:7.2f} "
              f"{thread[0]:8.2f} {thread[1]:7.2f} {thread[2]:7.2f}")  # fmt: skip
        handling[what] = {"n": got["n"], "failed": got["failed"], "wall_ms": wall, "cpu_ms": thread}
    if emulated["errors"]:
        print("    failed answers: " + ", ".join(f"{count} x {error}" for error, count in emulated["errors"].items()))
    print("CPU seconds over the whole run (start-up, set-up and warm-up included): "
          + ", ".join(f"{who} {seconds:.1f}" for who, seconds in cpu.items())
          + f"; generator while its users ran: {timed_cpu:.1f}")  # fmt: skip
    summary.update(
        server_acks_within_100ms=share,
        server_acks_within_25ms=share_25,
        submit_errors=submit_errors,
        bot_error_lines=len(bot_errors),
    )
    cpu["generator_users_running"] = timed_cpu
    summary.update(emulator_handling=handling, cpu_seconds={who: round(seconds, 1) for who, seconds in cpu.items()})
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=USERS, help=f"concurrent simulated users (default {USERS})")
    parser.add_argument("--requests", type=int, default=REQUESTS, help=f"requests per user per kind ({REQUESTS})")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the whole kind x target sweep (default 1)")
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="mean think time between one user's requests (exponential, seeded); 0 = closed loop, back to back",
    )
    parser.add_argument("--threads", type=int, default=THREADS, help=f"waitress threads of both servers ({THREADS})")
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.serve_bare, args.threads)
        return 0
    if args.users * args.requests * args.rounds > 5_000:
        parser.error("keep it bounded: users x requests x rounds must be <= 5000 per kind and target")
    if args.database == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            summary = main_bench(args, f"sqlite:///{tmp}/load.db", "sqlite")
    else:
        with scratch_database("load") as url:
            summary = main_bench(args, url, "postgresql")
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
