"""The central error handler: a failure never reaches the person as a 500 or as silence."""

from __future__ import annotations

import time
from typing import Any

import pytest
from slack_bolt import Ack

from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

BROKEN_VIEW = {
    "type": "modal",
    "callback_id": "broken_after_ack",
    "title": {"type": "plain_text", "text": "Broken"},
    "submit": {"type": "plain_text", "text": "Save"},
    "blocks": [
        {
            "type": "input",
            "block_id": "what",
            "label": {"type": "plain_text", "text": "What"},
            "element": {"type": "plain_text_input", "action_id": "what"},
        }
    ],
}


def _install_failing_listeners(bot: BotUnderTest) -> None:
    app = bot.app

    @app.command("/explode")
    def explode_before_ack(ack: Ack) -> None:
        raise RuntimeError("the database is down")

    @app.view("broken_before_ack")
    def fail_before_ack(ack: Ack) -> None:
        raise RuntimeError("the database is down")

    @app.view("broken_after_ack")
    def fail_after_ack(ack: Ack) -> None:
        ack()
        # Work after the ack takes a moment before it fails. (Raising in the same instant as ack()
        # races Bolt's wait for the ack, which then drops the answer: not what we test here.)
        time.sleep(0.2)
        raise RuntimeError("saving failed after the modal closed")

    @app.command("/open-broken")
    def open_broken(ack: Ack, body: dict[str, Any], client: Any) -> None:
        ack()
        view = dict(BROKEN_VIEW, callback_id=body["text"] or "broken_after_ack")
        client.views_open(trigger_id=body["trigger_id"], view=view)


def test_a_command_failing_before_its_ack_answers_200_with_a_friendly_message(inproc_bot: BotUnderTest) -> None:
    _install_failing_listeners(inproc_bot)
    ack = inproc_bot.user("pat").command("/explode", "")
    assert ack.status == 200
    assert "something went wrong on my side" in ack.text


def test_a_modal_failing_before_its_ack_keeps_the_typed_text_and_shows_an_error(inproc_bot: BotUnderTest) -> None:
    _install_failing_listeners(inproc_bot)
    pat = inproc_bot.user("pat")
    pat.command("/open-broken", "broken_before_ack")
    pat.modal()
    ack = pat.submit({"what": "half a page of careful notes"})
    assert ack.status == 200
    assert ack.response_action == "errors" and "something went wrong" in ack.errors["what"]


def test_a_modal_failing_after_its_ack_tells_the_person_by_dm(inproc_bot: BotUnderTest) -> None:
    _install_failing_listeners(inproc_bot)
    pat = inproc_bot.user("pat")
    pat.command("/open-broken", "broken_after_ack")
    pat.modal()
    assert pat.submit({"what": "notes"}).status == 200
    dm = pat.wait_for_dm()
    assert "something went wrong on my side" in dm.text
