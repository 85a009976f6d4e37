"""Issue #16's "done when", in one story through the real bot (HTTP mode, signed requests, the
Slack emulator, ``tandem tick --now`` at chosen instants), on SQLite and PostgreSQL.

Pat (product lead, America/New_York) plans a staggered launch with Mia (marketing lead,
America/Los_Angeles) through the ``/launch new`` modal: Beta on Monday 2027-01-11 and GA on
Monday 2027-02-01, with one existing shared goal and one made on the spot from the /goal form
pushed on top. Items come due and their owners get one DM each at 09:00 in their own zone; an
overdue item reaches the two leads once each, never the channel; at T-1 Mia says no-go and moves
Beta a week, and every open item, GA and the launch retro move with it; launch day comes on the
new dates, the T+7 check-in of the success metrics reaches each owner at the goal's time in their
zone (the one already answered is not asked again), and the launch retro opens on the plan's new
date with the metrics against their targets and the items that were late.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.goals.ids import Action as GoalAction
from bot.goals.ids import Block as GoalBlock
from bot.goals.ids import Callback as GoalCallback
from bot.launches.ids import Action, Block, Callback
from bot.playground.workspace_state import Message
from tests.goals.test_e2e_goal_command import goal_values
from tests.hardening.helpers import scalar, wait_outbox_settled
from tests.launches.e2e_helpers import WAIT, text_of, tick
from tests.launches.test_e2e_launch_command import blocks_by_id, choose_kind, launch_message, launch_values
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

CHANNEL = "product-marketing"
CREATED = "2026-12-07T14:00:00Z"  # Monday, 09:00 in New York
# 09:00 is 14:00 UTC in New York (EST) and 17:00 UTC in Los Angeles (PST) all winter.
NY, LA = "T14:00:00Z", "T17:00:00Z"


def due_dms(who: Any, title: str = "") -> list[Message]:
    return [m for m in who.dms if m.text.startswith("Due today for") and title in m.text]


def overdue_dms(who: Any, title: str = "") -> list[Message]:
    return [m for m in who.dms if m.text.startswith("Overdue for") and title in m.text]


def gonogo_dms(who: Any) -> list[Message]:
    return [m for m in who.dms if "Go or no-go" in text_of(m)]


def moved_dms(who: Any) -> list[Message]:
    return [m for m in who.dms if "new dates" in text_of(m)]


def checkin_dms(who: Any, title: str = "") -> list[Message]:
    return [m for m in who.dms if m.text.startswith("Check in on the goal:") and title in m.text]


def item_dates(bot: BotUnderTest, launch_id: int) -> dict[str, tuple[date, str]]:
    """Each item's due date and status, by title (titles are unique in this plan)."""
    rows = scalar(
        bot.database_url,
        f"SELECT {'string_agg' if 'postgres' in bot.database_url else 'group_concat'}"
        f"(title || '|' || CAST(due_on AS TEXT) || '|' || status, '\n') "
        f"FROM launch_items WHERE launch_id = {launch_id}",
    )
    parsed = (line.split("|") for line in str(rows).split("\n"))
    return {title: (date.fromisoformat(due), status) for title, due, status in parsed}


def phase_dates(bot: BotUnderTest, launch_id: int) -> list[date]:
    rows = scalar(
        bot.database_url,
        f"SELECT {'string_agg' if 'postgres' in bot.database_url else 'group_concat'}(CAST(launch_on AS TEXT), ',') "
        f"FROM (SELECT launch_on FROM launch_phases WHERE launch_id = {launch_id} ORDER BY position) AS p",
    )
    return sorted(date.fromisoformat(d) for d in str(rows).split(","))


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_staggered_launch_from_the_modal_to_its_retro(bot: BotUnderTest) -> None:
    em, ws, url = bot.emulator, bot.emulator.workspace, bot.database_url
    pat, mia = bot.user("pat"), bot.user("mia")
    assert (ws.users[pat.id].tz, ws.users[mia.id].tz) == ("America/New_York", "America/Los_Angeles")
    bot.set_now(CREATED)
    # The goals check in monthly on the first Thursday at 09:30: never on the dates below, so every
    # check-in DM of this story is the launch's.
    cadence = {GoalBlock.CADENCE: "monthly", GoalBlock.WEEKDAY: "3", GoalBlock.TIME: "09:30"}
    owners = {GoalBlock.PRODUCT_OWNERS: [pat.id], GoalBlock.MARKETING_OWNERS: [mia.id]}

    # --- An existing shared goal, then the launch through the modal with a new goal ------------
    pat.command("/goal", "new", channel=CHANNEL)
    ack = pat.submit(
        goal_values(ws, **{GoalBlock.TITLE: "Lift trial-to-paid"}, **owners, **cadence), callback_id=GoalCallback.CREATE
    )
    assert ack.response_action == "update", ack.body
    existing = int(scalar(url, "SELECT id FROM goals"))

    assert pat.command("/launch", "new", channel=CHANNEL).status == 200
    view = pat.modal(callback_id=Callback.CREATE)
    view = choose_kind(bot, pat, view, "staggered", {Block.NAME: "Shared inbox"})
    button = {"type": "button", "action_id": Action.NEW_GOAL, "block_id": Block.GOAL_ACTIONS, "text": {}}
    typed = pat.fill(view, {Block.NAME: "Shared inbox"})
    assert bot.driver.block_actions(user=pat.id, actions=[button], view=view, state=typed).status == 200
    goal_form = pat.modal(callback_id=Callback.NEW_GOAL)
    new_goal_values = goal_values(
        ws, **{GoalBlock.TITLE: "Beta activation", GoalBlock.METRIC: "Activated beta workspaces",
               GoalBlock.UNIT: "count", GoalBlock.BASELINE: "0", GoalBlock.TARGET: "40"},
        **owners, **cadence,
    )  # fmt: skip
    ack = pat.submit(new_goal_values, view=goal_form)
    assert ack.status == 200 and not ack.errors, ack.body
    new_goal = int(scalar(url, "SELECT id FROM goals WHERE title = 'Beta activation'"))
    view = em.wait_for(
        lambda: (v := pat.modal(callback_id=Callback.CREATE)) and Block.NEW_GOALS in blocks_by_id(v) and v,
        WAIT,
        "the new goal picked in the launch modal",
    )
    values = launch_values(ws, **{Block.NAME: "Shared inbox", Block.GOALS: [str(existing)]})
    ack = pat.submit(values, view=view)
    assert ack.status == 200 and ack.response_action == "update", ack.body
    launch_id = int(scalar(url, "SELECT id FROM launches"))
    linked = {int(scalar(url, f"SELECT count(*) FROM launch_goals WHERE goal_id = {g}")) for g in (existing, new_goal)}
    assert linked == {1} and int(scalar(url, "SELECT count(*) FROM launch_goals")) == 2
    root = launch_message(bot)
    before = item_dates(bot, launch_id)
    assert before["Positioning and messaging agreed"] == (date(2026, 12, 21), "open")  # T-21 of Beta
    assert before["Launch retro"] == (date(2027, 2, 15), "open")  # T+14 of GA

    # --- Items come due: one DM to the owner at 09:00 in their zone, however often we tick -----
    tick(bot, "2026-12-21T13:59:00Z")
    assert due_dms(pat) == []
    tick(bot, "2026-12-21" + NY)
    tick(bot, "2026-12-21T14:05:00Z")
    assert [m.text for m in due_dms(pat)] == ["Due today for Shared inbox: Positioning and messaging agreed"]
    assert due_dms(mia) == []
    pat.click(Action.ITEM_DONE, message=due_dms(pat)[0])
    em.wait_for(lambda: "Done by" in text_of(em.message(due_dms(pat)[0].channel, due_dms(pat)[0].ts)), WAIT, "done")

    tick(bot, "2026-12-28" + NY)  # pricing, Pat's; he lets it slip
    assert len(due_dms(pat, "Pricing and packaging confirmed")) == 1

    # --- Overdue by a whole working day (Tuesday 29th): raised once to each lead on Wednesday ---
    tick(bot, "2026-12-30" + NY)
    assert len(overdue_dms(pat, "Pricing")) == 1 and overdue_dms(mia) == []  # Los Angeles: 06:00
    tick(bot, "2026-12-30" + LA)
    tick(bot, "2026-12-31" + LA)
    assert len(overdue_dms(pat, "Pricing")) == 1 and len(overdue_dms(mia, "Pricing")) == 1
    assert not any("Overdue" in text_of(m) for m in em.messages_in(CHANNEL))  # never in the channel
    pat.click(Action.ITEM_DONE, message=overdue_dms(pat, "Pricing")[0])  # done, late
    em.wait_for(lambda: scalar(url, "SELECT status FROM launch_items WHERE title LIKE 'Pricing%'") == "done", WAIT, "")

    tick(bot, "2027-01-01" + LA)  # sales enablement, Mia's: her DM at 09:00 in Los Angeles
    assert len(due_dms(mia, "Sales enablement ready")) == 1

    # --- T-1 of Beta: each lead asked go or no-go at 09:00 their time; Mia says no-go -----------
    tick(bot, "2027-01-10" + NY)
    assert len(gonogo_dms(pat)) == 1 and gonogo_dms(mia) == []
    tick(bot, "2027-01-10" + LA)
    assert len(gonogo_dms(pat)) == 1 and len(gonogo_dms(mia)) == 1
    asked = gonogo_dms(mia)[0]
    mia.click(Action.NO_GO, message=asked)
    mia.modal(callback_id="launch_decision", timeout=WAIT)
    ack = mia.submit({Block.DECISION_REASON: "Docs aren't ready"}, callback_id="launch_decision")
    assert ack.status == 200 and not ack.errors, ack.body
    em.wait_for(lambda: "no-go: Docs" in text_of(em.message(CHANNEL, root.ts)), WAIT, "the no-go in the message")

    # "Move the date" on her DM: Beta a week later. GA, every open item and the retro follow.
    em.wait_for(lambda: Action.MOVE_PHASE in text_of(em.message(asked.channel, asked.ts)), WAIT, "her DM offers a move")
    mia.click(Action.MOVE_PHASE, message=em.message(asked.channel, asked.ts))
    mia.modal(callback_id="launches_move", timeout=WAIT)
    ack = mia.submit(
        {Block.MOVE_DATE: "2027-01-18", Block.MOVE_REASON: "Docs need a week"}, callback_id="launches_move"
    )
    assert ack.status == 200 and not ack.errors, ack.body
    em.wait_for(lambda: len(moved_dms(pat)) == 1 and len(moved_dms(mia)) == 1, WAIT, "one DM per owner")
    wait_outbox_settled(em, url)
    assert phase_dates(bot, launch_id) == [date(2027, 1, 18), date(2027, 2, 8)]
    after = item_dates(bot, launch_id)
    for title, (due_on, _status) in before.items():
        if title in ("Positioning and messaging agreed", "Pricing and packaging confirmed"):
            assert after[title] == (due_on, "done"), title  # done: they keep their dates
        else:
            assert after[title][0] == date.fromordinal(due_on.toordinal() + 7), title
    assert after["Launch retro"][0] == date(2027, 2, 22)
    assert len(moved_dms(pat)) == 1 and len(moved_dms(mia)) == 1

    # --- Launch days: the old date passes quietly, the new ones ship (09:00 New York) -----------
    tick(bot, "2027-01-11" + NY)
    assert "shipped" not in text_of(em.message(CHANNEL, root.ts))
    tick(bot, "2027-01-18" + NY)
    em.wait_for(lambda: "🚀 shipped" in text_of(em.message(CHANNEL, root.ts)), WAIT, "Beta shipped")
    assert scalar(url, "SELECT status FROM launches") == "planned"  # GA is still ahead
    tick(bot, "2027-02-08" + NY)
    em.wait_for(lambda: scalar(url, "SELECT status FROM launches") == "shipped", WAIT, "GA shipped")
    assert "— shipped" in text_of(em.message(CHANNEL, root.ts))
    assert len([m for m in em.messages_in(CHANNEL) if m.text.startswith("Launch")]) == 1  # updated in place

    # --- T+7 of GA (Monday 15 Feb): the metrics' check-in at 09:30 in each owner's zone ----------
    # (The retro's old date is today too: it does not open.)
    tick(bot, "2027-02-15T14:29:00Z")
    assert checkin_dms(pat) == []
    tick(bot, "2027-02-15T14:30:00Z")
    assert len(checkin_dms(pat, "Lift trial-to-paid")) == 1 and len(checkin_dms(pat, "Beta activation")) == 1
    assert checkin_dms(mia) == []  # 06:30 in Los Angeles
    pat.click(GoalAction.UPDATE, message=checkin_dms(pat, "Lift trial-to-paid")[0])
    pat.modal(callback_id=GoalCallback.CHECKIN, timeout=WAIT)
    ack = pat.submit(
        {GoalBlock.VALUE: "5.1", GoalBlock.CONFIDENCE: "on_track", GoalBlock.NOTE: "Beta converts"},
        callback_id=GoalCallback.CHECKIN,
    )
    assert ack.status == 200 and not ack.errors, ack.body
    wait_outbox_settled(em, url)
    tick(bot, "2027-02-15T15:00:00Z")
    assert not any(m.text.startswith("Launch retro") or "Launch retro:" in m.text for m in em.messages_in(CHANNEL))
    tick(bot, "2027-02-15T17:30:00Z")
    # Mia: the goal Pat answered is not asked again; the other one is.
    assert checkin_dms(mia, "Lift trial-to-paid") == [] and len(checkin_dms(mia, "Beta activation")) == 1

    # --- The launch retro opens on the plan's new date, 10:00 New York, with its brief -----------
    tick(bot, "2027-02-22" + NY)  # 09:00: the brief is written, nothing posted yet
    assert not any("Launch retro:" in m.text for m in em.messages_in(CHANNEL))
    tick(bot, "2027-02-22T15:00:00Z")
    retro = em.wait_for(
        lambda: [m for m in em.messages_in(CHANNEL) if "Launch retro: Shared inbox" in m.text], WAIT, "the retro"
    )[0]
    shown = text_of(retro)
    assert "5.1% against a target of 6%" in shown  # the metric against its target
    assert "Pricing and packaging confirmed (Product) — due 2026-12-28, done late" in shown
    assert "Beta activation" in shown

    # Nobody was @-mentioned in the channel, and Slack's rules held throughout.
    assert all("<!channel>" not in text_of(m) and "<!here>" not in text_of(m) for m in em.messages_in(CHANNEL))
    assert em.take_violations() == []
