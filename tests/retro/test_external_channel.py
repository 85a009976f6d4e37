"""Issue #18 for retros: a retro set up in a channel shared with another organisation (Slack
Connect) needs the facilitator's confirmation in the setup modal, kept across edits; a channel
that becomes shared after setup gets nothing (the facilitator is told once)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.retro.models import RetroSeries
from bot.slack.drainer import drain
from tests.retro.test_e2e_setup import _sending
from tests.support.fixtures import BotUnderTest

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)]

CONFIRM = ["post_in_external_channel"]


def _series(bot: BotUnderTest) -> RetroSeries:
    with bot.services.db.unit_of_work() as session:
        series = session.scalars(select(RetroSeries)).one()
        session.expunge(series)
        return series


def test_a_retro_in_a_shared_channel_needs_the_facilitators_confirmation(inproc_bot: BotUnderTest) -> None:
    bot, ws = inproc_bot, inproc_bot.emulator.workspace
    acme = ws.channel_id("customer-acme")
    pat = bot.user("pat")
    bot.set_now("2026-05-04T10:00:00Z")
    pat.command("/retro", "", channel="customer-acme")
    modal = pat.modal(callback_id="retro_setup")
    box = next(b for b in modal.blocks if b.get("block_id") == "retro_external")
    assert box.get("optional") and "hint" in box and not box["element"].get("initial_options")

    values = {"retro_title": "Acme review", "retro_channel": acme, "retro_collect": "1"}
    ack = pat.submit(values, view=modal)
    assert "outside your organisation" in ack.errors["retro_channel"] and list(ack.errors) == ["retro_channel"]
    drain(bot.services)
    assert not bot.emulator.messages_in(acme)

    ack = pat.submit({**values, "retro_external": CONFIRM}, view=modal)
    assert ack.status == 200 and ack.response_action == "update", ack.errors
    posted = _sending(bot, lambda: bot.emulator.messages_in(acme), "the retro in the shared channel")
    assert "Acme review" in posted[0].text
    series = _series(bot)
    assert series.external_confirmed_by == pat.id and series.external_confirmed_at is not None

    # The edit shows the box ticked; saving keeps the original confirmation.
    bot.set_now("2026-05-05T10:00:00Z")
    pat.command("/retro", "edit Acme review")
    edit = pat.modal(callback_id="retro_setup")
    box = next(b for b in edit.blocks if b.get("block_id") == "retro_external")
    assert [o["value"] for o in box["element"]["initial_options"]] == CONFIRM
    assert not pat.submit(view=edit).errors
    assert _series(bot).external_confirmed_at == series.external_confirmed_at

    # Unticking it on edit is refused like a new setup.
    ack = pat.submit({"retro_external": []}, view=edit)
    assert "outside your organisation" in ack.errors["retro_channel"]


def test_a_channel_shared_after_setup_gets_nothing(inproc_bot: BotUnderTest) -> None:
    bot, ws = inproc_bot, inproc_bot.emulator.workspace
    room = ws.add_channel("partner-launch", members=["mia", "pat"]).id
    mia = bot.user("mia")
    bot.set_now("2026-05-04T10:00:00Z")
    mia.command("/retro", "", channel="partner-launch")
    values = {"retro_title": "Partner review", "retro_channel": room, "retro_collect": "1"}
    ack = mia.submit(values, view=mia.modal(callback_id="retro_setup"))
    assert ack.status == 200 and not ack.errors
    assert _series(bot).external_confirmed_by is None

    ws.share_externally(room)  # connected with a partner before the retro's message went out
    alert = _sending(
        bot, lambda: [m for m in mia.dms if "outside your organisation" in m.text], "the facilitator's alert"
    )
    assert len(alert) == 1 and f"<#{room}>" in alert[0].text
    assert not bot.emulator.messages_in(room)
    assert not [c for c in bot.emulator.calls("chat.postMessage", channel=room) if c.ok]
