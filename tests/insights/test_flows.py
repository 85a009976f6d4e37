"""The other insight flows through the harness, with the Bolt app in-process (fast, SQLite):
capture by command, the duplicate offer, bad and hostile input, triage permissions and each
loop-closing preference, list/search with "Next page", setup refusals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.insights.ids import Action, Block, Callback
from bot.playground.people import SimulatedUser
from bot.slack.drainer import drain
from tests.insights.helpers import click_in_ephemeral, human_message
from tests.support.fixtures import BotUnderTest

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


def set_up(bot: BotUnderTest, **overrides: Any) -> str:
    """The admin picks #customer-insights (plus any other setup overrides); returns its id."""
    ws = bot.emulator.workspace
    channel = ws.add_channel("customer-insights", members=["ada", "mia", "pat", "max", "asha"]).id
    ada = bot.user("ada")
    ada.command("/insight", "setup")
    ack = ada.submit({Block.CHANNEL: channel, **overrides}, callback_id=Callback.SETUP)
    assert ack.status == 200 and not ack.errors, ack.body
    return channel


def capture(person: SimulatedUser, text: str, **overrides: Any) -> Any:
    person.command("/insight", text)
    return person.submit(overrides, callback_id=Callback.CAPTURE)


def shown(ack: Any) -> str:
    return json.dumps(ack.json)


def test_capture_by_command_and_the_duplicate_offer(inproc_bot: BotUnderTest) -> None:
    bot, emulator = inproc_bot, inproc_bot.emulator
    channel = set_up(bot)
    pat, mia, asha = bot.user("pat"), bot.user("mia"), bot.user("asha")

    ack = capture(pat, "Enterprise customers keep asking for Okta SSO", **{Block.CATEGORY: "customer_needs"})
    assert ack.response_action == "update" and "Saved as insight *#1*" in shown(ack)
    drain(bot.services)
    original = emulator.messages_in(channel)[0]

    # Mia's text sounds the same: she is offered #1, and +1s it instead.
    ack = capture(mia, "Globex asked again for SSO through Okta", **{Block.CUSTOMER: "Globex"})
    assert ack.response_action == "update" and ack.json["view"]["callback_id"] == Callback.DUPLICATES
    assert "#1" in shown(ack)
    ack = mia.submit(callback_id=Callback.DUPLICATES)  # the first choice, "+1 #1", is preselected
    assert ack.response_action == "update" and "Added your voice to insight *#1*" in shown(ack)
    drain(bot.services)
    assert "1 heard this too (Globex)" in json.dumps(emulator.message(channel, original.ts).blocks)

    # Asha's is similar too, but she saves hers as new; what she typed survives the detour.
    ack = capture(asha, "Okta SSO for enterprise customers", **{Block.SEGMENT: "Mid-market", Block.NEW_TAGS: "sso"})
    assert ack.json["view"]["callback_id"] == Callback.DUPLICATES
    ack = asha.submit({Block.CHOICE: "new"}, callback_id=Callback.DUPLICATES)
    assert "Saved as insight *#2*" in shown(ack)
    drain(bot.services)
    second = json.dumps(emulator.messages_in(channel)[1].blocks)
    assert "Okta SSO for enterprise customers" in second and "Mid-market" in second and "#sso" in second


def test_bad_input_gets_modal_errors_and_hostile_text_never_pings(inproc_bot: BotUnderTest) -> None:
    bot, emulator = inproc_bot, inproc_bot.emulator
    channel = set_up(bot)
    pat = bot.user("pat")
    pat.command("/insight")
    modal = pat.modal(callback_id=Callback.CAPTURE)
    for overrides, block in (
        ({Block.TEXT: "   "}, Block.TEXT),
        ({Block.TEXT: "y" * 3001}, Block.TEXT),
        ({Block.TEXT: "ok", Block.EVIDENCE: "javascript:alert(1)"}, Block.EVIDENCE),
        ({Block.TEXT: "ok", Block.CUSTOMER: "c" * 201}, Block.CUSTOMER),
    ):
        ack = pat.submit(overrides, view=modal)
        assert ack.response_action == "errors" and block in ack.errors, (overrides, ack.body)
    assert not emulator.calls("chat.postMessage")

    hostile = "<!channel> <!here> <!everyone> <!subteam^S0PRODUCT> <@U000000005> *loud* `x` &"
    typed = {Block.TEXT: hostile, Block.CUSTOMER: "<!here> Corp", Block.NEW_TAGS: "<!channel>"}
    ack = pat.submit(typed, view=modal)
    assert ack.response_action == "update"
    drain(bot.services)
    posted = emulator.messages_in(channel)[0].to_api()
    text = json.dumps(posted)
    for ping in ("<!channel>", "<!here>", "<!everyone>", "<!subteam^", "<@U000000005>"):
        assert ping not in text
    assert "&lt;!channel&gt;" in text and "&amp;" in text and "#channel" in text


def test_triage_permissions_and_each_notification_path(inproc_bot: BotUnderTest) -> None:
    bot, emulator, ws = inproc_bot, inproc_bot.emulator, inproc_bot.emulator.workspace
    # Triagers: the @product group. Only the people who +1'd hear about changes.
    channel = set_up(bot, **{Block.TRIAGER_GROUP: ws.usergroup_id("product"), Block.LOOP: ["plus_ones"]})
    mia, asha, pat, ada = bot.user("mia"), bot.user("asha"), bot.user("pat"), bot.user("ada")
    # An internal channel: its thread hears by default (a customer's shared one never does, see
    # test_e2e_loop.py).
    shared = ws.add_channel("sales-calls", members=["mia", "pat", "asha"]).id
    said = human_message(emulator, ws, shared, ws.user_id("pat"), "Your onboarding emails arrive too late")
    mia.shortcut(Callback.MESSAGE_SHORTCUT, said)
    mia.submit(callback_id=Callback.CAPTURE)
    drain(bot.services)
    posted = emulator.messages_in(channel)[0]
    asha.click(Action.HEARD_TOO, message=posted)
    asha.submit(callback_id=Callback.PLUS_ONE)

    ada.click(Action.TRIAGE, message=posted)  # an admin, but not in @product
    assert "Only <!subteam^" in json.dumps(ada.modal(callback_id=Callback.DONE).blocks)
    pat.click(Action.TRIAGE, message=posted)
    ack = pat.submit({Block.STATUS: "acknowledged", Block.ROADMAP: "ftp://nope"}, callback_id=Callback.TRIAGE)
    assert Block.ROADMAP in ack.errors
    ack = pat.submit({Block.STATUS: "acknowledged"}, callback_id=Callback.TRIAGE)
    assert not ack.errors
    drain(bot.services)
    assert len(asha.dms) == 1 and not mia.dms and not emulator.thread(shared, said.ts)

    # Now everything on: the submitter, the +1s and the thread.
    ada.command("/insight", "setup")
    ack = ada.submit({Block.LOOP: ["submitter", "plus_ones", "thread"]}, callback_id=Callback.SETUP)
    assert not ack.errors
    pat.click(Action.TRIAGE, message=posted)
    pat.submit({Block.STATUS: "shipped", Block.NOTE: "Live since Monday"}, callback_id=Callback.TRIAGE)
    drain(bot.services)
    assert "Shipped" in json.dumps(mia.dms[0].blocks) and "Live since Monday" in json.dumps(mia.dms[0].blocks)
    assert len(asha.dms) == 2
    reply = emulator.thread(shared, said.ts)
    assert len(reply) == 1 and "Shipped" in reply[0].text and "Monday" not in reply[0].text
    # Mia never opened her Home: it was published for her when the status changed, showing it.
    emulator.wait_for(
        lambda: "Shipped" in json.dumps(emulator.home_of(ws.user_id("mia")) or {}), what="Mia's refreshed Home"
    )

    # The bot left the channel: the thread reply fails and the submitter is told how to fix it.
    ws.channel(shared).members.discard(ws.bot_user_id)
    pat.click(Action.TRIAGE, message=posted)
    pat.submit({Block.STATUS: "wont_do"}, callback_id=Callback.TRIAGE)
    drain(bot.services)
    assert any("/invite @Tandem" in m.text for m in mia.dms)


def test_list_search_and_next_page(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    set_up(bot)
    pat, mia = bot.user("pat"), bot.user("mia")
    heard = [
        "Bulk export to spreadsheets",
        "Dark mode everywhere",
        "Invoices in euros",
        "Cheaper seats for nonprofits",
        "Audit log retention",
        "Faster dashboard loading",
        "Slack reminders for renewals",
    ]
    for n, text in enumerate(heard):
        ack = capture(pat if n < 2 else mia, text, **{Block.CATEGORY: "pricing"})
        assert f"Saved as insight *#{n + 1}*" in shown(ack)

    ack = mia.command("/insight", "list")
    assert "page 1 of 2 (7 in all)" in shown(ack)
    click_in_ephemeral(bot.emulator, bot.driver, bot.emulator.workspace, mia.id, ack.json["blocks"], Action.NEXT_PAGE)
    page_two = bot.emulator.wait_for(lambda: bot.emulator.response_posts(), what="the second page")[-1]
    assert "page 2 of 2" in json.dumps(page_two) and page_two.get("replace_original") is True

    assert "(2 in all)" in shown(pat.command("/insight", "list mine"))
    assert "7 in all" in shown(mia.command("/insight", "list pricing"))
    assert "No customer insights" in shown(mia.command("/insight", "list shipped"))
    found = mia.command("/insight", "search seats")
    assert "*#4*" in shown(found) and "1 in all" in shown(found)
    assert "Tell me what to look for" in mia.command("/insight", "search").text
    assert "/insight search" in mia.command("/insight", "help").text


def test_setup_is_for_admins_and_needs_a_usable_channel(inproc_bot: BotUnderTest) -> None:
    bot, ws = inproc_bot, inproc_bot.emulator.workspace
    pat, ada = bot.user("pat"), bot.user("ada")
    pat.command("/insight", "setup")
    refusal = bot.emulator.wait_for(lambda: bot.emulator.response_posts(), what="the refusal")[-1]
    assert "Only workspace admins" in json.dumps(refusal)
    ada.command("/insight", "setup")
    ack = ada.submit({Block.CHANNEL: ws.channel_id("random")}, callback_id=Callback.SETUP)  # bot not in it
    assert "/invite @Tandem" in ack.errors[Block.CHANNEL]
