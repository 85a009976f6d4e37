"""Hostile text for the fuzz tests: hypothesis strategies, and a checker of what the bot posted.

The checker reads every mrkdwn string the bot sent to Slack (message ``text`` and blocks of posts,
updates, ephemerals, response_url posts and acks; ``mrkdwn`` text objects of opened, updated and
published views) and requires every ``<...>`` token in it to be one the bot writes itself: a
mention of a real user (``<@U…>``), a real channel (``<#C…>``), a real user group, a
``<!date^…>`` token or a link with one of the bot's own labels. A user's ``<!channel>``,
``<@U0PAT>`` or ``<https://evil.example|click me>`` can only appear escaped (``&lt;!channel&gt;``).
Every ``&`` must start an entity (``&amp;`` ``&lt;`` ``&gt;``), so pre-escaped user text shows
as typed instead of turning into markup.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from concurrent.futures import wait as wait_futures
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import Workspace

# ------------------------------------------------------------------------------------ payloads

PINGS = (
    "<!channel>",
    "<!here|here>",
    "<!here>",
    "<!everyone>",
    "<!subteam^S0PRODUCT>",
    "<!subteam^S0PRODUCT|@product>",
    "<@U0PAT>",
    "<@U0PAT|pat>",
    "<#C0SECRET|leadership>",
)
LINKS = ("<https://evil.example|click me>", "<http://evil.example>", "<mailto:boss@evil.example|mail the boss>")
FORMATTING = ("*bold*", "_italic_", "~strike~", "`code`", "```\nblock\n```", "> quoted", "*", "```")
PRE_ESCAPED = ("&lt;!channel&gt;", "&lt;@U0PAT&gt;", "&amp;", "R&D", "a < b > c", "&#60;!here&#62;")
HOSTILE = PINGS + LINKS + FORMATTING + PRE_ESCAPED

CONTROL = "".join(chr(c) for c in range(0x20)) + "\x7f"
ZERO_WIDTH = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
UNICODE_SAMPLES = (
    "🚀 launch 👩‍👩‍👧‍👦",
    "שלום עולם",  # RTL
    "مرحبا \u202eevil\u202c",  # RTL override
    "e\u0301\u0301\u0301 Z\u0336\u0317a\u0337l\u0334g\u0335o",  # combining marks
    "zero\u200bwidth\u200djoin\ufeff",
    "日本語のテキスト",
    "\U0001f3f3\ufe0f\u200d\U0001f308 flags",
    "".join(chr(ord(c) + 0xFEE0) if c != " " else c for c in "FULLWIDTH <!channel>"),  # full-width look-alikes
)

# Slack's own ceiling for a plain_text_input without a declared max_length.
SLACK_INPUT_MAX = 3000


def _mixed(alphabet: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, max_size=max_size)


def hostile_text(max_length: int = SLACK_INPUT_MAX, *, min_size: int = 0) -> st.SearchStrategy[str]:
    """Text a person (or a forged request) could put in an input declaring ``max_length``.

    Mixes: payload soup (hostile mrkdwn joined by ordinary words, unicode and newlines), raw
    unicode (no surrogates), control characters, empty and whitespace-only text, and text of
    exactly ``max_length`` and ``max_length + 1`` characters.
    """
    words = st.sampled_from(("launch", "pricing", "Q3", "ok", " ", "\n", "\t", "  ")) | st.sampled_from(UNICODE_SAMPLES)
    piece = st.sampled_from(HOSTILE) | words | st.sampled_from(ZERO_WIDTH)
    soup = st.lists(piece, min_size=1, max_size=8).map("".join)
    unicode_text = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=min(max_length, 40))
    controls = st.lists(
        st.sampled_from(tuple(CONTROL)) | st.sampled_from(("ask", "x", "<!channel>")), min_size=1, max_size=10
    ).map("".join)
    blank = st.sampled_from(("", " ", "\n\n", "\t \u3000", "\u200b", "\u00a0"))

    def exactly(n: int) -> st.SearchStrategy[str]:
        return st.sampled_from(HOSTILE).map(lambda p: (p + " ") * (n // (len(p) + 1) + 1)).map(lambda s: s[:n])

    limits = exactly(max_length) | exactly(max_length + 1) | st.just("x" * max_length) | st.just("y" * (max_length + 1))
    long_line = st.just(("<!channel> " + "w" * 200 + " ") * (max_length // 212 + 1)).map(lambda s: s[:max_length])
    strategy = st.one_of(soup, soup, soup, unicode_text, controls, blank, limits, long_line)
    if min_size:
        strategy = strategy.filter(lambda s: len(s) >= min_size)
    return strategy


def soup(max_length: int = SLACK_INPUT_MAX) -> st.SearchStrategy[str]:
    """Hostile but acceptable text: mrkdwn payloads, words, unicode and zero-width characters on one
    line, non-empty, within ``max_length``. The fields a test is not fuzzing wildly get this, so the
    submission usually succeeds and the hostile text reaches what the bot posts."""
    piece = (
        st.sampled_from(HOSTILE).filter(lambda p: "\n" not in p)
        | st.sampled_from(("launch", "pricing", "Q3", "ok"))
        | st.sampled_from(UNICODE_SAMPLES)
        | st.sampled_from(ZERO_WIDTH)
    )
    return (
        st.lists(piece, min_size=1, max_size=5)
        .map(lambda parts: " ".join(parts).strip()[:max_length])
        .filter(lambda s: bool(without_control(s).strip().strip("\u200b\u200c\u200d\u2060\ufeff")))
    )


def command_argument() -> st.SearchStrategy[str]:
    """What follows a subcommand: same soup, capped at a slash command's practical size."""
    return hostile_text(2000)


# ------------------------------------------------------------------------------------ control chars

_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def without_control(text: str) -> str:
    """The documented normalisation of free text: line breaks kept (``\\r\\n``/``\\r`` -> ``\\n``),
    tabs kept, every other C0 control character and DEL dropped."""
    return _C0.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


# ------------------------------------------------------------------------------------ the checker

_TOKEN = re.compile(r"<([^<>]*)>")
_ENTITY = re.compile(r"&(?!(?:amp|lt|gt);)")
_DATE = re.compile(r"!date\^\d+\^[^|]*(\|[^|]*)?")
_LINK = re.compile(r"(https?://[^\s|<>]+)(?:\|(.*))?", re.S)


@dataclass(frozen=True)
class Leak:
    where: str
    problem: str
    text: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem} in {self.text[:300]!r}"


def mrkdwn_strings(payload: Any, *, message: bool) -> Iterator[str]:
    """mrkdwn strings of a message (``text`` unless ``mrkdwn: false``, plus blocks) or a view."""
    if not isinstance(payload, dict):
        return
    if message and isinstance(payload.get("text"), str) and payload.get("mrkdwn") is not False:
        yield payload["text"]
    for key in ("blocks", "attachments"):
        yield from _walk(payload.get(key))


def _walk(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if node.get("type") == "mrkdwn" and isinstance(node.get("text"), str):
            yield node["text"]
        for key, value in node.items():
            if key != "text" or isinstance(value, dict | list):
                yield from _walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item)


def _view_of(args: dict[str, Any]) -> Any:
    view = args.get("view")
    if isinstance(view, str):
        try:
            return json.loads(view)
        except json.JSONDecodeError:
            return None
    return view


def _blocks_of(args: dict[str, Any]) -> dict[str, Any]:
    out = dict(args)
    for key in ("blocks", "attachments"):
        if isinstance(out.get(key), str):
            try:
                out[key] = json.loads(out[key])
            except json.JSONDecodeError:
                out[key] = None
    return out


# The bot's own usage lines (``bot/slack/commands.py`` ``usage_text``) write these unescaped; they
# come from code, not from users (reported: they should be ``&lt;name&gt;`` per Slack's rules).
USAGE_PLACEHOLDERS = frozenset({"<name>", "<title>", "<words>"})

MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "chat.scheduleMessage", "response_url")
VIEW_METHODS = ("views.open", "views.update", "views.push", "views.publish")


@dataclass
class Checker:
    """Every ``<...>`` token and ``&`` in what the bot posted since ``mark()`` is its own."""

    emulator: SlackEmulator
    bot_link_labels: frozenset[str] = frozenset({"Open link", "See the plan", "open it", "Open"})
    start: int = 0
    acks: list[dict[str, Any]] = field(default_factory=list)

    def mark(self) -> None:
        self.start = len(self.emulator.calls())
        self.acks = []

    def ack(self, body: dict[str, Any] | None) -> None:
        if body:
            self.acks.append(body)

    def strings(self) -> Iterator[tuple[str, str]]:
        for call in self.emulator.calls()[self.start :]:
            if call.method in MESSAGE_METHODS:
                for text in mrkdwn_strings(_blocks_of(call.args), message=True):
                    yield call.method, text
            elif call.method in VIEW_METHODS:
                for text in mrkdwn_strings(_view_of(call.args), message=False):
                    yield call.method, text
        for body in self.acks:
            if body.get("response_action") in ("update", "push"):
                for text in mrkdwn_strings(body.get("view"), message=False):
                    yield "ack view", text
            elif body.get("response_action") != "errors":
                for text in mrkdwn_strings(body, message=True):
                    yield "ack", text

    def leaks(self) -> list[Leak]:
        workspaces = list(self.emulator.workspaces.values())
        found: list[Leak] = []
        for where, text in self.strings():
            for match in _TOKEN.finditer(text):
                if not self._ours(match.group(1), workspaces):
                    found.append(Leak(where, f"token {match.group(0)!r}", text))
            for match in _ENTITY.finditer(text):
                found.append(
                    Leak(where, f"bare & at {match.start()}: {text[match.start() : match.start() + 12]!r}", text)
                )
        return found

    def _ours(self, inner: str, workspaces: list[Workspace]) -> bool:
        if f"<{inner}>" in USAGE_PLACEHOLDERS:
            return True
        target, _, label = inner.partition("|")
        if target.startswith("@"):
            return not label and any(target[1:] in ws.users for ws in workspaces)
        if target.startswith("#"):
            return any(target[1:] in ws.channels for ws in workspaces) and "<" not in label
        if target.startswith("!subteam^"):
            return any(target.removeprefix("!subteam^") in ws.usergroups for ws in workspaces)
        if target.startswith("!"):
            return _DATE.fullmatch(inner) is not None
        link = _LINK.fullmatch(inner)
        if link is not None:
            return link.group(2) is None or link.group(2) in self.bot_link_labels
        return False

    def assert_clean(self, context: str = "") -> None:
        leaks = self.leaks()
        assert not leaks, f"{context}: {len(leaks)} unescaped fragment(s):\n" + "\n".join(map(str, leaks[:10]))


# ------------------------------------------------------------------------------------ listeners


class TrackingExecutor(Executor):
    """Wraps Bolt's listener executor so a test can wait until every listener has finished."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner
        self._lock = threading.Lock()
        self._pending: set[Future[Any]] = set()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = self.inner.submit(fn, *args, **kwargs)
        with self._lock:
            self._pending.add(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait for listeners; a listener may submit another, so loop until none is left."""
        for _ in range(20):
            with self._lock:
                pending = set(self._pending)
            if not pending:
                return
            _, not_done = wait_futures(pending, timeout=timeout)
            assert not not_done, f"{len(not_done)} listener(s) still running after {timeout}s"

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)


def track_listeners(app: Any) -> TrackingExecutor:
    runner = app.listener_runner
    tracking = TrackingExecutor(runner.listener_executor)
    runner.listener_executor = tracking
    runner.lazy_listener_runner.executor = tracking
    return tracking
