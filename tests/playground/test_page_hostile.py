"""In a real browser: hostile text in messages, modal values, names and links is shown literally.

Every attempt would set ``window.__pwned`` (or open a dialog, which the ``page`` fixture records)
if it ran; none may. The page is also served with a Content-Security-Policy that forbids inline
scripts, a second line of defence.
"""

from __future__ import annotations

from typing import Any

import httpx

from bot.playground.page import PageServer
from bot.playground.people import SimulatedUser
from bot.playground.runtime import Playground
from tests.playground.steps import become, go_to, message, modal, open_page, submit_modal, type_in_composer

IMG = '<img src=x onerror="window.__pwned=1;alert(1)">'
SCRIPT = "<script>window.__pwned=2</script>"
MESSAGE = f"{IMG} {SCRIPT} <javascript:window.__pwned=3|click me> and <https://example.com/ok|a fine link>"
NAME = "<img src=y onerror=window.__pwned=4>"
TITLE = '"><svg onload=window.__pwned=5> Launch'


def _assert_nothing_ran(page: Any) -> None:
    assert page.evaluate("window.__pwned") is None
    assert page.locator("img[onerror], svg[onload], script:not([src])").count() == 0
    assert page.problems == []  # type: ignore[attr-defined]


def test_the_page_is_served_with_a_strict_content_security_policy(page_server: PageServer) -> None:
    response = httpx.get(page_server.url)
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    refused = httpx.post(page_server.url + "api/say", json={"as": "x"})  # no X-Playground header
    assert refused.status_code == 403


def test_hostile_message_text_and_links_are_shown_literally(
    page: Any, page_server: PageServer, playground: Playground
) -> None:
    open_page(page, page_server, playground, "leo", "general")
    type_in_composer(page, MESSAGE)
    shown = message(page, "a fine link").first
    shown.wait_for()
    text = shown.inner_text()
    assert IMG in text and SCRIPT in text  # literally, as typed
    assert shown.locator("a", has_text="click me").count() == 0  # a javascript: URL is not a link
    assert shown.locator("a[href^='https://example.com/ok']").count() == 1
    _assert_nothing_ran(page)


def test_hostile_names_and_modal_values_are_shown_literally(
    page: Any, page_server: PageServer, playground: Playground
) -> None:
    ws = playground.workspace
    with playground.emulator._lock:
        intruder = ws.add_user("intruder", NAME, "UTC", title="<b>Admin</b>")
        ws.channel("general").members.add(intruder.id)
        playground.people[intruder.id] = SimulatedUser(playground.emulator, playground.driver, ws, intruder.id)
    open_page(page, page_server, playground, "intruder", "general")
    option = page.locator(f"#pg-person option[value={intruder.id}]")
    assert NAME in option.inner_text() and "<b>Admin</b>" in option.inner_text()
    type_in_composer(page, "hello from the intruder")
    said = message(page, "hello from the intruder").first
    said.wait_for()
    assert NAME in said.locator(".pg-author").inner_text()

    # A modal value the bot echoes back (the stand-up's name in its confirmation).
    become(page, playground, "nora")
    go_to(page, "general")
    type_in_composer(page, "/standup new")
    form = modal(page)
    form.locator("[name='standup_name/name']").fill(TITLE)
    form.locator("[name='standup_channel/channel']").select_option(ws.channel_id("general"))
    form.locator("[name='standup_people_product/people']").select_option([ws.user_id("nora"), intruder.id])
    submit_modal(page)
    page.wait_for_selector("#pg-overlay", state="hidden")
    confirmation = message(page, "Launch").filter(has_text="Only visible to you").first
    confirmation.wait_for()
    assert TITLE in confirmation.inner_text()
    _assert_nothing_ran(page)
