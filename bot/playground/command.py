"""``tandem playground``: start the embedded Slack, the app and the page; stop cleanly on Ctrl-C.

Its options are declared with the other commands' in ``bot/cli.py`` (which imports this module
only when the playground is asked for, so other commands start fast).

Needs no settings at all: the signing secret and the bot token are made up at random for this
run, the database is its own SQLite file, and nothing listens beyond 127.0.0.1 or calls slack.com.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import sys
import threading
import time
import webbrowser
from pathlib import Path
from types import FrameType

from sqlalchemy.exc import SQLAlchemyError

from bot.logs import configure_logging
from bot.playground.demo_week import WeekPlayer
from bot.playground.page import PageServer
from bot.playground.runtime import Playground, PlaygroundError, PlaygroundOptions

log = logging.getLogger(__name__)


def _first_line(error: Exception) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__


def _has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _demo_week(playground: Playground, stop: threading.Event) -> int:
    """``--demo-week``: start, play the week, print each ritual and the summary, stop."""
    started = time.monotonic()
    try:
        playground.start()
    except (OSError, RuntimeError, PlaygroundError, SQLAlchemyError) as error:
        print(f"tandem: could not start the playground: {_first_line(error)}", file=sys.stderr)
        return 1
    report = WeekPlayer(playground, lambda line: print(line, flush=True)).play(stop)
    print(f"{report.summary()} in {time.monotonic() - started:.1f} s", flush=True)
    return 0


def run(args: argparse.Namespace) -> int:
    configure_logging("WARNING", [], "text")
    if not 0 <= args.port <= 65535:
        print(f"tandem: --port: expected 0..65535, got {args.port}", file=sys.stderr)
        return 2
    folder = Path(args.db).parent
    if not folder.is_dir():
        print(f"tandem: --db: the folder {folder} does not exist", file=sys.stderr)
        return 2
    started = time.monotonic()
    playground = Playground(PlaygroundOptions(database=Path(args.db), fresh=args.fresh))
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    page: PageServer | None = None
    try:
        if args.demo_week:
            return _demo_week(playground, stop)
        try:
            page = PageServer(playground, args.port)
        except OSError as error:
            reason = error.strerror or str(error)
            print(f"tandem: port {args.port}: {reason} (choose another with --port)", file=sys.stderr)
            return 1
        try:
            playground.start()
        except (OSError, RuntimeError, PlaygroundError, SQLAlchemyError) as error:
            print(f"tandem: could not start the playground: {_first_line(error)}", file=sys.stderr)
            return 1
        page.start()
        print(f"Tandem playground is ready at {page.url} ({time.monotonic() - started:.1f} s)", flush=True)
        print("Everything runs on this machine; nothing is sent to Slack. Ctrl-C stops it.", flush=True)
        if not args.no_open and _has_display():
            with contextlib.suppress(webbrowser.Error):  # no browser: the URL is printed above
                webbrowser.open(page.url)
        while not stop.wait(0.5):
            pass
        print("Stopping the playground…", flush=True)
    finally:
        if page is not None:
            page.stop()
        playground.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
