"""End to end: the launch checklist through the real bot (HTTP mode), the Slack emulator and
``tandem tick --now`` at chosen instants, on SQLite and PostgreSQL.

A full launch on Monday 2027-02-22 led by Max (product, Europe/Berlin) and Mia (marketing,
America/Los_Angeles), created with ``bot.launches.plan.create_launch`` in the bot's database (the
``/launch new`` modal is another branch's work); everything after that goes through Slack as
people would click: the due-day DM and its buttons, the overdue DM, the checklist modal.

The plan's items (from the "full" template): positioning T-21 Mon 1 Feb (Max), pricing T-14
Mon 8 Feb (Max), enablement T-10 Fri 12 Feb (Mia), docs T-7 Mon 15 Feb (Max), campaign T-3
Fri 19 Feb (Mia). Winter: Berlin is UTC+1, Los Angeles UTC-8.
"""

from __future__ import annotations

import json
import re
import threading
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.launches import plan
from bot.launches.data import LaunchInput, PhaseInput
from bot.launches.ids import Action, Block, ItemStatus, LaunchKind
from bot.launches.models import LaunchItem, LaunchNotice
from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import Message, Workspace
from tests.launches.e2e_helpers import WAIT, EmulatorDirectory, database, outbox_settled, text_of, tick, wait
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

CREATED = "2027-01-18T10:00:00Z"  # a Monday, five weeks ahead
BERLIN_0900 = "T08:00:00Z"
LOS_ANGELES_0900 = "T17:00:00Z"


def create_launch(
    bot: BotUnderTest, workspace: Workspace, product: str, marketing: str, channel: str
) -> dict[str, int]:
    """The launch in the bot's database; its items' ids by template key (and "launch")."""
    bot.set_now(CREATED)
    now = datetime.fromisoformat(CREATED)
    data = LaunchInput(
        name="Shared inbox",
        what="Shared inboxes for support teams",
        kind=LaunchKind.FULL,
        phases=(PhaseInput("Launch", date(2027, 2, 22), "Team plan"),),
        product_lead=product,
        marketing_lead=marketing,
        channel_id=channel,
    )
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            launch = plan.create_launch(
                session, team_id=workspace.team_id, data=data, created_by=product, today=now.date(), now=now,
                directory=EmulatorDirectory(workspace), creator_tz="Europe/Berlin",
            )  # fmt: skip
            return {"launch": launch.id, **{i.template_key: i.id for i in launch.items}}
    finally:
        db.dispose()


def item_row(bot: BotUnderTest, item_id: int) -> LaunchItem:
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            item = session.get_one(LaunchItem, item_id)
            session.expunge(item)
            return item
    finally:
        db.dispose()


def current(em: SlackEmulator, message: Message) -> str:
    return text_of(em.message(message.channel, message.ts))


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_due_day_dm_done_new_date_and_blocked(bot: BotUnderTest) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    maxi, mia = bot.user("max"), bot.user("mia")
    ids = create_launch(bot, ws, maxi.id, mia.id, channel)
    tick(bot, CREATED)
    root = wait(em, lambda: em.messages_in(channel), what="the launch message")[0]
    assert maxi.dms == []

    # --- Monday 1 Feb, 09:00 Berlin: Max's positioning item is due: one DM, even ticked twice ----
    tick(bot, "2027-02-01" + BERLIN_0900)
    tick(bot, "2027-02-01T08:05:00Z")
    assert len(maxi.dms) == 1 and mia.dms == []
    due = maxi.dms[0]
    assert "Due today" in text_of(due) and "Positioning and messaging agreed" in text_of(due)
    buttons = [e["text"]["text"] for b in due.blocks or [] if b["type"] == "actions" for e in b["elements"]]
    assert buttons == ["Done", "New date", "Blocked"]

    # Done in the DM: the DM says so in place, the launch message counts it.
    maxi.click(Action.ITEM_DONE, message=due)
    wait(em, lambda: f"Done by <@{maxi.id}>" in current(em, due), what="the DM updated in place")
    wait(em, lambda: outbox_settled(bot), what="outbox drained")
    assert "Done" not in [e["text"]["text"] for b in em.message(due.channel, due.ts).blocks or []
                          if b["type"] == "actions" for e in b["elements"]]  # fmt: skip
    assert re.search(rf"\*Product\* · <@{maxi.id}>\\n1/\d+ done", current(em, root))
    assert item_row(bot, ids["positioning"]).status == ItemStatus.DONE
    # A second click (sent before the DM changed): one line, nothing else changes.
    bot.driver.block_actions(
        user=maxi.id, message=due,
        actions=[{"type": "button", "action_id": Action.ITEM_DONE.value, "block_id": Block.ITEM_ACTIONS.value,
                  "value": str(ids["positioning"])}],
    )  # fmt: skip
    wait(em, lambda: any("Already done by" in str(e) for e in maxi.ephemerals), what="already done")
    assert len(em.messages_in(channel)) == 1  # updated in place, nothing new in the channel

    # --- Monday 8 Feb: pricing is due; Max moves it to Wednesday -------------------------------
    tick(bot, "2027-02-08" + BERLIN_0900)
    assert len(maxi.dms) == 2
    pricing_dm = maxi.dms[1]
    maxi.click(Action.ITEM_NEW_DATE, message=pricing_dm)
    modal = maxi.modal(callback_id="launch_item_date_form", timeout=WAIT)
    assert '"initial_date": "2027-02-08"' in json.dumps(modal.blocks)
    ack = maxi.submit({Block.ITEM_DUE_ON: "2027-02-01"}, callback_id="launch_item_date_form")
    assert "has passed" in ack.errors.get(Block.ITEM_DUE_ON, ""), ack.body
    ack = maxi.submit({Block.ITEM_DUE_ON: "2027-02-10"}, callback_id="launch_item_date_form")
    assert ack.status == 200 and not ack.errors, ack.body
    wait(em, lambda: "New date" in current(em, pricing_dm), what="the DM says the new date")
    row = item_row(bot, ids["pricing"])
    assert row.due_on == date(2027, 2, 10) and row.offset_days == -12
    tick(bot, "2027-02-09" + BERLIN_0900)
    assert len(maxi.dms) == 2  # not on the old date's next day
    tick(bot, "2027-02-10" + BERLIN_0900)
    tick(bot, "2027-02-10T09:00:00Z")
    assert len(maxi.dms) == 3  # once, on the new date
    new_dm = maxi.dms[2]
    assert "Pricing and packaging confirmed" in text_of(new_dm)

    # Blocked, with a hostile reason: escaped in the DM and the launch message.
    maxi.click(Action.ITEM_BLOCKED, message=new_dm)
    maxi.modal(callback_id="launch_item_blocked_form", timeout=WAIT)
    ack = maxi.submit({Block.ITEM_REASON: " "}, callback_id="launch_item_blocked_form")
    assert "blocked on" in ack.errors.get(Block.ITEM_REASON, ""), ack.body
    ack = maxi.submit({Block.ITEM_REASON: "<!channel> legal *review*"}, callback_id="launch_item_blocked_form")
    assert not ack.errors, ack.body
    wait(em, lambda: "Blocked: &lt;!channel&gt;" in current(em, new_dm), what="the DM says blocked")
    wait(em, lambda: "blocked: &lt;!channel&gt; legal" in current(em, root), what="the message says blocked")
    wait(em, lambda: outbox_settled(bot), what="outbox drained")
    assert "<!channel>" not in current(em, root) and "<!channel>" not in current(em, new_dm)
    assert item_row(bot, ids["pricing"]).blocked_reason == "<!channel> legal *review*"
    assert em.take_violations() == []


def choose(bot: BotUnderTest, user_id: str, checklist_id: str, item_id: int, verb: str) -> Any:
    """Pick ``verb`` in an item's menu of the checklist modal; the small modal pushed on top."""
    em = bot.emulator
    view = em.view(checklist_id)
    block_id = f"launch_item_row:{item_id}"
    menu = next(b["accessory"] for b in view.blocks if b.get("block_id") == block_id)
    option = next(o for o in menu["options"] if o["value"] == f"{verb}:{item_id}")
    bot.driver.block_actions(
        user=user_id, view=view,
        actions=[{"type": "overflow", "action_id": Action.ITEM_MENU.value, "block_id": block_id,
                  "selected_option": option}],
    )  # fmt: skip
    return wait(em, lambda: len(em.modal_stack(user_id)) == 2 and em.modal_stack(user_id)[-1], what=f"{verb} modal")


def row_text(em: SlackEmulator, checklist_id: str, item_id: int) -> str:
    """An item's row in the checklist modal ("" once it is not listed)."""
    block_id = f"launch_item_row:{item_id}"
    return next(
        (json.dumps(b, ensure_ascii=False) for b in em.view(checklist_id).blocks if b.get("block_id") == block_id), ""
    )


def tick_twice_at_once(bot: BotUnderTest, instant: str) -> None:
    """Two replicas ticking the same instant."""
    bot.set_now(instant)
    results: list[int] = []
    threads = [
        threading.Thread(target=lambda: results.append(bot.tandem("tick", "--now", instant).returncode))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [0, 0]
    wait(bot.emulator, lambda: outbox_settled(bot), what="outbox drained")


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_overdue_to_both_leads_once_and_the_checklist_modal(bot: BotUnderTest) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    maxi, mia, pat, asha = bot.user("max"), bot.user("mia"), bot.user("pat"), bot.user("asha")
    ids = create_launch(bot, ws, maxi.id, mia.id, channel)
    tick(bot, CREATED)
    root = wait(em, lambda: em.messages_in(channel), what="the launch message")[0]

    # --- Enablement (Mia's, due Fri 12 Feb) is still open on Tuesday 16 Feb: each lead once ----
    tick_twice_at_once(bot, "2027-02-16" + BERLIN_0900)
    tick(bot, "2027-02-16T08:30:00Z")
    assert len(maxi.dms) == 1 and mia.dms == []
    assert "Overdue" in text_of(maxi.dms[0]) and "Sales enablement ready" in text_of(maxi.dms[0])
    tick(bot, "2027-02-16" + LOS_ANGELES_0900)
    tick(bot, "2027-02-16T17:30:00Z")
    assert len(mia.dms) == 1 and len(maxi.dms) == 1
    assert "Overdue" in text_of(mia.dms[0])
    # Never in the channel: the launch message is all there is, and nobody else is told.
    assert len(em.messages_in(channel)) == 1 and pat.dms == [] and asha.dms == []
    assert [c for c in em.calls("chat.postMessage") if c.args.get("channel") == channel] != []
    assert all("Overdue" not in json.dumps(c.args) for c in em.calls("chat.postMessage", channel=channel))
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            keys = sorted(session.scalars(select(LaunchNotice.key)))
            assert keys == sorted(
                f"overdue:{ids['enablement']}:2027-02-12:{lead}" for lead in (maxi.id, mia.id)
            )  # fmt: skip
            assert all(n.message_ts for n in session.scalars(select(LaunchNotice)))  # where each DM landed
    finally:
        db.dispose()

    # --- Max opens the checklist from his DM and moves the item to Thursday -------------------
    maxi.click(Action.OPEN_CHECKLIST, message=maxi.dms[0])
    checklist = maxi.modal(callback_id="launches_checklist", timeout=WAIT)
    shown = json.dumps(checklist.blocks, ensure_ascii=False)
    assert all(f'"text": "{side}"' in shown for side in ("Product", "Marketing", "Both"))
    assert "Sales enablement ready" in shown and "*overdue*" in shown and "T-10" in shown
    pushed = choose(bot, maxi.id, checklist.id, ids["enablement"], "date")
    assert pushed.callback_id == "launch_item_date_form"
    ack = maxi.submit({Block.ITEM_DUE_ON: "2027-02-18"}, view=pushed)
    assert not ack.errors, ack.body
    wait(
        em, lambda: "2027-02-18" in json.dumps(em.view(checklist.id).blocks) and len(em.modal_stack(maxi.id)) == 1,
        what="the checklist updated in place",
    )  # fmt: skip
    moved = row_text(em, checklist.id, ids["enablement"])
    assert "2027-02-18" in moved and "*overdue*" not in moved
    for dm in (maxi.dms[0], mia.dms[0]):  # both leads' DMs say it moved, in place
        wait(em, lambda dm=dm: "New date" in current(em, dm), what="the overdue DM updated")
    row = item_row(bot, ids["enablement"])
    assert row.due_on == date(2027, 2, 18) and row.was_late  # re-dated after its date had passed

    # Add an item with a hostile title from the modal: shown escaped.
    maxi.click(Action.ITEM_ADD, in_modal=True)
    added = wait(em, lambda: len(em.modal_stack(maxi.id)) == 2 and em.modal_stack(maxi.id)[-1], what="add modal")
    ack = maxi.submit(
        {Block.ITEM_TITLE: "<!here> *Partner* newsletter", Block.ITEM_SIDE: "marketing", Block.ITEM_OWNER: asha.id,
         Block.ITEM_DUE_ON: "2027-02-20"},
        view=added,
    )  # fmt: skip
    assert not ack.errors, ack.body
    wait(em, lambda: "Partner" in json.dumps(em.view(checklist.id).blocks), what="the new item in the checklist")
    shown = json.dumps(em.view(checklist.id).blocks, ensure_ascii=False)
    assert "&lt;!here&gt;" in shown and "<!here>" not in shown

    # Reassign the campaign to Asha, block the pricing, drop the positioning: each from the menu,
    # each a small modal on top, and the checklist updated in place after it.
    pushed = choose(bot, maxi.id, checklist.id, ids["campaign"], "reassign")
    assert not maxi.submit({Block.ITEM_OWNER: asha.id}, view=pushed).errors
    wait(em, lambda: f"<@{asha.id}>" in row_text(em, checklist.id, ids["campaign"]), what="reassigned")
    pushed = choose(bot, maxi.id, checklist.id, ids["pricing"], "blocked")
    assert not maxi.submit({Block.ITEM_REASON: "Finance sign-off"}, view=pushed).errors
    wait(em, lambda: "blocked: Finance sign-off" in row_text(em, checklist.id, ids["pricing"]), what="blocked")
    pushed = choose(bot, maxi.id, checklist.id, ids["positioning"], "drop")
    assert pushed.callback_id == "launch_item_drop_form"
    assert not maxi.submit({}, view=pushed).errors
    wait(em, lambda: row_text(em, checklist.id, ids["positioning"]) == "", what="dropped from the list")
    assert "~Positioning and messaging agreed~" in json.dumps(em.view(checklist.id).blocks, ensure_ascii=False)
    assert len(em.modal_stack(maxi.id)) == 1
    assert [item_row(bot, ids[k]).status for k in ("campaign", "pricing", "positioning")] == [
        ItemStatus.OPEN, ItemStatus.BLOCKED, ItemStatus.DROPPED,
    ]  # fmt: skip
    assert item_row(bot, ids["campaign"]).owner_id == asha.id
    # Done from the menu: no modal on top, the row shows it done and has no menu left.
    view = em.view(checklist.id)
    block_id = f"launch_item_row:{ids['enablement']}"
    bot.driver.block_actions(
        user=maxi.id, view=view,
        actions=[{"type": "overflow", "action_id": Action.ITEM_MENU.value, "block_id": block_id,
                  "selected_option": {"text": {"type": "plain_text", "text": "Done"},
                                      "value": f"done:{ids['enablement']}"}}],
    )  # fmt: skip
    wait(em, lambda: "✅" in row_text(em, checklist.id, ids["enablement"]), what="done in the checklist")
    assert "accessory" not in row_text(em, checklist.id, ids["enablement"]) and len(em.modal_stack(maxi.id)) == 1

    # --- Done from the App Home (a Done button with the item's id) ----------------------------
    maxi.open_home()
    home = maxi.home(timeout=WAIT)
    home_record = em.view(str(home["id"]))
    published = len(em.calls("views.publish"))
    bot.driver.block_actions(
        user=maxi.id, view=home_record,
        actions=[{"type": "button", "action_id": Action.ITEM_DONE.value, "block_id": "home_launch_items",
                  "value": str(ids["docs"])}],
    )  # fmt: skip
    wait(em, lambda: len(em.calls("views.publish")) > published, what="the Home re-published")
    assert item_row(bot, ids["docs"]).status == ItemStatus.DONE
    wait(em, lambda: outbox_settled(bot), what="outbox drained")
    assert re.search(rf"\*Product\* · <@{maxi.id}>\\n1/\d+ done", current(em, root))
    assert em.take_violations() == []


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_forged_item_id_from_another_workspace_is_not_found(bot: BotUnderTest) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    globex = em.add_workspace("Globex")
    channel = ws.channel_id("product-marketing")
    maxi, mia = bot.user("max"), bot.user("mia")
    ours = create_launch(bot, ws, maxi.id, mia.id, channel)
    theirs = create_launch(
        bot, globex, globex.user_id("max"), globex.user_id("mia"), globex.channel_id("product-marketing")
    )
    tick(bot, CREATED)
    root = wait(em, lambda: em.messages_in(channel), what="the launch message")[0]
    for action_id, value in (
        (Action.ITEM_DONE, str(theirs["docs"])),
        (Action.ITEM_NEW_DATE, str(theirs["docs"])),
        (Action.ITEM_BLOCKED, "not-a-number"),
        (Action.OPEN_CHECKLIST, str(theirs["launch"])),
    ):
        ack = bot.driver.block_actions(
            user=maxi.id, message=root,
            actions=[{"type": "button", "action_id": action_id.value, "block_id": "x", "value": value}],
        )  # fmt: skip
        assert ack.status == 200
    wait(em, lambda: len(maxi.ephemerals) == 4, what="four friendly answers")
    texts = [str(e) for e in maxi.ephemerals]
    assert sum("can't find that checklist item" in t for t in texts) == 3, texts
    assert sum("can't find that launch" in t for t in texts) == 1, texts
    assert em.views_opened(maxi.id) == []
    assert item_row(bot, theirs["docs"]).status == ItemStatus.OPEN
    # Pat may look at the plan but not change Max's item: one friendly line, nothing changed.
    pat = bot.user("pat")
    bot.driver.block_actions(
        user=pat.id, message=root,
        actions=[{"type": "button", "action_id": Action.ITEM_DONE.value, "block_id": "x", "value": str(ours["docs"])}],
    )  # fmt: skip
    wait(em, lambda: any("Only the item's owner" in str(e) for e in pat.ephemerals), what="only the owner")
    assert item_row(bot, ours["docs"]).status == ItemStatus.OPEN
    assert "Traceback" not in bot.log_text()
    assert em.take_violations() == []
