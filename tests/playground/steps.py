"""What a person does in the playground page, as Playwright steps (shared by the browser tests)."""

from __future__ import annotations

from typing import Any

from bot.playground.page import PageServer
from bot.playground.runtime import Playground

NEXT_RITUAL_LIMIT = 20  # clicks; a scenario that needs more is waiting for something that never comes


def open_page(page: Any, server: PageServer, playground: Playground, handle: str, channel: str = "") -> None:
    """Open the page as ``handle`` (on ``channel`` if given) and wait for the first state."""
    user_id = playground.workspace.user_id(handle)
    channel_id = playground.workspace.channel_id(channel) if channel else ""
    page.goto(f"{server.url}#as={user_id}&c={channel_id}")
    page.wait_for_selector("#pg-now[data-now]")


def become(page: Any, playground: Playground, handle: str) -> None:
    """Pick another person in the "You are" switcher."""
    user_id = playground.workspace.user_id(handle)
    page.select_option("#pg-person", user_id)
    page.wait_for_selector(f"body[data-as={user_id}]")


def go_to(page: Any, name: str) -> None:
    """Open a channel (by name), "Tandem" (the DM with the app) or "Home" from the sidebar."""
    if name == "Home":
        page.click("#pg-home-link")
        page.wait_for_selector("#pg-home:not([hidden])")
        return
    if name == "Tandem":
        page.click("#pg-dms .pg-nav")
    else:
        page.locator("#pg-channels .pg-nav").filter(has=page.get_by_text(name, exact=True)).click()
    title = "Tandem" if name == "Tandem" else f"# {name}"
    page.wait_for_function("t => document.querySelector('#pg-conv-title').textContent === t", arg=title)


def type_in_composer(page: Any, text: str) -> None:
    page.fill("#pg-text", text)
    page.press("#pg-text", "Enter")


def modal(page: Any) -> Any:
    locator = page.locator("#pg-overlay .bk-modal")
    locator.wait_for(state="visible")
    return locator


def submit_modal(page: Any) -> None:
    page.click("#pg-overlay [data-role=submit]")


def message(page: Any, text: str, where: str = "#pg-messages") -> Any:
    return page.locator(f"{where} .pg-msg", has_text=text)


def click_clock(page: Any, step: str) -> dict[str, Any]:
    """Press a clock button; wait until the page shows what the move did. The server's report."""
    with page.expect_response("**/api/clock") as answered:
        page.click(f"[data-clock={step}]")
    report: dict[str, Any] = answered.value.json()["result"]
    page.wait_for_function("r => Number(document.body.dataset.revision) >= r", arg=report["revision"])
    return report


def next_ritual_until(page: Any, text: str, where: str = "#pg-messages") -> Any:
    """Press "Next ritual" until a message with ``text`` shows where the person is looking."""
    for _ in range(NEXT_RITUAL_LIMIT):
        found = message(page, text, where)
        if found.count():
            return found.first
        click_clock(page, "next")
    raise AssertionError(f"no message with {text!r} after {NEXT_RITUAL_LIMIT} rituals")
