"""End to end: a recurring partnership-health retro run twice, through the real bot process.

Mia sets up an every-other-Friday 15:00 Europe/Berlin retro; the first run is before the DST
change (14:00 UTC), the second after it (13:00 UTC). Asha adds an anonymous item, and her user id
is then looked for in every column of every table and in the logs. Both sides rate the
partnership twice; the second summary shows per-side averages and their change. Action items
from the first run are DM'd, reminded, one marked done, and both are reviewed in the second run.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.playground.workspace_state import Message
from bot.retro.ids import Action
from bot.retro.models import Retro
from tests.retro.helpers import rows_mentioning
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

CHANNEL = "product-marketing"
DUE = "2026-03-27"


def _text(message: Message) -> str:
    return message.text + " " + str(message.blocks)


def _retro_messages(bot: BotUnderTest) -> list[Message]:
    return [m for m in bot.emulator.messages_in(CHANNEL) if "Retro: Partnership health" in m.text]


def _rate(bot: BotUnderTest, handle: str, message: Message, side: str, scores: tuple[int, int, int]) -> None:
    person = bot.user(handle)
    person.click(Action.RATE, message=message)
    modal = person.modal(callback_id="retro_rate")
    overrides: dict[str, Any] = {
        "retro_side": side,
        "retro_trust": str(scores[0]),
        "retro_ownership": str(scores[1]),
        "retro_planning": str(scores[2]),
        "retro_focus": "planning",
    }
    if handle == "mia" and message is not _retro_messages(bot)[0]:
        overrides.pop("retro_side")  # remembered from last time: preselected
    ack = person.submit(overrides, view=modal)
    assert ack.status == 200 and not ack.errors, ack.errors


def _summary(bot: BotUnderTest, parent: Message) -> Message:
    def found() -> Message | None:
        replies = bot.emulator.thread(bot.emulator.workspace.channel_id(CHANNEL), parent.ts)
        return next((r for r in replies if "Retro results" in r.text), None)

    return bot.emulator.wait_for(found, what="the retro summary")


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_recurring_partnership_health_retro_twice(bot: BotUnderTest) -> None:
    emulator, ws = bot.emulator, bot.emulator.workspace
    mia, asha, pat = bot.user("mia"), bot.user("asha"), bot.user("pat")
    logs: list[str] = []

    def tick(now: str) -> None:
        bot.set_now(now)
        result = bot.tick()
        logs.append(result.stdout + result.stderr)

    # --- setup: every other Friday, 15:00 Berlin, collecting for two days
    bot.set_now("2026-03-18T09:00:00Z")
    assert mia.command("/retro", "", channel=CHANNEL).status == 200
    setup = mia.modal(callback_id="retro_setup")
    ack = mia.submit(
        {
            "retro_title": "Partnership health",
            "retro_template": "partnership",
            "retro_when": "recurring",
            "retro_date": "2026-03-20",
            "retro_time": "15:00",
            "retro_timezone": "Europe/Berlin",
            "retro_repeat": "2",
            "retro_collect": "48",
        },
        view=setup,
    )
    assert ack.status == 200 and ack.response_action == "update", ack.body
    assert "every 2 weeks on Fri" in str(ack.json)

    # --- first run opens at 15:00 CET = 14:00 UTC
    tick("2026-03-20T14:00:00Z")
    first = emulator.wait_for(lambda: _retro_messages(bot), what="the first retro message")[0]
    assert "Trust and respect" in _text(first) and "Rate the partnership" in _text(first)

    # --- an anonymous item: its author is stored nowhere and logged nowhere
    asha.click(Action.ADD_ITEM, message=first)
    item_modal = asha.modal(callback_id="retro_add_item")
    too_long = asha.submit(
        {"retro_item_prompt": "2", "retro_item_text": "x" * 1200, "retro_item_anonymous": ["yes"]}, view=item_modal
    )
    assert "1,000 characters" in too_long.errors["retro_item_text"]  # the modal stays open, text kept
    ack = asha.submit(
        {
            "retro_item_prompt": "2",
            "retro_item_text": "We plan launches a quarter apart <!channel>",
            "retro_item_anonymous": ["yes"],
        },
        view=item_modal,
    )
    assert ack.status == 200 and not ack.errors
    updated = emulator.wait_for(
        lambda: next((m for m in _retro_messages(bot) if "We plan launches" in _text(m)), None),
        what="the item in the retro message",
    )
    assert "&lt;!channel&gt;" in _text(updated) and asha.id not in _text(updated) and "anonymous" in _text(updated)
    pat.click(Action.ADD_ITEM, message=updated)
    pat.submit(
        {"retro_item_prompt": "0", "retro_item_text": "Pricing review went smoothly"}, callback_id="retro_add_item"
    )
    updated = emulator.wait_for(
        lambda: next((m for m in _retro_messages(bot) if "Pricing review" in _text(m)), None), what="pat's item"
    )

    db = Database.from_url(bot.database_url)
    try:
        assert rows_mentioning(db.engine, asha.id) == []
        assert asha.id not in bot.log_text()

        # --- votes: each person sees only their own, no totals
        pat.click(Action.VOTE, message=updated)
        vote_modal = pat.modal(callback_id="retro_vote")
        assert "3 of 3" in str(vote_modal.blocks)
        pat.click(Action.TOGGLE_VOTE, in_modal=True, value=_item_value(vote_modal, "We plan launches"))
        emulator.wait_for(lambda: "2 of 3" in str(pat.modal().blocks) or None, what="pat's vote recorded")
        assert "vote)" not in str(pat.modal().blocks) and "votes)" not in str(pat.modal().blocks)

        # --- both sides rate (two per side, so averages can be shown without exposing anyone)
        _rate(bot, "pat", updated, "product", (3, 2, 2))
        _rate(bot, "max", updated, "product", (3, 3, 2))
        _rate(bot, "asha", updated, "marketing", (2, 2, 1))
        _rate(bot, "mia", updated, "marketing", (4, 2, 1))

        # --- closes on schedule two days later; the summary goes in the thread
        tick("2026-03-22T14:00:00Z")
        summary = _summary(bot, first)
        text = _text(summary)
        assert "Product* (2 ratings): Trust and respect 3.0" in text
        assert "Marketing* (2 ratings): Trust and respect 3.0" in text
        assert "We plan launches a quarter apart" in text and "(1 vote)" in text

        # --- action items: only the facilitator assigns; owners get a DM, a reminder, and can finish
        pat.click(Action.ADD_ACTION_ITEM, message=summary)
        emulator.wait_for(
            lambda: any("Only the facilitator" in str(e) for e in pat.ephemerals) or None, what="pat is refused"
        )
        mia.click(Action.ADD_ACTION_ITEM, message=summary)
        mia.submit(
            {"retro_action_text": "Monthly joint planning", "retro_action_owner": pat.id, "retro_action_due": DUE},
            callback_id="retro_action_item",
        )
        mia.click(Action.ADD_ACTION_ITEM, message=_summary(bot, first))
        mia.submit(
            {
                "retro_action_text": "Share the launch calendar",
                "retro_action_owner": ws.user_id("max"),
                "retro_action_due": "2026-04-10",
            },
            callback_id="retro_action_item",
        )
        dm = pat.wait_for_dm()
        assert "Monthly joint planning" in _text(dm) and "Mark done" in _text(dm)
        tick("2026-03-26T13:00:00Z")  # 09:00 in New York, the day before it's due
        reminder = pat.wait_for_dm(count=2)
        assert "due tomorrow" in _text(reminder)
        pat.click(Action.ACTION_DONE, message=reminder)
        emulator.wait_for(lambda: any("Done:" in _text(m) for m in pat.dms) or None, what="the DM marked done")

        # --- second run: 15:00 CEST = 13:00 UTC after the clock change; reviews last time's actions
        tick("2026-04-03T13:00:00Z")
        second = emulator.wait_for(lambda: _retro_messages(bot)[1:] or None, what="the second retro message")[0]
        text = _text(second)
        assert "Last time's action items" in text
        assert "✅ Monthly joint planning" in text and "⏳ Share the launch calendar" in text
        with db.unit_of_work() as session:
            opened = list(session.scalars(select(Retro.opened_at).order_by(Retro.number)))
        assert [o.isoformat() for o in opened] == ["2026-03-20T14:00:00+00:00", "2026-04-03T13:00:00+00:00"]

        _rate(bot, "pat", second, "product", (4, 3, 3))
        _rate(bot, "max", second, "product", (4, 4, 3))
        _rate(bot, "asha", second, "marketing", (3, 2, 2))
        _rate(bot, "mia", second, "marketing", (3, 3, 2))
        tick("2026-04-05T13:00:00Z")
        text = _text(_summary(bot, second))
        assert "Trust and respect 4.0 (▲1.0)" in text and "Shared ownership of goals 3.5 (▲1.0)" in text
        assert "Product* (2 ratings)" in text and "Marketing* (2 ratings)" in text
        assert "Long-term planning 2.0 (▲1.0)" in text  # marketing: 1.0 -> 2.0
        assert "Changes are against retro #1" in text

        # --- still: Asha's id is only where her side is remembered, never next to her item
        assert [(t, c) for t, c, _ in rows_mentioning(db.engine, asha.id)] == [("retro_person_sides", "user_id")]
        assert all(asha.id not in log for log in [bot.log_text(), *logs])
    finally:
        db.dispose()


def _item_value(view: Any, text: str) -> str:
    for block in view.blocks:
        if text in str(block.get("text")) and block.get("accessory"):
            return str(block["accessory"]["value"])
    raise LookupError(text)
