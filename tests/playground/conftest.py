"""Browser tests of ``tandem playground``: Playwright for Python driving Debian's Chromium.

Playwright cannot download its own browser here, so the system one is launched by its path
(``chromium`` on PATH, else /usr/bin/chromium). Without it the browser tests are skipped with the
reason, except under ``CI=true`` where that fails (as the PostgreSQL fixtures do).

One playground per test module (``playground`` fixture: the embedded Slack with the test suite's
strict reference rules, the real app, the page on a free loopback port), one browser per session,
a fresh page per test. A failed test saves a screenshot of its page under the pytest temp dir and
prints its path.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.playground.page import PageServer
from bot.playground.runtime import Playground, PlaygroundOptions
from tests.support.conformance import REFERENCE_RULES
from tests.support.databases import ci_requires_postgres as running_in_ci

# A Monday, 03:00 UTC: before anyone's stand-up (Kolkata's is first, at 04:00 UTC).
START = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str | None:
    found = shutil.which("chromium")
    if found:
        return found
    return "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright  # optional: only these tests need it
    except ImportError:
        path, reason = None, "Playwright for Python is not installed (pip install -e '.[test]')"
    else:
        reason = "Chromium not found (apt-get install chromium)"
    if path is None:
        if running_in_ci():
            pytest.fail(f"CI must run the browser tests: {reason}", pytrace=False)
        pytest.skip(reason)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def playground(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Playground]:
    folder = tmp_path_factory.mktemp("playground")
    options = PlaygroundOptions(database=folder / "playground.db", start=START, rules=REFERENCE_RULES)
    running = Playground(options).start()
    try:
        yield running
    finally:
        running.stop()
    running.emulator.assert_no_violations()


@pytest.fixture(scope="module")
def page_server(playground: Playground) -> Iterator[PageServer]:
    server = PageServer(playground, 0).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def page(browser: Any, page_server: PageServer, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    opened.on("dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss()))
    opened.problems = problems
    try:
        yield opened
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            folder = Path(str(request.config._tmp_path_factory.getbasetemp())) / "screenshots"  # type: ignore[attr-defined]
            folder.mkdir(parents=True, exist_ok=True)
            shot = folder / f"{request.node.name}.png"
            opened.screenshot(path=str(shot), full_page=True)
            print(f"\nscreenshot of the failed page: {shot}")
    finally:
        context.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Keep each phase's report on the test item (the ``page`` fixture looks at ``rep_call``)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
