"""In a real browser: "Play a week", then the Monday digest's chart shown as an image in its thread."""

from __future__ import annotations

from typing import Any

from bot.playground.page import PageServer
from bot.playground.runtime import Playground
from tests.playground.steps import go_to, message, open_page

WEEK_TIMEOUT = 90_000  # ms; the bench's figure is under 60 s on a busy machine


def test_play_a_week_then_see_the_digest_chart(page: Any, page_server: PageServer, playground: Playground) -> None:
    open_page(page, page_server, playground, "nora", "product-marketing")
    page.click("#pg-week")
    page.wait_for_function(
        "() => document.querySelector('#pg-week-status').textContent.startsWith('played a week')",
        timeout=WEEK_TIMEOUT,
    )
    status = page.locator("#pg-week-status").inner_text()
    assert "stand-up answers" in status and "3 insights saved, 2 triaged" in status, status

    go_to(page, "product-marketing")
    digest = message(page, "Weekly digest").filter(has=page.locator(".pg-replies")).last
    digest.locator(".pg-replies").click()
    chart = page.locator("#pg-thread img.bk-file-image").first
    chart.wait_for()
    assert chart.get_attribute("src", timeout=1000).startswith("/files/")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())

    # The retro ran: its card says it is closed, the results are in its thread.
    assert message(page, "Retro: Fortnightly product + marketing retro").count() >= 1
    assert page.problems == []  # type: ignore[attr-defined]
