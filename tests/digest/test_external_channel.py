"""Issue #18 for the weekly digest: setting one up in a channel shared with another organisation
(Slack Connect) needs the confirmation in the setup modal, kept across edits; ``/digest now``
refuses such a channel without it; a channel that becomes shared after setup gets nothing (the
owner is told once)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from bot.digest.models import Digest
from bot.slack.drainer import drain
from tests.support.fixtures import BotUnderTest

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)]

CONFIRM = ["post_in_external_channel"]
MONDAY = "2026-11-23T09:00:00Z"


def _digest(bot: BotUnderTest) -> Digest:
    with bot.services.db.unit_of_work() as session:
        digest = session.scalars(select(Digest)).one()
        session.expunge(digest)
        return digest


def _monday(bot: BotUnderTest) -> None:
    bot.tick(MONDAY)
    drain(bot.services, datetime.fromisoformat(MONDAY.replace("Z", "+00:00")))


def test_a_digest_in_a_shared_channel_needs_the_confirmation(inproc_bot: BotUnderTest) -> None:
    bot, ws = inproc_bot, inproc_bot.emulator.workspace
    acme = ws.channel_id("customer-acme")
    pat, ada = bot.user("pat"), bot.user("ada")
    bot.set_now("2026-11-18T10:00:00Z")

    # Nothing set up yet: even an admin's `/digest now` is refused there.
    ada.command("/digest", "now", channel="customer-acme")
    refusal = bot.emulator.wait_for(
        lambda: [str(e) for e in ada.ephemerals if "outside your organisation" in str(e)] or None, what="refusal"
    )
    assert "/digest setup" in refusal[-1]

    pat.command("/digest", "setup", channel="customer-acme")
    modal = pat.modal(callback_id="digest_setup")
    box = next(b for b in modal.blocks if b.get("block_id") == "digest_external")
    assert box.get("optional") and "hint" in box and not box["element"].get("initial_options")
    ack = pat.submit({"digest_timezone": "UTC", "digest_sections": ["upcoming"]}, view=modal)
    assert "outside your organisation" in ack.errors["digest_channel"] and list(ack.errors) == ["digest_channel"]
    with bot.services.db.unit_of_work() as session:
        assert session.scalars(select(Digest)).first() is None

    ack = pat.submit(
        {"digest_timezone": "UTC", "digest_sections": ["upcoming"], "digest_external": CONFIRM}, view=modal
    )
    assert ack.status == 200 and not ack.errors, ack.body
    digest = _digest(bot)
    assert digest.external_confirmed_by == pat.id and digest.external_confirmed_at is not None

    # Editing shows the box ticked and keeps who confirmed and when.
    bot.set_now("2026-11-19T10:00:00Z")
    pat.command("/digest", "setup", channel="customer-acme")
    edit = pat.modal(callback_id="digest_setup")
    box = next(b for b in edit.blocks if b.get("block_id") == "digest_external")
    assert [o["value"] for o in box["element"]["initial_options"]] == CONFIRM
    assert not pat.submit(view=edit).errors
    assert _digest(bot).external_confirmed_at == digest.external_confirmed_at

    _monday(bot)
    assert any("Weekly digest" in m.text for m in bot.emulator.messages_in(acme))


def test_a_channel_shared_after_setup_gets_nothing(inproc_bot: BotUnderTest) -> None:
    bot, ws = inproc_bot, inproc_bot.emulator.workspace
    room = ws.add_channel("partner-launch", members=["mia", "pat"]).id
    mia = bot.user("mia")
    bot.set_now("2026-11-18T10:00:00Z")
    mia.command("/digest", "setup", channel="partner-launch")
    ack = mia.submit({"digest_timezone": "UTC", "digest_sections": ["upcoming"]})
    assert ack.status == 200 and not ack.errors
    assert _digest(bot).external_confirmed_by is None

    ws.share_externally(room)
    _monday(bot)
    assert not bot.emulator.messages_in(room)
    alert = [m for m in mia.dms if "outside your organisation" in m.text]
    assert len(alert) == 1 and f"<#{room}>" in alert[0].text
