"""End to end: go/no-go, moving a date and launch day through the real bot (HTTP mode), the Slack
emulator and ``tandem tick --now`` at chosen instants, on SQLite and PostgreSQL, across the
European change to summer time (2027-03-28).

A staggered launch led by Max (product, Europe/Berlin) and Mia (marketing, America/Los_Angeles),
made by Max: Beta on Monday 2027-03-22, GA on Monday 2027-04-05. It is created with
``bot.launches.plan.create_launch`` in the bot's database (the ``/launch new`` modal is another
branch's work); everything after that goes through Slack as the leads would click.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.launches import plan
from bot.launches.data import LaunchInput, PhaseInput
from bot.launches.ids import Action, Block, ItemStatus, LaunchKind, LaunchStatus
from bot.launches.models import Launch, LaunchItem, LaunchPhase
from bot.playground.workspace_state import Message
from tests.launches.e2e_helpers import WAIT, EmulatorDirectory, database, outbox_settled, text_of, tick, wait
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

CREATED = "2027-03-01T12:00:00Z"  # a Monday
# T-1 of Beta, Sunday 2027-03-21 09:00: Berlin is still CET (UTC+1), Los Angeles already PDT (UTC-7).
BERLIN_T_MINUS_1 = "2027-03-21T08:00:00Z"
LA_T_MINUS_1 = "2027-03-21T16:00:00Z"
OLD_BETA_DAY = "2027-03-22T08:00:00Z"  # 09:00 CET on the date Beta had before it moved
# After the move a week later: T-1 is Sunday 2027-03-28, the day Berlin goes to CEST (UTC+2).
BERLIN_NEW_T_MINUS_1 = "2027-03-28T07:00:00Z"
NEW_BETA_DAY = "2027-03-29T07:00:00Z"  # 09:00 CEST in Berlin, the launch's zone


@pytest.fixture
def bot_options() -> dict[str, Any]:
    return {}


def gonogo_dms(who: Any) -> list[Message]:
    return [m for m in who.dms if "Go or no-go" in text_of(m)]


def moved_dms(who: Any) -> list[Message]:
    return [m for m in who.dms if "new dates" in text_of(m)]


def create_launch(bot: BotUnderTest, product: str, marketing: str, channel: str) -> int:
    bot.set_now(CREATED)
    now = datetime.fromisoformat(CREATED)
    data = LaunchInput(
        name="Shared inbox",
        what="Shared inboxes for support teams.",
        kind=LaunchKind.STAGGERED,
        phases=(
            PhaseInput("Beta", date(2027, 3, 22), "50 design partners"),
            PhaseInput("GA", date(2027, 4, 5), "every Team plan workspace"),
        ),
        product_lead=product,
        marketing_lead=marketing,
        channel_id=channel,
    )
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            launch = plan.create_launch(
                session, team_id=bot.emulator.workspace.team_id, data=data, created_by=product, today=now.date(),
                now=now, directory=EmulatorDirectory(bot.emulator.workspace), creator_tz="Europe/Berlin",
            )  # fmt: skip
            return launch.id
    finally:
        db.dispose()


def plan_dates(bot: BotUnderTest, launch_id: int) -> tuple[list[date], dict[int, tuple[int, date, str, str]]]:
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            phases = session.scalars(
                select(LaunchPhase).where(LaunchPhase.launch_id == launch_id).order_by(LaunchPhase.position)
            ).all()
            items = session.scalars(select(LaunchItem).where(LaunchItem.launch_id == launch_id)).all()
            return [p.launch_on for p in phases], {i.id: (i.phase_id, i.due_on, i.owner_id, i.status) for i in items}
    finally:
        db.dispose()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_no_go_at_t_minus_1_moves_the_plan_a_week_and_launch_day_ships_it(bot: BotUnderTest) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    maxi, mia, pat = bot.user("max"), bot.user("mia"), bot.user("pat")
    assert (ws.users[maxi.id].tz, ws.users[mia.id].tz) == ("Europe/Berlin", "America/Los_Angeles")

    launch_id = create_launch(bot, maxi.id, mia.id, channel)
    tick(bot, CREATED)
    root = wait(em, lambda: em.messages_in(channel), what="the launch's message")[0].ts
    _, items_before = plan_dates(bot, launch_id)

    # --- T-1 09:00 in each lead's zone: one go/no-go DM each, in their own morning -------------
    tick(bot, "2027-03-21T07:59:00Z")
    assert gonogo_dms(maxi) == [] and gonogo_dms(mia) == []
    tick(bot, BERLIN_T_MINUS_1)
    assert len(gonogo_dms(maxi)) == 1 and gonogo_dms(mia) == []
    assert "Beta" in text_of(gonogo_dms(maxi)[0])
    tick(bot, LA_T_MINUS_1)
    tick(bot, "2027-03-21T16:05:00Z")  # a later tick sends nothing again
    assert len(gonogo_dms(maxi)) == 1 and len(gonogo_dms(mia)) == 1

    # --- Mia says no-go: a reason is required; both DMs and the launch message show it ----------
    mia_dm, max_dm = gonogo_dms(mia)[0], gonogo_dms(maxi)[0]
    mia.click(Action.NO_GO, message=mia_dm)
    mia.modal(callback_id="launch_decision", timeout=WAIT)
    ack = mia.submit({Block.DECISION_REASON: None}, callback_id="launch_decision")
    assert ack.status == 200 and Block.DECISION_REASON in ack.errors, ack.body
    ack = mia.submit({Block.DECISION_REASON: "Docs aren't ready <!channel>"}, callback_id="launch_decision")
    assert ack.status == 200 and not ack.errors, ack.body
    said = f"<@{mia.id}> said no-go"
    wait(em, lambda: said in text_of(em.message(mia_dm.channel, mia_dm.ts)), what="Mia's DM updated")
    wait(em, lambda: said in text_of(em.message(max_dm.channel, max_dm.ts)), what="Max's DM updated")
    wait(em, lambda: "no-go: Docs" in text_of(em.message(channel, root)), what="the message shows the no-go")
    wait(em, lambda: outbox_settled(bot), what="outbox drained")
    shown = text_of(em.message(channel, root))
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown
    assert len(em.messages_in(channel)) == 1  # updated in place, nothing new in the channel

    # Pat (not a lead) cannot move it: one friendly line, no modal.
    ack = pat.command("/launch", f"move {launch_id}")
    assert ack.status == 200
    wait(em, lambda: any("Only the launch's two leads" in str(e) for e in pat.ephemerals), what="only leads")
    assert em.views_opened(pat.id) == []
    pat.command("/launch", "move soon")
    wait(em, lambda: any("/launch move" in str(e) for e in pat.ephemerals), what="usage line")

    # --- "Move the date" on the no-go DM: the modal starts on Beta; a week later ----------------
    mia.click(Action.MOVE_PHASE, message=em.message(mia_dm.channel, mia_dm.ts))
    modal = mia.modal(callback_id="launches_move", timeout=WAIT)
    assert '"initial_date": "2027-03-22"' in json.dumps(modal.blocks)
    ack = mia.submit({Block.MOVE_DATE: "2027-03-01"}, callback_id="launches_move")  # passed
    assert "has passed" in ack.errors.get(Block.MOVE_DATE, ""), ack.body
    week_later = {Block.MOVE_DATE: "2027-03-29", Block.MOVE_REASON: "Docs need a week"}
    ack = mia.submit(week_later, callback_id="launches_move")
    assert ack.status == 200 and not ack.errors, ack.body
    wait(em, lambda: len(moved_dms(maxi)) == 1 and len(moved_dms(mia)) == 1, what="one DM per owner")
    wait(em, lambda: outbox_settled(bot), what="outbox drained")
    dates, items_after = plan_dates(bot, launch_id)
    assert dates == [date(2027, 3, 29), date(2027, 4, 12)]
    for item_id, (_phase, due_on, _owner, status) in items_before.items():
        assert status == ItemStatus.OPEN
        assert items_after[item_id][1] == date.fromordinal(due_on.toordinal() + 7), item_id
    assert "Docs and release notes" in text_of(moved_dms(maxi)[0])
    assert "Docs need a week" in text_of(moved_dms(mia)[0])
    assert any("moved from" in text_of(reply) for reply in em.thread(channel, root))
    assert "no-go" not in text_of(em.message(channel, root))  # the decision was about the old date

    # --- The old dates pass quietly; the go/no-go is asked again for the new date (after the
    # change to CEST: 09:00 in Berlin is 07:00 UTC) -----------------------------------------------
    tick(bot, OLD_BETA_DAY)
    assert "shipped" not in text_of(em.message(channel, root))
    tick(bot, "2027-03-28T06:59:00Z")
    assert gonogo_dms(maxi) == []  # the first one now shows the no-go
    tick(bot, BERLIN_NEW_T_MINUS_1)
    assert len(gonogo_dms(maxi)) == 1 and "Beta" in text_of(gonogo_dms(maxi)[0])
    assert gonogo_dms(maxi)[0].ts != max_dm.ts  # a new DM, for the new date

    # --- Launch day at the new date, 09:00 CEST: Beta shipped; no DMs, no @channel --------------
    dms_before = (len(maxi.dms), len(mia.dms))
    tick(bot, "2027-03-29T06:59:00Z")
    assert "shipped" not in text_of(em.message(channel, root))
    tick(bot, NEW_BETA_DAY)
    wait(em, lambda: "🚀 shipped" in text_of(em.message(channel, root)), what="Beta shipped in the message")
    assert any("Beta shipped today" in text_of(reply) for reply in em.thread(channel, root))
    assert (len(maxi.dms), len(mia.dms)) == dms_before
    assert all("<!channel>" not in text_of(m) and "<!here>" not in text_of(m) for m in em.thread(channel, root))
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            launch = session.get(Launch, launch_id)
            assert launch is not None and launch.status == LaunchStatus.PLANNED  # GA is still ahead
            assert [p.shipped_at is not None for p in launch.phases] == [True, False]
    finally:
        db.dispose()
    assert em.take_violations() == []


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_move_a_date_from_the_message_or_the_command_and_a_go_without_a_reason(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    maxi, mia = bot.user("max"), bot.user("mia")
    launch_id = create_launch(bot, maxi.id, mia.id, channel)
    tick(bot, CREATED)
    message = wait(em, lambda: em.messages_in(channel), what="the launch's message")[0]

    # /launch move <id> (a lead): the modal picks among the two phases, starting on Beta.
    bot.set_now("2027-03-10T09:00:00Z")
    ack = maxi.command("/launch", f"move {launch_id}")
    assert ack.status == 200
    modal = maxi.modal(callback_id="launches_move", timeout=WAIT)
    shown = json.dumps(modal.blocks)
    assert Block.MOVE_PHASE in shown and '"initial_date": "2027-03-22"' in shown
    maxi.close_modal(view=modal)

    # "Move a date" on the launch message (the button the message renders: value = launch id).
    button = {"type": "button", "action_id": Action.OPEN_MOVE, "block_id": "launch_actions", "value": str(launch_id)}
    ack = bot.driver.block_actions(user=maxi.id, actions=[button], message=message)
    assert ack.status == 200
    modal = maxi.modal(callback_id="launches_move", timeout=WAIT)
    phases = next(b for b in modal.blocks if b.get("block_id") == Block.MOVE_PHASE)["element"]["options"]
    ga = next(o["value"] for o in phases if o["text"]["text"].startswith("GA"))
    ack = maxi.submit({Block.MOVE_PHASE: ga, Block.MOVE_DATE: "2027-03-22"}, callback_id="launches_move")
    assert "on or before the one before it" in ack.errors.get(Block.MOVE_DATE, ""), ack.body
    ack = maxi.submit({Block.MOVE_PHASE: ga, Block.MOVE_DATE: "2027-04-12"}, callback_id="launches_move")
    assert ack.status == 200 and not ack.errors, ack.body
    dates, _ = plan_dates(bot, launch_id)
    assert dates == [date(2027, 3, 22), date(2027, 4, 12)]  # Beta stays, GA a week later
    tick(bot, "2027-03-10T09:01:00Z")  # drains the DMs
    # GA's items: the audience, go/no-go and announcement (Mia, Max, Mia), the metrics and retro (Max).
    assert len(moved_dms(maxi)) == 1 and len(moved_dms(mia)) == 1
    assert "GA" in text_of(moved_dms(mia)[0]) and "Beta" not in text_of(moved_dms(mia)[0])

    # --- T-1 of Beta: Max says go without a reason; both DMs and the message show it -----------
    tick(bot, BERLIN_T_MINUS_1)
    tick(bot, LA_T_MINUS_1)
    max_dm, mia_dm = gonogo_dms(maxi)[0], gonogo_dms(mia)[0]
    buttons = [e for b in max_dm.blocks or [] if b.get("type") == "actions" for e in b["elements"]]
    phase_id = next(e["value"] for e in buttons if e["action_id"] == Action.GO)
    maxi.click(Action.GO, message=max_dm)
    maxi.modal(callback_id="launch_decision", timeout=WAIT)
    ack = maxi.submit({Block.DECISION_REASON: None}, callback_id="launch_decision")
    assert ack.status == 200 and not ack.errors, ack.body
    tick(bot, "2027-03-21T16:01:00Z")  # drains the updates
    for dm in (max_dm, mia_dm):
        assert f"<@{maxi.id}> said go" in text_of(em.message(dm.channel, dm.ts))
    assert "✅ go" in text_of(em.message(channel, message.ts))
    # Someone who is not a lead sending the Go button's click (a forwarded payload) is refused politely.
    pat = bot.user("pat")
    go = {"type": "button", "action_id": Action.GO, "block_id": Block.DECISION_ACTIONS, "value": phase_id}
    bot.driver.block_actions(user=pat.id, actions=[go], message=message)
    wait(em, lambda: any("Only the launch's two leads" in str(e) for e in pat.ephemerals), what="only leads")
    assert em.take_violations() == []
