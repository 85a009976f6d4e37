"""The central error handler: a failure never reaches the person as a 500 or as silence."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from slack_bolt import Ack

from bot.app import FRIENDLY_ERROR, TRIGGER_EXPIRED
from bot.insights.ids import Action as InsightAction
from bot.insights.ids import Callback as InsightCallback
from bot.playground.slack_emulator import SlackEmulator
from tests.hardening.helpers import set_up_insights
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
        # In the same instant as the ack: Bolt's own runner would clear the ack (a 404 or a 500).
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
    for _ in range(20):  # the failure and the ack race in Bolt's runner: never a 404, every time a DM
        pat.command("/open-broken", "broken_after_ack")
        pat.modal(callback_id="broken_after_ack")
        ack = pat.submit({"what": "notes"})
        assert (ack.status, ack.body) == (200, "")
    dms = inproc_bot.emulator.wait_for(lambda: len(pat.dms) >= 20 and pat.dms, what="20 DMs")
    assert len(dms) == 20 and all("something went wrong on my side" in dm.text for dm in dms)


def test_a_form_that_misses_its_trigger_window_says_so_and_to_try_again(
    inproc_bot: BotUnderTest, emulator: SlackEmulator
) -> None:
    """On a busy moment the views.open after an ack can come later than the trigger_id's 3 s:
    the person is told, in the place they acted, that the form could not open and to retry."""
    _install_failing_listeners(inproc_bot)
    pat = inproc_bot.user("pat")
    emulator.trigger_ttl = 0.0  # every trigger_id has expired by the time it is used
    ack = pat.command("/standup", "new")  # a real listener: acks, then opens the setup modal
    assert ack.status == 200
    emulator.wait_for_call("views.open")
    ephemeral = emulator.wait_for(lambda: emulator.ephemerals_to(pat.id), what="the ephemeral")[0]
    assert ephemeral.text == TRIGGER_EXPIRED
    assert [c.response.get("error") for c in emulator.calls("views.open")] == ["expired_trigger_id"]
    assert emulator.open_modal(pat.id) is None

    emulator.trigger_ttl = 3.0  # trying again works
    pat.command("/standup", "new")
    assert pat.modal() is not None


CLICKS = 60


def test_a_click_whose_form_fails_after_the_ack_always_answers_200_and_tells_the_person(bot: BotUnderTest) -> None:
    """The real bot (HTTP): an admin clicks "Triage" on an insight post again and again while
    every ``views.open`` fails (HTTP 500 from Slack). The Triage listener acks first, then the
    form fails: each click must be answered 200 (never Bolt's 404 "unhandled request" nor a 500),
    each failure logged once, and each click told in the channel through its response_url."""
    emulator = bot.emulator
    channel = set_up_insights(bot)
    pat, ada = bot.user("pat"), bot.user("ada")
    pat.command("/insight", "Initech asks for a bulk export")
    assert pat.submit(callback_id=InsightCallback.CAPTURE).response_action == "update"
    posted = emulator.wait_for(lambda: emulator.messages_in(channel), timeout=15, what="the insight post")[0]

    emulator.faults.add("views.open", "5xx", count=None, status=500)
    acks = [ada.click(InsightAction.TRIAGE, message=posted) for _ in range(CLICKS)]

    assert [a.status for a in acks] == [200] * CLICKS, Counter((a.status, a.body) for a in acks)

    def every_click_told() -> list[Any]:
        told = [e for e in emulator.ephemerals_to(ada.id) if e.text == FRIENDLY_ERROR]
        return told if len(told) >= CLICKS else []

    told = emulator.wait_for(every_click_told, timeout=30, what="every click to be told")
    assert len(told) == CLICKS
    assert {e.channel for e in told} == {channel}  # where they clicked, not a DM
    assert not ada.dms
    log = bot.log_text()
    assert log.count("unhandled error in a listener") == CLICKS, log[-3000:]
    assert "unhandled request" not in log and "did not call ack" not in log
