"""End to end, the real bot process (HTTP mode, signed requests) against the Slack emulator, on
SQLite and PostgreSQL: a person types ``/launch new``, picks "Staggered" (the modal is rebuilt
with phase rows, the date typed kept as phase 1's), adds a new goal through the /goal new form
pushed on top (it shows picked in the launch modal underneath), fixes the field errors and saves
a two-phase launch with one existing and one new goal. The launch's message appears in the
channel with its buttons; ``/launch list`` shows it; ``edit`` hands the marketing side to a new
lead; someone who leads nothing is refused; ``cancel`` stops every timer, marks the message and
tells the other lead once."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.goals.ids import Block as GoalBlock
from bot.goals.ids import Callback as GoalCallback
from bot.launches.forms import phase_block
from bot.launches.ids import Action, Block, Callback
from bot.playground.workspace_state import Message, ViewRecord, Workspace
from tests.goals.test_e2e_goal_command import goal_values, mrkdwn, said
from tests.hardening.helpers import scalar, wait_outbox_settled
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

NOW = "2026-12-07T14:00:00Z"  # a Monday
CHANNEL = "product-marketing"
NAME = "Shared inbox <!channel> *beta*"


def blocks_by_id(view: ViewRecord) -> dict[str, dict[str, Any]]:
    return {str(b.get("block_id")): b for b in view.blocks if b.get("block_id")}


def launch_values(ws: Workspace, **changes: Any) -> dict[str, Any]:
    """A staggered launch: Beta on 2027-01-11, GA on 2027-02-01; pat and mia lead."""
    values: dict[str, Any] = {
        Block.NAME: NAME,
        Block.WHAT: "Shared inboxes for support teams on the Team plan.",
        phase_block(1, "name"): "Beta",
        phase_block(1, "date"): "2027-01-11",
        phase_block(1, "audience"): "50 design partners",
        phase_block(2, "name"): "GA",
        phase_block(2, "date"): "2027-02-01",
        phase_block(2, "audience"): "every Team plan workspace",
        Block.PRODUCT_LEAD: ws.user_id("pat"),
        Block.MARKETING_LEAD: ws.user_id("mia"),
        Block.CHANNEL: ws.channel_id(CHANNEL),
    }
    values.update(changes)
    return values


def choose_kind(bot: BotUnderTest, who: Any, view: ViewRecord, kind: str, typed: dict[str, Any]) -> ViewRecord:
    """Pick ``kind`` in the modal's kind select (Slack dispatches it with the modal's state)."""
    select = blocks_by_id(view)[Block.KIND]["element"]
    action = {
        "type": "static_select", "action_id": Action.KIND, "block_id": Block.KIND,
        "selected_option": who.find_option(select, kind),
    }  # fmt: skip
    state = who.fill(view, {Block.KIND: kind, **typed})
    ack = bot.driver.block_actions(user=who.id, actions=[action], view=view, state=state)
    assert ack.status == 200 and ack.latency < 3
    before = view.view.get("hash")

    def rebuilt() -> ViewRecord | None:
        top = bot.emulator.open_modal(who.id)
        if top is None or top.view.get("hash") == before:
            return None
        return top if (phase_block(1, "name") in blocks_by_id(top)) == (kind == "staggered") else None

    return bot.emulator.wait_for(rebuilt, what=f"the modal rebuilt for {kind}")


def launch_message(bot: BotUnderTest) -> Message:
    return bot.emulator.wait_for(
        lambda: [m for m in bot.emulator.messages_in(CHANNEL) if m.text.startswith("Launch")],
        what="the launch's message",
    )[0]


def test_launch_from_new_to_cancelled(bot: BotUnderTest) -> None:
    emulator, ws, url = bot.emulator, bot.emulator.workspace, bot.database_url
    bot.set_now(NOW)
    pat, mia, asha, max_ = bot.user("pat"), bot.user("mia"), bot.user("asha"), bot.user("max")

    # An existing shared goal, through /goal new.
    pat.command("/goal", "new", channel=CHANNEL)
    ack = pat.submit(goal_values(ws, **{GoalBlock.TITLE: "Lift trial-to-paid"}), callback_id=GoalCallback.CREATE)
    assert ack.response_action == "update", ack.body
    existing = int(scalar(url, "SELECT id FROM goals"))

    # /launch new: the modal opens in the channel it was typed in, the existing goal to pick.
    ack = pat.command("/launch", "new", channel=CHANNEL)
    assert ack.status == 200 and ack.latency < 3
    view = pat.modal(callback_id=Callback.CREATE)
    shown = blocks_by_id(view)
    assert shown[Block.CHANNEL]["element"]["initial_conversation"] == ws.channel_id(CHANNEL)
    assert [o["value"] for o in shown[Block.GOALS]["element"]["options"]] == [str(existing)]
    assert Block.LAUNCH_DATE in shown and phase_block(1, "name") not in shown

    # Staggered: phase rows replace the one date, which becomes phase 1's; the name stays.
    view = choose_kind(bot, pat, view, "staggered", {Block.NAME: NAME, Block.LAUNCH_DATE: "2027-01-11"})
    shown = blocks_by_id(view)
    assert Block.LAUNCH_DATE not in shown
    assert shown[phase_block(1, "date")]["element"]["initial_date"] == "2027-01-11"
    assert shown[Block.NAME]["element"]["initial_value"] == NAME
    assert shown[Block.KIND]["element"]["initial_option"]["value"] == "staggered"
    assert view.view["hash"]

    # Add a new goal (Slack sends the modal's state with the click): the /goal new form on top;
    # saved, the launch modal shows it picked, with what was typed.
    typed = {Block.NAME: NAME, phase_block(1, "name"): "Beta", phase_block(1, "date"): "2027-01-11",
             phase_block(2, "audience"): "everyone", Block.MARKETING_LEAD: ws.user_id("mia")}  # fmt: skip
    button = {"type": "button", "action_id": Action.NEW_GOAL, "block_id": Block.GOAL_ACTIONS, "text": {}}
    clicked = bot.driver.block_actions(user=pat.id, actions=[button], view=view, state=pat.fill(view, typed))
    assert clicked.status == 200 and clicked.latency < 3
    goal_form = pat.modal(callback_id=Callback.NEW_GOAL)
    assert len(emulator.modal_stack(pat.id)) == 2
    refused = pat.submit(goal_values(ws, **{GoalBlock.MARKETING_OWNERS: []}), view=goal_form)
    assert set(refused.errors) == {GoalBlock.MARKETING_OWNERS}
    ack = pat.submit(goal_values(ws, **{GoalBlock.TITLE: "Beta activation <!here>"}), view=goal_form)
    assert ack.status == 200 and ack.response_action is None, ack.body
    new_goal = int(scalar(url, "SELECT id FROM goals WHERE title LIKE 'Beta activation%'"))
    view = emulator.wait_for(
        lambda: (v := pat.modal(callback_id=Callback.CREATE)) and Block.NEW_GOALS in blocks_by_id(v) and v,
        what="the new goal picked in the launch modal",
    )
    assert len(emulator.modal_stack(pat.id)) == 1
    shown = blocks_by_id(view)
    picked = shown[Block.NEW_GOALS]["text"]["text"]
    assert f"goal {new_goal}" in picked and "&lt;!here&gt;" in picked and "<!here>" not in picked
    # What was typed comes back (and the inputs keep their block and action ids, so Slack keeps
    # it anyway: views.update's "preserving input entry").
    assert shown[Block.NAME]["element"]["initial_value"] == NAME
    assert shown[phase_block(1, "name")]["element"]["initial_value"] == "Beta"
    assert shown[phase_block(1, "date")]["element"]["initial_date"] == "2027-01-11"
    assert shown[phase_block(2, "audience")]["element"]["initial_value"] == "everyone"
    assert shown[Block.MARKETING_LEAD]["element"]["initial_user"] == ws.user_id("mia")
    assert shown[Block.KIND]["element"]["initial_option"]["value"] == "staggered"
    assert str(new_goal) not in [o["value"] for o in shown[Block.GOALS]["element"]["options"]]

    # Mistakes: one phase only, the same lead twice, a phase before the one before it. Field errors, nothing saved.
    one_phase = pat.submit(
        launch_values(ws, **{phase_block(2, "name"): None, phase_block(2, "date"): None,
                             phase_block(2, "audience"): None, Block.MARKETING_LEAD: ws.user_id("pat")}),
        view=view,
    )  # fmt: skip
    assert set(one_phase.errors) == {phase_block(2, "name"), Block.MARKETING_LEAD}, one_phase.errors
    out_of_order = pat.submit(launch_values(ws, **{phase_block(2, "date"): "2027-01-04"}), view=view)
    assert set(out_of_order.errors) == {phase_block(2, "date")}
    no_date = pat.submit(launch_values(ws, **{phase_block(2, "date"): None}), view=view)
    assert set(no_date.errors) == {phase_block(2, "date")}
    assert int(scalar(url, "SELECT count(*) FROM launches")) == 0

    ack = pat.submit(launch_values(ws, **{Block.GOALS: [str(existing)]}), view=view)
    assert ack.status == 200 and ack.response_action == "update", ack.body
    assert ack.latency < 3 and "Launch planned" in json.dumps(ack.json)
    launch_id = int(scalar(url, "SELECT id FROM launches"))
    assert scalar(url, "SELECT kind FROM launches") == "staggered"
    assert int(scalar(url, "SELECT count(*) FROM launch_phases")) == 2
    goals = (
        scalar(url, "SELECT string_agg(CAST(goal_id AS TEXT), ',') FROM launch_goals")
        if "postgres" in url
        else (scalar(url, "SELECT group_concat(goal_id) FROM launch_goals"))
    )
    assert sorted(int(g) for g in str(goals).split(",")) == sorted([existing, new_goal])
    assert scalar(url, "SELECT timezone FROM launches") == "America/New_York"  # pat's zone
    assert int(scalar(url, "SELECT count(*) FROM schedules WHERE kind LIKE 'launches.%'")) > 10
    # The same submission again (a retry, a double click): still one launch.
    again = pat.submit(launch_values(ws, **{Block.GOALS: [str(existing)]}), view=view)
    assert again.status == 200 and again.response_action == "update"
    assert int(scalar(url, "SELECT count(*) FROM launches")) == 1

    # The launch's message: the name escaped, both leads, both phases, the metrics, the buttons.
    posted = launch_message(bot)
    text = mrkdwn(posted)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in posted.text
    assert ws.user_id("pat") in text and ws.user_id("mia") in text
    assert "Beta" in text and "GA" in text and "Lift trial-to-paid" in text and "in 35 days" in text
    buttons = {e["action_id"]: e for b in posted.blocks or [] if b["type"] == "actions" for e in b["elements"]}
    assert buttons[Action.OPEN_CHECKLIST]["value"] == str(launch_id)
    assert buttons[Action.OPEN_MOVE]["value"] == str(launch_id)

    # /launch list: dates, leads, readiness, a link to the message.
    wait_outbox_settled(emulator, url)
    listed = pat.command("/launch", "list")
    body = json.dumps(listed.json)
    assert f"launch {launch_id}" in body and "&lt;!channel&gt;" in body and "<!channel>" not in body
    assert ws.channel_id(CHANNEL) in body and posted.ts.replace(".", "") in body and "0/" in body

    # Edit: pre-filled; asha takes over marketing (and mia's open items); GA renamed.
    pat.command("/launch", f"edit {launch_id}")
    edit = pat.modal(callback_id=Callback.EDIT)
    shown = blocks_by_id(edit)
    assert shown[Block.MARKETING_LEAD]["element"]["initial_user"] == ws.user_id("mia")
    assert shown[phase_block(2, "name")]["element"]["initial_value"] == "GA"
    assert phase_block(1, "date") not in shown and Block.CHANNEL not in shown
    assert {o["value"] for o in shown[Block.GOALS]["element"]["initial_options"]} == {str(existing), str(new_goal)}
    mia_items = int(scalar(url, "SELECT count(*) FROM launch_items WHERE owner_id = :u", u=ws.user_id("mia")))
    assert mia_items > 0
    ack = pat.submit({Block.MARKETING_LEAD: ws.user_id("asha"), phase_block(2, "name"): "General availability"},
                     view=edit)  # fmt: skip
    assert ack.status == 200 and ack.response_action == "update", ack.body
    emulator.wait_for(
        lambda: "General availability" in json.dumps(emulator.message(CHANNEL, posted.ts).blocks), what="the edit"
    )
    assert ws.user_id("asha") in mrkdwn(emulator.message(CHANNEL, posted.ts))
    assert int(scalar(url, "SELECT count(*) FROM launch_items WHERE owner_id = :u", u=ws.user_id("mia"))) == 0
    assert int(scalar(url, "SELECT count(*) FROM launch_items WHERE owner_id = :u", u=ws.user_id("asha"))) == mia_items
    assert len([m for m in emulator.messages_in(CHANNEL) if m.text.startswith("Launch")]) == 1

    # Someone who leads nothing may not change or cancel it; a garbled number gets the usage.
    for verb in ("edit", "cancel"):
        refused_ack = max_.command("/launch", f"{verb} {launch_id}")
        assert "Only the launch's two leads" in said(bot, refused_ack, max_.id), verb
    garbled = pat.command("/launch", "edit soon")
    assert "Which launch?" in said(bot, garbled, pat.id)
    missing = pat.command("/launch", "cancel 9999")
    assert "can't find that launch" in said(bot, missing, pat.id)

    # Cancel (the marketing lead): confirmation, every timer gone, the message says so, pat told once.
    asha.command("/launch", f"cancel {launch_id}")
    confirm = asha.modal(callback_id=Callback.CANCEL)
    ack = asha.submit(view=confirm)
    assert ack.status == 200 and ack.response_action == "update", ack.body
    assert "Launch cancelled" in json.dumps(ack.json)
    emulator.wait_for(
        lambda: "was cancelled" in json.dumps(emulator.message(CHANNEL, posted.ts).blocks), what="cancelled"
    )
    assert scalar(url, "SELECT status FROM launches") == "cancelled"
    assert int(scalar(url, "SELECT count(*) FROM schedules WHERE kind LIKE 'launches.%'")) == 0
    dm = pat.wait_for_dm()
    assert "was cancelled" in mrkdwn(dm) and "&lt;!channel&gt;" in mrkdwn(dm)
    again = asha.submit(view=confirm)  # the confirmation sent twice: told it is cancelled, no second DM
    assert "cancelled" in json.dumps(again.json)
    wait_outbox_settled(emulator, url)
    assert len(pat.dms) == 1 and not asha.dms and not mia.dms
    assert int(scalar(url, "SELECT count(*) FROM launch_notices")) == 1
    listed = pat.command("/launch", "list")
    assert "No launches yet" in listed.body
    gone = pat.command("/launch", f"edit {launch_id}")
    assert "cancelled" in said(bot, gone, pat.id)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_launch_help_and_a_full_launch(bot: BotUnderTest) -> None:
    emulator, ws, url = bot.emulator, bot.emulator.workspace, bot.database_url
    bot.set_now(NOW)
    pat = bot.user("pat")
    helped = pat.command("/launch", "help")
    assert "/launch new" in helped.text and "/launch cancel" in helped.text and "checklist" in helped.text
    unknown = pat.command("/launch", "explode")
    assert "I don't know" in unknown.text

    # A full launch: one date, no goals yet (the metrics say so); a date in the past is refused.
    pat.command("/launch", "")  # the bare command opens the modal
    view = pat.modal(callback_id=Callback.CREATE)
    assert Block.GOALS not in blocks_by_id(view) and "No shared goals yet" in json.dumps(view.blocks)
    values = {
        Block.NAME: "Reports v2", Block.WHAT: "New reports for admins.", Block.LAUNCH_DATE: "2026-12-01",
        Block.PRODUCT_LEAD: ws.user_id("max"), Block.MARKETING_LEAD: ws.user_id("asha"),
        Block.CHANNEL: ws.channel_id("random"),
    }  # fmt: skip
    passed = pat.submit(values, view=view)
    assert set(passed.errors) == {Block.LAUNCH_DATE} and "has passed" in passed.errors[Block.LAUNCH_DATE]
    # The bot is not in #random: the channel field says how to fix it.
    not_member = pat.submit({**values, Block.LAUNCH_DATE: "2027-01-11"}, view=view)
    assert set(not_member.errors) == {Block.CHANNEL} and "/invite" in not_member.errors[Block.CHANNEL]
    # A channel shared with another organisation: only with the box ticked (Slack Connect).
    shared = ws.add_channel("acme-globex-launch", members=["pat", "asha"], external_teams=["T0GLOBEX01"]).id
    values = {**values, Block.LAUNCH_DATE: "2027-01-11", Block.CHANNEL: shared}
    unticked = pat.submit(values, view=view)
    assert set(unticked.errors) == {Block.CHANNEL} and "outside your organisation" in unticked.errors[Block.CHANNEL]
    assert int(scalar(url, "SELECT count(*) FROM launches")) == 0
    ack = pat.submit({**values, Block.EXTERNAL: ["post_in_external_channel"]}, view=view)
    assert ack.response_action == "update", ack.body
    assert scalar(url, "SELECT kind FROM launches") == "full"
    assert scalar(url, "SELECT external_confirmed_by FROM launches") == pat.id
    assert scalar(url, "SELECT name FROM launch_phases") == "Launch"
    posted = emulator.wait_for(lambda: emulator.messages_in(shared), what="the launch in the shared channel")[0]
    assert "Launch day" in mrkdwn(posted) and "Full launch" in mrkdwn(posted)

    # Editing, a new goal from the pushed form becomes a success metric too.
    launch_id = int(scalar(url, "SELECT id FROM launches"))
    pat.command("/launch", f"edit {launch_id}")
    edit = pat.modal(callback_id=Callback.EDIT)
    assert Block.GOALS not in blocks_by_id(edit)  # still no goal to pick
    pat.click(Action.NEW_GOAL, in_modal=True)
    ack = pat.submit(goal_values(ws, **{GoalBlock.TITLE: "Report adoption"}), callback_id=Callback.NEW_GOAL)
    assert ack.status == 200 and not ack.errors, ack.body
    edit = emulator.wait_for(
        lambda: (v := pat.modal(callback_id=Callback.EDIT)) and Block.NEW_GOALS in blocks_by_id(v) and v,
        what="the new goal in the edit modal",
    )
    assert "Report adoption" in blocks_by_id(edit)[Block.NEW_GOALS]["text"]["text"]
    ack = pat.submit(view=edit)
    assert ack.response_action == "update", ack.body
    goal_id = int(scalar(url, "SELECT id FROM goals WHERE title = 'Report adoption'"))
    assert int(scalar(url, "SELECT goal_id FROM launch_goals WHERE launch_id = :l", l=launch_id)) == goal_id
    emulator.wait_for(lambda: "Report adoption" in mrkdwn(emulator.message(shared, posted.ts)), what="the metric")
    assert emulator.take_violations() == []
