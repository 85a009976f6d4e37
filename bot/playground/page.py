"""The playground's web page: static files, a JSON API for the acting person, live updates.

Served by the standard library's ``ThreadingHTTPServer`` on loopback: the page is one visitor's
tool, and the live-update stream (Server-Sent Events) holds a connection open per tab, which a
thread per connection handles simply, where a fixed worker pool (waitress) would be used up by
open streams. Server-Sent Events rather than long polling: one connection, the browser's
EventSource reconnects by itself, and the server only says "something changed" (the revision);
the page then fetches its state.

Everything the page shows that came from the bot or from people is rendered to HTML on the
server by :mod:`bot.playground.render` (escaped there); the page's script puts names and labels in
with ``textContent``. ``Content-Security-Policy: default-src 'self'`` forbids inline scripts, so an
injection that got through would still not run.

Requests that change something must be JSON with an ``X-Playground`` header (a cross-site form
cannot send either without a CORS preflight, which is never granted), and the Host header must
name this loopback server (no DNS rebinding).
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import yaml

from bot.playground import demo
from bot.playground.demo_week import WeekPlayer
from bot.playground.render import RenderContext, render_message, render_view
from bot.playground.runtime import LOOPBACK, Playground, PlaygroundError
from bot.playground.signed_requests import Ack
from bot.playground.slack_emulator import SlackError
from bot.playground.workspace_state import Ephemeral, Message

log = logging.getLogger(__name__)

STATIC_FILES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "playground.css": "text/css; charset=utf-8",
    "blockkit.css": "text/css; charset=utf-8",
}
IMAGE_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "gif": "image/gif"}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}
EVENTS_HEARTBEAT_SECONDS = 15.0
MAX_BODY = 256 * 1024


def _static(name: str) -> bytes:
    return resources.files("bot.playground").joinpath("static", name).read_bytes()


def load_manifest() -> dict[str, Any]:
    """The app's manifest (shipped beside this module as a link to the repository's manifest.yml)."""
    text = resources.files("bot.playground").joinpath("manifest.yml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return data if isinstance(data, dict) else {}


def manifest_features(manifest: dict[str, Any]) -> dict[str, Any]:
    """What the composer and the message menu offer: slash commands (usage hints) and shortcuts."""
    features = manifest.get("features") or {}
    commands = [
        {
            "command": str(c.get("command")),
            "description": str(c.get("description") or ""),
            "usage_hint": str(c.get("usage_hint") or ""),
        }
        for c in features.get("slash_commands") or []
    ]
    shortcuts = [
        {"name": str(s.get("name")), "callback_id": str(s.get("callback_id")), "type": str(s.get("type"))}
        for s in features.get("shortcuts") or []
    ]
    events = list(((manifest.get("settings") or {}).get("event_subscriptions") or {}).get("bot_events") or [])
    return {"commands": commands, "shortcuts": shortcuts, "bot_events": events}


class WeekProgress(Protocol):
    week: WeekPlayer
    week_steps: list[str]


class PageState:
    """Builds what one person sees (JSON with server-rendered HTML)."""

    def __init__(self, playground: Playground, features: dict[str, Any], progress: WeekProgress) -> None:
        self.playground = playground
        self.features = features
        self.progress = progress

    def people(self) -> list[dict[str, Any]]:
        ws = self.playground.workspace
        return [
            {
                "id": user.id,
                "name": user.name,
                "real_name": user.real_name,
                "title": user.title,
                "tz": user.tz,
                "side": demo.side_of(ws, user.id),
            }
            for user in ws.humans
        ]

    def context(self, viewer: str) -> RenderContext:
        ws = self.playground.workspace
        with self.playground.emulator._lock:
            users = {u.id: u.real_name for u in ws.users.values()}
            channels = {c.id: c.name for c in ws.channels.values() if not c.is_im}
            groups = {gid: handle for gid, (handle, _members) in ws.usergroups.items()}
            files = {fid: f"/files/{fid}" for fid in self.playground.emulator._files}
        return RenderContext(
            tz=ZoneInfo(ws.users[viewer].tz), now=self.playground.clock(), users=users, channels=channels,
            usergroups=groups, files=files,
        )  # fmt: skip

    def _message(self, message: Message, ctx: RenderContext, viewer: str) -> dict[str, Any]:
        ws = self.playground.workspace
        author = ws.users.get(message.user)
        is_bot = bool(message.bot_id)
        return {
            "ts": message.ts,
            "author": "Tandem" if is_bot else (author.real_name if author else message.user),
            "is_bot": is_bot,
            "time": _time_label(message.ts, ctx.tz),
            "html": render_message(message.to_api(), ctx),
            "reply_count": len([r for r in message.replies if not r.deleted]),
            "ephemeral": False,
            "edited": bool(message.edits),
        }

    def _ephemeral(self, ephemeral: Ephemeral, ctx: RenderContext) -> dict[str, Any]:
        data = {"text": ephemeral.text, "blocks": ephemeral.blocks} if ephemeral.blocks else {"text": ephemeral.text}
        return {
            "ts": ephemeral.ts,
            "author": "Tandem",
            "is_bot": True,
            "time": _time_label(ephemeral.ts, ctx.tz),
            "html": render_message(data, ctx),
            "reply_count": 0,
            "ephemeral": True,
            "edited": False,
        }

    def state(self, viewer: str, conversation: str, thread_ts: str) -> dict[str, Any]:
        pg = self.playground
        ws = pg.workspace
        em = pg.emulator
        if viewer not in pg.people:
            raise PlaygroundError("no such person in the playground")
        revision = em.revision
        ctx = self.context(viewer)
        dm = pg.dm_of(viewer)
        with em._lock:
            channels: list[dict[str, Any]] = [
                {
                    "id": c.id,
                    "name": c.name,
                    "purpose": demo.purpose_of(c.name),
                    "shared": c.name in demo.SHARED_WITH_CUSTOMER,
                }
                for c in ws.channels.values()
                if not c.is_im and viewer in c.members and not c.is_archived
            ]
        channels.sort(key=lambda c: str(c["name"]))
        if conversation not in ("home", dm) and conversation not in {c["id"] for c in channels}:
            joint = [c["id"] for c in channels if c["name"] == demo.FIRST_CHANNEL]
            conversation = (joint or [c["id"] for c in channels] or ["home"])[0]
        result: dict[str, Any] = {
            "revision": revision,
            "now": pg.clock().isoformat(),
            "now_label": _clock_label(pg.clock(), ctx.tz),
            "next_due": _next_label(pg.next_due(), ctx.tz),
            "me": next(p for p in self.people() if p["id"] == viewer),
            "workspace": ws.name,
            "channels": channels,
            "dm": {"id": dm, "name": "Tandem"},
            "conversation": conversation,
            "messages": [],
            "thread": None,
            "home": None,
            "modal": None,
            "week": {
                "running": self.progress.week.running,
                "last": self.progress.week_steps[-1] if self.progress.week_steps else "",
            },
        }
        if conversation == "home":
            home = em.home_of(viewer)
            result["home"] = render_view(home, ctx) if home else None
            result["home_view_id"] = home.get("id") if home else None
        else:
            with em._lock:
                posted = [self._message(m, ctx, viewer) for m in em.messages_in(conversation)]
            mine = [self._ephemeral(e, ctx) for e in em.ephemerals_to(viewer, conversation) if not e.thread_ts]
            result["messages"] = sorted(posted + mine, key=lambda m: float(m["ts"]))
            if thread_ts:
                result["thread"] = self._thread(conversation, thread_ts, ctx, viewer)
        top = em.open_modal(viewer)
        if top is not None and not top.closed:
            result["modal"] = {"view_id": top.id, "html": render_view(top.view, ctx, pg.errors.of(top.id))}
        return result

    def _thread(self, conversation: str, thread_ts: str, ctx: RenderContext, viewer: str) -> dict[str, Any] | None:
        em = self.playground.emulator
        try:
            parent = em.message(conversation, thread_ts)
        except KeyError:
            return None
        with em._lock:
            replies = [self._message(r, ctx, viewer) for r in parent.replies if not r.deleted]
            head = self._message(parent, ctx, viewer)
        mine = [self._ephemeral(e, ctx) for e in em.ephemerals_to(viewer, conversation) if e.thread_ts == parent.ts]
        return {"ts": parent.ts, "parent": head, "replies": sorted(replies + mine, key=lambda m: float(m["ts"]))}


def _time_label(ts: str, tz: ZoneInfo) -> str:
    return datetime.fromtimestamp(float(ts), UTC).astimezone(tz).strftime("%a %d %b, %H:%M")


def _clock_label(now: datetime, tz: ZoneInfo) -> str:
    return now.astimezone(tz).strftime("%A %d %B %Y, %H:%M") + f" ({tz.key})"


def _next_label(due: datetime | None, tz: ZoneInfo) -> str | None:
    return due.astimezone(tz).strftime("%a %d %b, %H:%M") if due is not None else None


def _ack_json(ack: Ack) -> dict[str, Any]:
    return {"status": ack.status, "text": ack.text if ack.json is not None else "", "errors": ack.errors}


class PageServer:
    """The page's HTTP server on 127.0.0.1:<port> (0: any free port)."""

    def __init__(self, playground: Playground, port: int) -> None:
        self.playground = playground
        self.week = WeekPlayer(playground, self._week_step)
        self.week_steps: list[str] = []
        self.state = PageState(playground, manifest_features(load_manifest()), self)
        handler = type("Handler", (_Handler,), {"page": self})
        self.server = ThreadingHTTPServer((LOOPBACK, port), handler)
        self.server.daemon_threads = True
        self.stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}/"

    def start(self) -> PageServer:
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, name="playground-page", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.playground.emulator.mark_changed()  # wakes the event streams so they end
        if self._thread is not None:  # shutdown() waits for serve_forever(): only if it runs
            self.server.shutdown()
            self._thread.join(5)
        self.server.server_close()

    # ------------------------------------------------------------------ API
    def post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        pg = self.playground
        viewer = str(body.get("as") or "")

        def text(key: str) -> str:
            return str(body.get(key) or "")

        def say() -> dict[str, Any]:
            pg.say(viewer, text("conversation"), text("text"), text("thread_ts") or None)
            return {}

        def act() -> dict[str, Any]:
            where = body.get("where") if isinstance(body.get("where"), dict) else {}
            return _ack_json(pg.act(viewer, dict(where or {}), text("block_id"), text("action_id"), body.get("value")))

        def submit() -> dict[str, Any]:
            values = body.get("values") if isinstance(body.get("values"), dict) else {}
            return _ack_json(pg.submit(viewer, text("view_id"), dict(values or {})))

        actions: dict[str, Callable[[], dict[str, Any]]] = {
            "/api/command": lambda: _ack_json(pg.command(viewer, text("conversation"), text("text"))),
            "/api/say": say,
            "/api/action": act,
            "/api/submit": submit,
            "/api/close": lambda: _ack_json(pg.close(viewer, text("view_id"))),
            "/api/shortcut": lambda: _ack_json(
                pg.shortcut(viewer, text("conversation"), text("ts"), text("callback_id"))
            ),
            "/api/home": lambda: _ack_json(pg.open_home(viewer)),
            "/api/clock": lambda: self._clock(text("step")),
            "/api/week": self._play_week,
        }
        action = actions.get(path)
        if action is None:
            raise LookupError(path)
        return {"ok": True, "result": action()}

    def _week_step(self, line: str) -> None:
        self.week_steps.append(line)

    def _play_week(self) -> dict[str, Any]:
        """Start "Play a week" in the background; the page follows it through its change events."""
        if self.week.running:
            raise PlaygroundError("the week is already being played")

        def play() -> None:
            try:
                report = self.week.play(self.stopping)
                self.week_steps.append(report.summary())
            except Exception as error:  # a background thread: tell the page, never die silently
                log.exception("playing the week failed")
                self.week_steps.append(f"the week stopped: {type(error).__name__}: {error}")
            self.playground.emulator.mark_changed()

        threading.Thread(target=play, name="playground-week", daemon=True).start()
        return {"started": True}

    def _clock(self, step: str) -> dict[str, Any]:
        pg = self.playground
        if step == "hour":
            return pg.advance(timedelta(hours=1)).to_json()
        if step == "day":
            return pg.advance(timedelta(days=1)).to_json()
        if step == "next":
            return pg.next_ritual().to_json()
        raise PlaygroundError("the clock moves by hour, day or next")


class _Handler(BaseHTTPRequestHandler):
    page: PageServer
    protocol_version = "HTTP/1.1"
    server_version = "TandemPlayground/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("page: " + format, *args)

    def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in {**SECURITY_HEADERS, **(extra or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json; charset=utf-8")

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").lower()
        return host in (f"127.0.0.1:{self.page.port}", f"localhost:{self.page.port}")

    def do_GET(self) -> None:
        if not self._host_ok():
            self._json(421, {"ok": False, "error": "wrong host"})
            return
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        path = url.path
        try:
            if path in ("/", "/index.html"):
                self._send(200, _static("index.html"), STATIC_FILES["index.html"])
            elif path.startswith("/static/") and path.removeprefix("/static/") in STATIC_FILES:
                name = path.removeprefix("/static/")
                try:
                    self._send(200, _static(name), STATIC_FILES[name])
                except FileNotFoundError:
                    self._send(404, b"not found", "text/plain; charset=utf-8")
            elif path.startswith("/files/"):
                self._file(path.removeprefix("/files/"))
            elif path == "/api/people":
                state = self.page.state
                workspace = self.page.playground.workspace.name
                self._json(200, {"people": state.people(), **state.features, "workspace": workspace})
            elif path == "/api/state":
                viewer, conversation = query.get("as", ""), query.get("conversation", "")
                self._json(200, self.page.state.state(viewer, conversation, query.get("thread", "")))
            elif path == "/api/events":
                self._events()
            elif path == "/favicon.ico":
                self._send(204, b"", "image/x-icon")
            else:
                self._json(404, {"ok": False, "error": "not found"})
        except PlaygroundError as error:
            self._json(400, {"ok": False, "error": str(error)})

    def do_POST(self) -> None:
        if not self._host_ok():
            self._json(421, {"ok": False, "error": "wrong host"})
            return
        is_json = "application/json" in (self.headers.get("Content-Type") or "")
        if self.headers.get("X-Playground") != "1" or not is_json:
            self._json(403, {"ok": False, "error": "the playground page sends JSON with X-Playground: 1"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._json(413, {"ok": False, "error": "too large"})
            return
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
            if not isinstance(body, dict):
                raise ValueError("not an object")
        except ValueError:
            self._json(400, {"ok": False, "error": "expected a JSON object"})
            return
        try:
            self._json(200, self.page.post(urlsplit(self.path).path, body))
        except LookupError:
            self._json(404, {"ok": False, "error": "not found"})
        except (PlaygroundError, SlackError, TimeoutError) as error:
            self._json(200, {"ok": False, "error": str(error)})

    def _file(self, file_id: str) -> None:
        try:
            uploaded = self.page.playground.emulator.uploaded_file(file_id)
        except KeyError:
            self._json(404, {"ok": False, "error": "no such file"})
            return
        extension = uploaded.filename.rsplit(".", 1)[-1].lower() if "." in uploaded.filename else ""
        content_type = IMAGE_TYPES.get(extension, "application/octet-stream")
        extra = {} if extension in IMAGE_TYPES else {"Content-Disposition": "attachment"}
        self._send(200, uploaded.content or b"", content_type, extra)

    def _events(self) -> None:
        """Server-Sent Events: ``data: <revision>`` whenever what people see changes."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.close_connection = True
        emulator = self.page.playground.emulator
        seen = -1
        try:
            while not self.page.stopping.is_set():
                revision = emulator.wait_for_change(seen, EVENTS_HEARTBEAT_SECONDS)
                if self.page.stopping.is_set():
                    break
                message = f"data: {revision}\n\n" if revision != seen else ": keep-alive\n\n"
                seen = revision
                self.wfile.write(message.encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
