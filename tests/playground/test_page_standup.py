"""In a real browser: a stand-up from its set-up form to an answer in the channel's thread."""

from __future__ import annotations

from typing import Any

from bot.playground.page import PageServer
from bot.playground.runtime import Playground
from tests.playground.steps import (
    go_to,
    message,
    modal,
    next_ritual_until,
    open_page,
    submit_modal,
    type_in_composer,
)


def test_set_up_a_standup_answer_the_prompt_and_see_it_in_the_thread(
    page: Any, page_server: PageServer, playground: Playground
) -> None:
    ws = playground.workspace
    open_page(page, page_server, playground, "sam", "product-marketing")

    # The composer offers the manifest's commands with their usage hints.
    page.fill("#pg-text", "/sta")
    suggestion = page.locator("#pg-suggest [data-command='/standup']")
    assert "[new | list" in suggestion.inner_text()

    type_in_composer(page, "/standup new")
    form = modal(page)
    assert "stand-up" in form.inner_text().lower()
    form.locator("[name='standup_name/name']").fill("Launch sync")
    form.locator("[name='standup_channel/channel']").select_option(ws.channel_id("product-marketing"))
    form.locator("[name='standup_people_product/people']").select_option([ws.user_id("sam")])
    form.locator("[name='standup_people_marketing/people']").select_option([ws.user_id("maya")])
    form.locator("[name='standup_time/time']").fill("10:00")
    form.locator("[name='standup_zone_mode/zone_mode'][value=personal]").check()
    submit_modal(page)
    page.wait_for_selector("#pg-overlay", state="hidden")
    confirmation = message(page, "Launch sync").filter(has_text="Only visible to you")
    confirmation.first.wait_for()

    # Sam waits in his DM with the app; the clock jumps from ritual to ritual until his prompt.
    go_to(page, "Tandem")
    prompt = next_ritual_until(page, "Time for Launch sync")
    assert "10:00" in page.locator("#pg-now").inner_text() or "Launch sync" in prompt.inner_text()
    prompt.locator("button[data-action-id='standup_open_answer']").click()
    form = modal(page)
    # Submitted empty: the app answers response_action "errors", shown under the fields.
    submit_modal(page)
    error = page.locator("#pg-overlay .bk-input--error .bk-input-error").first
    error.wait_for()
    assert "write a few words" in error.inner_text()
    form = modal(page)
    form.locator("[name='standup_q_0/answer']").fill("Shipped the pricing page to beta")
    form.locator("[name='standup_q_1/answer']").fill("Launch checklist with Maya")
    submit_modal(page)
    page.wait_for_selector("#pg-overlay", state="hidden")

    # In the channel, the stand-up's message has a thread with Sam's answer.
    go_to(page, "product-marketing")
    parent = message(page, "Launch sync").filter(has=page.locator(".pg-replies"))
    parent.first.locator(".pg-replies").click()
    thread = page.locator("#pg-thread")
    thread.wait_for(state="visible")
    reply = message(page, "Shipped the pricing page to beta", "#pg-thread")
    reply.first.wait_for()
    assert "Sam Okafor" in reply.first.inner_text() or "Sam" in thread.inner_text()
    assert page.problems == []  # type: ignore[attr-defined]
