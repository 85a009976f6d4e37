"""``tandem playground``: an embedded Slack, the real app against it, and a clock the visitor moves.

Everything runs in this one process, on loopback:

* the Slack emulator (:mod:`bot.playground.slack_emulator`) with the demo workspace;
* the real Tandem app in HTTP mode, built and served exactly as ``tandem run --http`` does it
  (``build_services`` / ``build_app`` / ``build_wsgi_app`` on waitress, the outbox drainer and
  the scheduler), with its own SQLite file and the playground clock injected as ``Services.clock``
  (in-process rather than a ``tandem run`` subprocess: the clock is one shared object instead of a
  file both sides poll, and start-up stays well under 3 s);
* what a person does in the page goes to the app as Slack would send it: signed slash commands
  with a response_url, block_actions, view_submission / view_closed, message shortcuts and
  events, through :class:`bot.playground.signed_requests.Driver`.

:class:`Playground` is that whole, with the actions the page offers; :mod:`bot.playground.web`
serves the page.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy import func, select
from waitress.server import create_server

from bot.app import build_app
from bot.logs import ContextThreadPoolExecutor
from bot.migrate import upgrade_to_head
from bot.playground import demo, snapshot
from bot.playground.clock import PlaygroundClock, demo_start
from bot.playground.people import SimulatedUser
from bot.playground.signed_requests import Ack, Driver, HttpTransport
from bot.playground.slack_emulator import SlackEmulator, SlackError
from bot.playground.slack_rules import SlackRules
from bot.playground.workspace_state import Ephemeral, Message, ViewRecord, Workspace
from bot.runtime import build_services, web_routes
from bot.scheduling.models import Schedule
from bot.scheduling.runner import start_scheduler
from bot.scheduling.tick import run_due
from bot.services import Services
from bot.settings import LogLevel, Settings
from bot.slack.drainer import Drainer, DrainerThread, drain, start_drainer, use_drainer
from bot.slack.ratelimit import Pacer, RateLimits
from bot.web import build_wsgi_app

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
# The embedded Slack does not rate-limit: the outbox keeps Slack's pacing rules, 50 times faster.
PACING_TIME_SCALE = 0.02
# The drainer thread's pass (it holds the outbox lock that long at most, so a clock move's own
# drain never waits behind it for more).
DRAINER_POLL_SECONDS = 0.25


class PlaygroundError(Exception):
    """Something a person asked for cannot be done; ``str()`` is one friendly line."""


@dataclass
class PlaygroundOptions:
    database: Path = Path("playground.db")
    fresh: bool = False
    start: datetime | None = None  # the clock's first instant (default: the coming Monday 03:00 UTC)
    log_level: LogLevel = "WARNING"
    rules: SlackRules | None = None  # the embedded Slack's checks (default: Block Kit models)


@dataclass
class ClockReport:
    """What moving the clock did."""

    now: datetime
    ran: int = 0
    sent: int = 0
    note: str = ""
    revision: int = 0  # the embedded Slack's revision once it was done: a page showing it is up to date

    def to_json(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "ran": self.ran,
            "sent": self.sent,
            "note": self.note,
            "revision": self.revision,
        }


@dataclass
class ViewErrors:
    """The errors a view_submission ack put on a modal's inputs (block id -> message)."""

    by_view: dict[str, dict[str, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def set(self, view_id: str, errors: dict[str, str]) -> None:
        with self.lock:
            if errors:
                self.by_view[view_id] = dict(errors)
            else:
                self.by_view.pop(view_id, None)

    def of(self, view_id: str) -> dict[str, str]:
        with self.lock:
            return dict(self.by_view.get(view_id, {}))


class Playground:
    """The embedded Slack, the app and the clock; start() then use the actions; stop()."""

    def __init__(self, options: PlaygroundOptions) -> None:
        self.options = options
        self.clock = PlaygroundClock(options.start or demo_start(datetime.now(UTC)))
        self.emulator = SlackEmulator(workspace_name=demo.WORKSPACE_NAME, rules=options.rules)
        self.workspace: Workspace = self.emulator.workspace
        demo.build_cast(self.workspace)
        self.workspace.bot_token = "xoxb-playground-" + secrets.token_hex(16)
        self.emulator.clock = self.clock.epoch
        self.signing_secret = secrets.token_hex(16)
        self.errors = ViewErrors()
        self.people: dict[str, SimulatedUser] = {}
        self._stoppers: list[Callable[[], None]] = []
        self._services: Services | None = None
        self._driver: Driver | None = None
        self.app_url = ""
        self.seeded = False
        self._started = False

    # ------------------------------------------------------------------ lifecycle
    @property
    def services(self) -> Services:
        assert self._services is not None, "playground not started"
        return self._services

    @property
    def driver(self) -> Driver:
        assert self._driver is not None, "playground not started"
        return self._driver

    def start(self) -> Playground:
        database = self.options.database
        saved = snapshot.path_for(database)
        if self.options.fresh:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{database}{suffix}").unlink(missing_ok=True)
            saved.unlink(missing_ok=True)
        first_start = not database.exists()
        if not first_start:
            if not saved.exists():
                raise PlaygroundError(
                    f"{database} has no saved Slack state beside it ({saved.name}; was the playground stopped "
                    "abruptly?): start over with --fresh"
                )
            try:
                self.clock.move_to(snapshot.restore(self.emulator, saved))
            except snapshot.SnapshotError as error:
                raise PlaygroundError(str(error)) from None
            self.workspace = self.emulator.workspace
            self.workspace.bot_token = "xoxb-playground-" + secrets.token_hex(16)
        self.emulator.start()
        self._stoppers.append(self.emulator.stop)
        self._stoppers.append(lambda: self._save_snapshot(saved))
        settings = Settings(  # type: ignore[call-arg]
            _env_file=None,
            slack_bot_token=SecretStr(self.workspace.bot_token),
            slack_signing_secret=SecretStr(self.signing_secret),
            slack_app_token=None,
            slack_client_id=None,
            slack_client_secret=None,
            slack_api_url=self.emulator.base_url,
            database_url=f"sqlite:///{database}",
            log_level=self.options.log_level,
            log_format="text",
            tandem_encryption_key=None,
            tandem_clock_file=None,
        )
        services = build_services(settings, clock=self.clock)
        self._services = services
        self._stoppers.append(services.db.dispose)
        upgrade_to_head(services.db)
        use_drainer(services, Drainer(services, pacer=Pacer(RateLimits(time_scale=PACING_TIME_SCALE))))
        self._stoppers.append(lambda: use_drainer(services, None))
        executor = ContextThreadPoolExecutor(max_workers=16, thread_name_prefix="listener")
        self._stoppers.append(lambda: executor.shutdown(wait=True))
        app = build_app(services, listener_executor=executor)
        drainer: DrainerThread = start_drainer(services, poll_seconds=DRAINER_POLL_SECONDS)
        self._stoppers.append(drainer.stop)
        scheduler = start_scheduler(services)
        self._stoppers.append(lambda: scheduler.shutdown(wait=True))
        server = create_server(
            build_wsgi_app(app, services.db, prefix_routes=web_routes(services)),
            host=LOOPBACK,
            port=0,
            threads=8,
            ident="tandem",
        )
        port = int(server.effective_port)
        thread = threading.Thread(target=server.run, name="tandem-http", daemon=True)
        thread.start()

        def stop_server() -> None:
            server.close()
            thread.join(5)

        self._stoppers.append(stop_server)
        self.app_url = f"http://{LOOPBACK}:{port}"
        transport = HttpTransport(self.app_url)
        self._stoppers.append(transport.close)
        self._driver = Driver(self.emulator, transport, self.signing_secret)
        for user in self.workspace.humans:
            self.people[user.id] = SimulatedUser(self.emulator, self._driver, self.workspace, user.id)
        if first_start:
            self.seed()
        self._started = True  # from now on, stopping saves the embedded Slack beside the database
        return self

    def stop(self) -> None:
        """Stop everything started, newest first (each step runs even if an earlier one failed)."""
        while self._stoppers:
            stopper = self._stoppers.pop()
            try:
                stopper()
            except Exception:  # shutting down: log and go on stopping the rest
                log.warning("playground: a part did not stop cleanly", exc_info=True)

    def __enter__(self) -> Playground:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _save_snapshot(self, path: Path) -> None:
        if self._started:  # a start that failed half-way leaves nothing to resume from
            snapshot.save(self.emulator, self.clock(), path)

    def seed(self) -> None:
        """The demo's rituals, set up through the app (first start only)."""
        by_handle = {person.name: person for person in self.people.values()}
        now = self.clock().astimezone(ZoneInfo("Europe/London"))
        first_friday = (now + timedelta(days=(4 - now.weekday()) % 7)).date().isoformat()
        demo.seed_rituals(by_handle, self.workspace, first_friday)
        self.settle()
        self.seeded = True

    # ------------------------------------------------------------------ look-ups
    def person(self, user_id: str) -> SimulatedUser:
        found = self.people.get(user_id)
        if found is None:
            raise PlaygroundError("no such person in the playground")
        return found

    def find_message(self, channel_id: str, ts: str) -> Message:
        try:
            return self.emulator.message(channel_id, ts)
        except KeyError:
            raise PlaygroundError("that message is gone") from None

    def _ephemeral(self, user_id: str, ts: str) -> Ephemeral:
        for ephemeral in self.emulator.ephemerals_to(user_id):
            if ephemeral.ts == ts:
                return ephemeral
        raise PlaygroundError("that message is gone")

    def _open_view(self, user_id: str, view_id: str) -> ViewRecord:
        try:
            view = self.emulator.view(view_id)
        except KeyError:
            raise PlaygroundError("that form is no longer open") from None
        if view.user_id != user_id:
            raise PlaygroundError("that form belongs to someone else")
        return view

    # ------------------------------------------------------------------ what a person does
    def command(self, user_id: str, channel_id: str, line: str) -> Ack:
        """``/command text`` typed in a channel or DM: a signed slash command with a response_url."""
        command, _, text = line.strip().partition(" ")
        if not command.startswith("/") or len(command) < 2:
            raise PlaygroundError("a slash command starts with /, e.g. /standup help")
        channel = self._channel(channel_id, user_id)
        return self.person(user_id).command(command, text.strip(), channel=channel)

    def say(self, user_id: str, channel_id: str, text: str, thread_ts: str | None = None) -> Message:
        """A plain message, posted as the person (the app subscribes to no message events)."""
        if not text.strip():
            raise PlaygroundError("the message is empty")
        channel = self._channel(channel_id, user_id)
        try:
            return self.emulator.post_as_user(user_id, channel, text, thread_ts or None)
        except SlackError as error:
            raise PlaygroundError(f"could not post: {error.error}") from None

    def act(self, user_id: str, where: dict[str, Any], block_id: str, action_id: str, value: Any) -> Ack:
        """A click or a selection in a message, an ephemeral message, the open modal or the Home tab."""
        person = self.person(user_id)
        container: Message | ViewRecord
        kind = where.get("kind")
        if kind == "message":
            container = self.find_message(str(where.get("channel") or ""), str(where.get("ts") or ""))
        elif kind == "ephemeral":
            container = self._stand_in(user_id, self._ephemeral(user_id, str(where.get("ts") or "")))
        elif kind == "view":
            container = self._open_view(user_id, str(where.get("view_id") or ""))
        else:
            raise PlaygroundError("unknown place for an action")
        element = self._element(container, block_id, action_id)
        kind_of = str(element.get("type"))
        if kind_of == "button":
            action: dict[str, Any] = {
                "type": "button",
                "action_id": action_id,
                "block_id": block_id,
                "text": element.get("text"),
            }
            if "value" in element:
                action["value"] = element["value"]
        elif kind_of == "overflow":
            action = {
                "type": kind_of,
                "action_id": action_id,
                "block_id": block_id,
                "selected_option": person.find_option(element, value),
            }
        else:
            state = person.state_of(element, value)
            state.pop("type", None)
            action = {"type": kind_of, "action_id": action_id, "block_id": block_id, **state}
        if isinstance(container, Message):
            return self.driver.block_actions(user=user_id, actions=[action], message=container)
        return self.driver.block_actions(user=user_id, actions=[action], view=container)

    def submit(self, user_id: str, view_id: str, entered: dict[str, dict[str, Any]]) -> Ack:
        """Press a modal's submit button with what was entered (typed state rebuilt from the view)."""
        view = self._open_view(user_id, view_id)
        if view.closed:
            raise PlaygroundError("that form is no longer open")
        values = self.person(user_id).state_values(view, entered)
        ack = self.driver.view_submission(user=user_id, view=view, values=values)
        self.errors.set(view_id, ack.errors)
        return ack

    def close(self, user_id: str, view_id: str) -> Ack:
        view = self._open_view(user_id, view_id)
        self.errors.set(view_id, {})
        return self.driver.view_closed(user=user_id, view=view)

    def shortcut(self, user_id: str, channel_id: str, ts: str, callback_id: str) -> Ack:
        message = self.find_message(self._channel(channel_id, user_id), ts)
        return self.person(user_id).shortcut(callback_id, message)

    def open_home(self, user_id: str) -> Ack:
        return self.person(user_id).open_home()

    # ------------------------------------------------------------------ the clock
    def advance(self, delta: timedelta) -> ClockReport:
        self.clock.advance(delta)
        return self.run_due()

    def next_due(self) -> datetime | None:
        """The next instant a ritual is due (from the schedules), or None when nothing is."""
        with self.services.db.unit_of_work() as session:
            found = session.scalar(
                select(func.min(Schedule.next_run_at)).where(
                    Schedule.paused.is_(False),
                    Schedule.next_run_at.is_not(None),
                    Schedule.kind.in_(self.services.jobs.kinds()),
                )
            )
        if found is None:
            return None
        return found if found.tzinfo else found.replace(tzinfo=UTC)

    def next_ritual(self) -> ClockReport:
        """Jump to the next due occurrence, run the tick and drain the outbox."""
        due = self.next_due()
        if due is None:
            report = self.run_due()
            report.note = "nothing is scheduled"
            return report
        self.clock.move_to(due)
        return self.run_due()

    def run_due(self) -> ClockReport:
        now = self.clock()
        self.emulator.mark_changed()  # every page shows the new time
        tick = run_due(self.services, now)
        sent = self.settle()
        return ClockReport(
            now=now, ran=sum(tick.ran.values()), sent=sent, note=tick.summary(), revision=self.emulator.revision
        )

    def settle(self) -> int:
        """Send what is ready in the outbox now (the drainer thread would, a moment later); how many.

        No deadline: with one, the drainer also waits for rows due a little later, and on a clock
        that only moves when asked "later" never comes."""
        return drain(self.services).sent

    # ------------------------------------------------------------------ helpers
    def _channel(self, channel_id: str, user_id: str) -> str:
        channel = self.workspace.channels.get(channel_id)
        if channel is None or user_id not in channel.members:
            raise PlaygroundError("you are not in that conversation")
        return channel.id

    def dm_of(self, user_id: str) -> str:
        """The person's DM with the app (opened on first use, as Slack does)."""
        with self.emulator._lock:
            return self.workspace.im_with(user_id).id

    def _stand_in(self, user_id: str, ephemeral: Ephemeral) -> Message:
        """Slack sends an ephemeral message's click with the message's blocks and a response_url,
        but no stored message: a stand-in carries them."""
        channel = ephemeral.channel or self.dm_of(user_id)
        return Message(
            team_id=ephemeral.team_id,
            channel=channel,
            ts=ephemeral.ts,
            user=self.workspace.bot_user_id,
            bot_id=self.workspace.bot_id,
            text=ephemeral.text,
            blocks=ephemeral.blocks,
            via="ephemeral",
        )

    @staticmethod
    def _element(container: Message | ViewRecord, block_id: str, action_id: str) -> dict[str, Any]:
        blocks = container.blocks if isinstance(container, ViewRecord) else (container.blocks or [])
        for block in blocks:
            if str(block.get("block_id") or "") != block_id:
                continue
            candidates = []
            for key in ("accessory", "element"):
                if isinstance(block.get(key), dict):
                    candidates.append(block[key])
            candidates.extend(e for e in block.get("elements") or [] if isinstance(e, dict))
            for element in candidates:
                if str(element.get("action_id") or "") == action_id:
                    return element
        raise PlaygroundError("that control is no longer there")
