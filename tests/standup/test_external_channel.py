"""Issue #18 for stand-ups: a stand-up set up in a channel shared with another organisation (Slack
Connect) needs the owner's confirmation in the setup modal, kept across edits; a channel that
becomes shared after setup gets nothing (the owner is told once)."""

from __future__ import annotations

from typing import Any

import pytest

from bot.standup.ids import Block
from tests.hardening.helpers import scalar
from tests.standup.test_e2e_standup import MONDAY_BERLIN_0930, SATURDAY_SETUP, WAIT, setup_standup, tick, wait
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

CONFIRM = ["post_in_external_channel"]


def standup(name: str, channel: str, pat: str, asha: str, **extra: Any) -> dict[str, Any]:
    return {Block.NAME: name, Block.CHANNEL: channel, Block.PEOPLE_PRODUCT: [pat], Block.PEOPLE_MARKETING: [asha]} | {
        Block(k): v for k, v in extra.items()
    }


def test_a_standup_in_a_shared_channel_needs_the_owners_confirmation(bot: BotUnderTest) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    pat, asha = bot.user("pat"), bot.user("asha")
    acme = ws.channel_id("customer-acme")
    bot.set_now(SATURDAY_SETUP)

    # The box is always in the modal, unticked and optional, with a hint.
    pat.command("/standup")
    modal = pat.modal(callback_id="standup_setup", timeout=WAIT)
    box = next(b for b in modal.blocks if b.get("block_id") == Block.EXTERNAL)
    assert box.get("optional") and "hint" in box and not box["element"].get("initial_options")

    # Unconfirmed: a field error on the channel; nothing saved (the modal keeps what was typed).
    ack = pat.submit(standup("Acme sync", acme, pat.id, asha.id), view=modal)
    assert "outside your organisation" in ack.errors[Block.CHANNEL] and list(ack.errors) == [Block.CHANNEL]
    assert scalar(bot.database_url, "SELECT count(*) FROM standups") == 0

    # Confirmed: saved, with who confirmed and when.
    ack = pat.submit(standup("Acme sync", acme, pat.id, asha.id, standup_external=CONFIRM), view=modal)
    assert not ack.errors, ack.body
    wait(em, lambda: scalar(bot.database_url, "SELECT external_confirmed_by FROM standups") == pat.id, what="saved")
    confirmed_at = scalar(bot.database_url, "SELECT external_confirmed_at FROM standups")
    assert confirmed_at is not None

    # An edit shows the box ticked and keeps the original confirmation.
    bot.set_now("2026-11-29T09:00:00Z")
    pat.command("/standup", "edit Acme sync")
    edit = pat.modal(callback_id="standup_setup", timeout=WAIT)
    box = next(b for b in edit.blocks if b.get("block_id") == Block.EXTERNAL)
    assert [o["value"] for o in box["element"]["initial_options"]] == CONFIRM
    assert not pat.submit(view=edit).errors
    wait(em, lambda: len(em.ephemerals_to(pat.id, acme)) >= 2, what="the edit saved")
    assert scalar(bot.database_url, "SELECT external_confirmed_at FROM standups") == confirmed_at

    # It runs there, as confirmed.
    pat.command("/standup", "now Acme sync")
    tick(bot, MONDAY_BERLIN_0930)
    wait(em, lambda: em.messages_in(acme), what="the stand-up's post in the shared channel")


def test_a_channel_shared_after_setup_gets_nothing(bot: BotUnderTest) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    pat, asha = bot.user("pat"), bot.user("asha")
    room = ws.add_channel("partner-launch", members=["pat", "asha"]).id
    bot.set_now(SATURDAY_SETUP)
    assert not setup_standup(bot, pat, standup("Partner sync", room, pat.id, asha.id)).errors
    wait(em, lambda: em.ephemerals_to(pat.id, room), what="setup confirmation")
    assert scalar(bot.database_url, "SELECT external_confirmed_by FROM standups") is None

    ws.share_externally(room)  # later, someone connects the channel with a partner organisation
    pat.command("/standup", "now Partner sync")
    tick(bot, MONDAY_BERLIN_0930)
    wait(em, lambda: asha.dms, what="Asha's prompt (DMs still go)")
    alert = wait(em, lambda: [m for m in pat.dms if "outside your organisation" in m.text], what="owner alert")
    assert len(alert) == 1 and f"<#{room}>" in alert[0].text
    assert not em.messages_in(room)
    for method in ("chat.postMessage", "chat.update"):
        assert not [c for c in em.calls(method, channel=room) if c.ok], method
