"""Refresh the playground screenshots in docs/screenshots/ from a played demo week.

    pip install -e ".[test]"            # Playwright for Python
    apt-get install chromium            # Debian's Chromium (Playwright's own download is not used)
    python docs/make_screenshots.py     # writes docs/screenshots/*.png

A fresh playground in a temporary folder (the demo workspace, its rituals set up through the app),
a week played through signed requests exactly as "Play a week" does, then the page opened in
headless Chromium as different people: the stand-up thread, the retro's results, an insight's
closed loop (the DM its submitter got), the digest with its chart, and the App Home.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.playground.demo_week import WeekPlayer
from bot.playground.page import PageServer
from bot.playground.runtime import Playground, PlaygroundOptions

OUT = Path(__file__).resolve().parent / "screenshots"
START = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)  # a Monday, before anyone's stand-up
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None)
    if found is None:
        raise SystemExit("make_screenshots: Chromium not found (apt-get install chromium)")
    return found


def open_as(page: Any, server: PageServer, playground: Playground, handle: str, channel: str = "") -> None:
    user_id = playground.workspace.user_id(handle)
    channel_id = playground.workspace.channel_id(channel) if channel else ""
    page.goto(f"{server.url}#as={user_id}&c={channel_id}")
    page.wait_for_selector("#pg-now[data-now]")


def open_thread(page: Any, text: str) -> None:
    """Open the thread of the last message containing ``text`` that has replies."""
    card = page.locator("#pg-messages .pg-msg", has_text=text).filter(has=page.locator(".pg-replies")).last
    card.locator(".pg-replies").click()
    page.locator("#pg-thread .pg-msg").first.wait_for()


def shots(playground: Playground, server: PageServer) -> list[tuple[str, str, str, Callable[[Any], None]]]:
    """(file, who, channel, what to do before the screenshot)."""

    def standup(page: Any) -> None:
        open_thread(page, "Joint stand-up:")

    def retro(page: Any) -> None:
        open_thread(page, "Retro: Fortnightly product + marketing retro")

    def insight(page: Any) -> None:
        page.click("#pg-dms .pg-nav")
        page.wait_for_function("() => document.querySelector('#pg-conv-title').textContent === 'Tandem'")
        page.locator("#pg-messages .pg-msg", has_text="Planned").last.wait_for()

    def digest(page: Any) -> None:
        open_thread(page, "Weekly digest")
        image = page.locator("#pg-thread img.bk-file-image").first
        image.wait_for()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())

    def home(page: Any) -> None:
        page.click("#pg-home-link")
        page.wait_for_selector("#pg-home:not([hidden])")

    return [
        ("standup-thread.png", "leo", "product-marketing", standup),
        ("retro-results.png", "nora", "product-marketing", retro),
        ("insight-closed-loop.png", "maya", "", insight),
        ("digest.png", "hana", "product-marketing", digest),
        ("app-home.png", "sam", "", home),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=OUT, help=f"folder for the PNG files (default {OUT})")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright  # only this script and the browser tests need it

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        playground = Playground(PlaygroundOptions(database=Path(tmp) / "playground.db", start=START)).start()
        server = PageServer(playground, 0).start()
        try:
            print(WeekPlayer(playground).play().summary())
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
                for name, who, channel, prepare in shots(playground, server):
                    context = browser.new_context(viewport={"width": 1360, "height": 860})
                    page = context.new_page()
                    page.set_default_timeout(20_000)
                    open_as(page, server, playground, who, channel)
                    prepare(page)
                    page.screenshot(path=str(args.out / name))
                    context.close()
                    print(f"wrote {args.out / name}")
                browser.close()
        finally:
            server.stop()
            playground.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
