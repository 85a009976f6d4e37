"""Show the bot's log when a retro end-to-end test fails (it is the first thing you need)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    bot = getattr(item, "funcargs", {}).get("bot")
    if report.when == "call" and report.failed and bot is not None and bot.process is not None:
        report.sections.append(("bot log (last 6000 characters)", bot.log_text()[-6000:]))
