"""End to end, the real bot process (HTTP mode, signed requests) against the Slack emulator, on
SQLite and PostgreSQL: a person types ``/goal new``, fills the modal with a product and a
marketing owner and saves; the goal's message appears in the channel (its title escaped); owners
from one side only get the field error; ``/goal list`` shows it with its menu; ``edit``,
``pause``, ``resume`` (from the menu), ``close`` (the outcome in the thread, the message updated)
and ``delete`` work; mistakes get one friendly ephemeral line."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.goals.ids import Action, Block, Callback
from bot.playground.signed_requests import Ack
from bot.playground.workspace_state import Message, Workspace
from tests.hardening.helpers import scalar, wait_outbox_settled
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

NOW = "2026-12-07T14:00:00Z"  # a Monday
CHANNEL = "product-marketing"
TITLE = "Lift trial-to-paid <!channel> for *self-serve* teams"


def goal_values(ws: Workspace, **changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        Block.TITLE: TITLE,
        Block.WHY: "Launch week drove trials that did not convert.",
        Block.METRIC: "Trial-to-paid conversion",
        Block.UNIT: "percent",
        Block.BASELINE: "4.0%",
        Block.TARGET: "6",
        Block.DUE: "2027-03-31",
        Block.PRODUCT_OWNERS: [ws.user_id("pat")],
        Block.MARKETING_OWNERS: [ws.user_id("asha")],
        Block.CHANNEL: ws.channel_id(CHANNEL),
    }
    values.update(changes)
    return values


def said(bot: BotUnderTest, ack: Ack, user_id: str) -> str:
    """What the person was told: the ack's text, or the ephemeral line posted after it."""
    if ack.text:
        return ack.text
    posts = bot.emulator.wait_for(lambda: bot.emulator.response_posts(ack.response_url), what="an ephemeral answer")
    return " ".join(str(p.get("text")) for p in posts)


def stand_in(ws: Workspace, blocks: list[dict[str, Any]]) -> Message:
    """The ephemeral ``/goal list`` as a message to click in (the harness clicks stored messages)."""
    return Message(
        team_id=ws.team_id, channel=ws.channel_id(CHANNEL), ts="1.000001", user=ws.bot_user_id, bot_id=ws.bot_id,
        blocks=blocks,
    )  # fmt: skip


def mrkdwn(message: Message) -> str:
    """Everything of a message Slack reads as mrkdwn (where a ``<!channel>`` would ping): its text
    and the mrkdwn objects of its blocks (plain_text, as in the header, is shown literally)."""
    found = [message.text]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn":
                found.append(str(node.get("text")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message.blocks or [])
    return "\n".join(found)


def goal_message(bot: BotUnderTest) -> Message:
    return bot.emulator.wait_for(lambda: bot.emulator.messages_in(CHANNEL), what="the goal's message")[0]


def test_goal_from_new_to_delete(bot: BotUnderTest) -> None:
    emulator, ws = bot.emulator, bot.emulator.workspace
    bot.set_now(NOW)
    pat, asha, max_ = bot.user("pat"), bot.user("asha"), bot.user("max")

    # /goal new opens the modal, in the channel it was typed in.
    ack = pat.command("/goal", "new", channel=CHANNEL)
    assert ack.status == 200 and ack.latency < 3
    view = pat.modal(callback_id=Callback.CREATE)

    # Owners from one side only: the field error says why; nothing is saved.
    one_sided = pat.submit(goal_values(ws, **{Block.MARKETING_OWNERS: []}), view=view)
    assert one_sided.status == 200 and set(one_sided.errors) == {Block.MARKETING_OWNERS}
    assert "owner from marketing" in one_sided.errors[Block.MARKETING_OWNERS]
    # A number that is not one is a field error too.
    garbled = pat.submit(goal_values(ws, **{Block.TARGET: "six-ish"}), view=view)
    assert set(garbled.errors) == {Block.TARGET} and "number" in garbled.errors[Block.TARGET]
    assert int(scalar(bot.database_url, "SELECT count(*) FROM goals")) == 0

    ack = pat.submit(goal_values(ws), view=view)
    assert ack.status == 200 and ack.response_action == "update", ack.body
    assert "Goal saved" in json.dumps(ack.json)
    goal_id = int(scalar(bot.database_url, "SELECT id FROM goals"))
    assert scalar(bot.database_url, "SELECT baseline FROM goals") == 4.0

    # The goal's message in the channel: the title escaped, never a ping, the numbers read right.
    posted = goal_message(bot)
    shown = mrkdwn(posted)
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in posted.text
    assert "6%" in shown and "4%" in shown and ws.user_id("asha") in shown
    # One check-in schedule per owner, each in their own zone.
    zones = scalar(
        bot.database_url,
        "SELECT count(*) FROM schedules WHERE kind = 'goals.prompt' AND ref_id = :r",
        r=str(goal_id),
    )
    assert zones == 2

    # /goal list: the goal, with its menu.
    listed = pat.command("/goal", "list")
    assert listed.status == 200 and "Trial-to-paid" in listed.body
    menu = json.dumps(listed.json["blocks"])
    assert f"edit:{goal_id}" in menu and f"pause:{goal_id}" in menu and "&lt;!channel&gt;" in menu

    # Edit: the modal opens pre-filled; the new target shows in the message, updated in place.
    pat.command("/goal", f"edit {goal_id}")
    edit = pat.modal(callback_id=Callback.EDIT)
    prefilled = {b.get("block_id"): b for b in edit.blocks}
    assert prefilled[Block.TITLE]["element"]["initial_value"] == TITLE
    assert prefilled[Block.MARKETING_OWNERS]["element"]["initial_users"] == [ws.user_id("asha")]
    ack = pat.submit({Block.TARGET: "7.5"}, view=edit)
    assert ack.status == 200 and ack.response_action == "update", ack.body
    emulator.wait_for(lambda: "7.5%" in json.dumps(emulator.message(CHANNEL, posted.ts).blocks), what="the edit")
    assert len(emulator.messages_in(CHANNEL)) == 1

    # Someone who owns nothing may not change it.
    refused = max_.command("/goal", f"pause {goal_id}")
    assert "Only the goal's owners" in said(bot, refused, max_.id)

    # Pause (a marketing owner): no more check-in schedules; the message says so.
    paused = asha.command("/goal", f"pause {goal_id}")
    assert "Paused" in said(bot, paused, asha.id)
    emulator.wait_for(lambda: "Paused" in json.dumps(emulator.message(CHANNEL, posted.ts).blocks), what="paused")
    assert int(scalar(bot.database_url, "SELECT count(*) FROM schedules WHERE kind = 'goals.prompt'")) == 0

    # Resume from the list's menu.
    listed = pat.command("/goal", "list")
    resumed = pat.select(Action.GOAL_MENU, f"resume:{goal_id}", message=stand_in(ws, listed.json["blocks"]))
    assert resumed.status == 200
    emulator.wait_for(
        lambda: "Resumed" in " ".join(str(p.get("text")) for p in emulator.response_posts(resumed.response_url)),
        what="the resume answer",
    )
    assert int(scalar(bot.database_url, "SELECT count(*) FROM schedules WHERE kind = 'goals.prompt'")) == 2

    # Close: the outcome and the learning in the goal's thread, with the retro offer; check-ins stop.
    pat.command("/goal", f"close {goal_id}")
    ack = pat.submit({Block.OUTCOME: "partly", Block.LEARNING: "Pairing on <!here> onboarding emails"},
                     callback_id=Callback.CLOSE)  # fmt: skip
    assert ack.status == 200 and ack.response_action == "update", ack.body
    reply = emulator.wait_for(lambda: emulator.thread(CHANNEL, posted.ts), what="the outcome in the thread")[0]
    text = mrkdwn(reply)
    assert "Partly hit" in text and "&lt;!here&gt;" in text and "<!here>" not in text
    assert any(
        e.get("action_id") == Action.OPEN_RETRO and e.get("value") == str(goal_id)
        for b in reply.blocks or [] for e in b.get("elements") or []
    )  # fmt: skip
    emulator.wait_for(lambda: "Closed" in json.dumps(emulator.message(CHANNEL, posted.ts).blocks), what="closed")
    assert int(scalar(bot.database_url, "SELECT count(*) FROM schedules WHERE kind = 'goals.prompt'")) == 0
    assert scalar(bot.database_url, "SELECT outcome FROM goals") == "partly"
    again = pat.command("/goal", f"close {goal_id}")
    assert "closed" in said(bot, again, pat.id)

    # Delete: a confirmation, then the goal and its rows go and its message says who deleted it.
    wait_outbox_settled(emulator, bot.database_url)
    pat.command("/goal", f"delete {goal_id}")
    ack = pat.submit(callback_id=Callback.DELETE)
    assert ack.status == 200 and ack.response_action == "update", ack.body
    assert "Deleted" in json.dumps(ack.json)
    emulator.wait_for(
        lambda: "was deleted by" in json.dumps(emulator.message(CHANNEL, posted.ts).blocks), what="the deletion"
    )
    for table in ("goals", "goal_owners", "goal_values", "goal_rounds", "goal_checkins"):
        assert int(scalar(bot.database_url, f"SELECT count(*) FROM {table}")) == 0, table
    assert int(scalar(bot.database_url, "SELECT count(*) FROM schedules WHERE kind LIKE 'goals.%'")) == 0
    gone = pat.command("/goal", f"edit {goal_id}")
    assert "can't find that goal" in said(bot, gone, pat.id)

    # A new goal after the deletion gets its own message (SQLite may hand it the same id).
    pat.command("/goal", "new", channel=CHANNEL)
    ack = pat.submit(goal_values(ws, **{Block.TITLE: "Cut CAC"}), callback_id=Callback.CREATE)
    assert ack.response_action == "update", ack.body
    emulator.wait_for(lambda: len(emulator.messages_in(CHANNEL)) == 2, what="the second goal's message")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_mistakes_get_one_friendly_line(bot: BotUnderTest) -> None:
    pat = bot.user("pat")
    unknown = pat.command("/goal", "frobnicate 3")
    assert "I don't know `/goal frobnicate`" in unknown.text
    missing = pat.command("/goal", "edit")
    assert "Which goal?" in said(bot, missing, pat.id)
    garbled = pat.command("/goal", "pause three")
    assert "Which goal?" in said(bot, garbled, pat.id)
    nothing = pat.command("/goal", "close 4242")
    assert "can't find that goal" in said(bot, nothing, pat.id)
    helped = pat.command("/goal", "help")
    assert "shared goal" in helped.text and "/goal close &lt;number&gt;" in helped.text
    empty = pat.command("/goal", "list")
    assert "No shared goals yet" in empty.body


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_channel_is_checked_and_a_shared_one_needs_the_box_ticked(bot: BotUnderTest) -> None:
    emulator, ws = bot.emulator, bot.emulator.workspace
    bot.set_now(NOW)
    pat = bot.user("pat")
    shared = ws.add_channel("acme-globex-shared", members=["pat", "asha"], external_teams=["T0GLOBEX01"]).id

    pat.command("/goal", "new", channel="general")
    view = pat.modal(callback_id=Callback.CREATE)
    outside = pat.submit(goal_values(ws, **{Block.CHANNEL: ws.channel_id("random")}), view=view)
    assert set(outside.errors) == {Block.CHANNEL} and "/invite @Tandem" in outside.errors[Block.CHANNEL]
    unticked = pat.submit(goal_values(ws, **{Block.CHANNEL: shared}), view=view)
    assert set(unticked.errors) == {Block.CHANNEL} and "outside your organisation" in unticked.errors[Block.CHANNEL]
    assert int(scalar(bot.database_url, "SELECT count(*) FROM goals")) == 0

    ticked = pat.submit(
        goal_values(ws, **{Block.CHANNEL: shared, Block.EXTERNAL: ["post_in_external_channel"]}), view=view
    )
    assert ticked.response_action == "update", ticked.body
    assert scalar(bot.database_url, "SELECT external_confirmed_by FROM goals") == pat.id
    posted = emulator.wait_for(lambda: emulator.messages_in(shared), what="the goal in the shared channel")[0]
    assert "Trial-to-paid" in json.dumps(posted.blocks)

    # One side's own KPI, shared for visibility: owners from one side are fine when ticked.
    pat.command("/goal", "new", channel=CHANNEL)
    kpi = goal_values(
        ws,
        **{
            Block.TITLE: "Activation rate",
            Block.KIND: "kpi",
            Block.TARGET: None,
            Block.DUE: None,
            Block.RANGE_LOW: "40%",
            Block.MARKETING_OWNERS: [],
            Block.VISIBILITY_ONLY: ["visibility_only"],
        },
    )
    ack = pat.submit(kpi, callback_id=Callback.CREATE)
    assert ack.response_action == "update", ack.body
    mine = emulator.wait_for(lambda: emulator.messages_in(CHANNEL), what="the KPI's message")[0]
    assert "One side's KPI, shared for visibility" in json.dumps(mine.blocks) and "at least 40%" in mrkdwn(mine)
