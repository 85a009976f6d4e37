"""End to end after a launch, through the real bot (HTTP mode), the Slack emulator and ``tandem
tick --now`` at chosen instants, on SQLite and PostgreSQL.

A full launch on Wednesday 2027-03-03 planned from New York (Pat leads product, Mia marketing),
its success metric a goal owned by Max (Europe/Berlin) and Asha (Asia/Kolkata). The goal and the
launch are made with ``bot.goals.setup.create_goal`` / ``bot.launches.plan.create_launch`` in the
bot's database (the ``/launch`` modal is another branch's work); everything after that goes
through Slack as people would click:

- T+7 (Wednesday 2027-03-10) at the goal's 09:30 in each owner's zone: Asha (04:00 UTC) gets her
  check-in DM first and answers it; Max (08:30 UTC) is then not asked: one round, answered.
- T+14 (Wednesday 2027-03-17, after the US clock change of 2027-03-14, New York on EDT): the brief
  is written at 09:00 New York (13:00 UTC) and the launch retro opens at 10:00 (14:00 UTC) with
  the metric against its target, the late and dropped items and the insight since the launch.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
from sqlalchemy import select

from bot.goals import setup as goal_setup
from bot.goals.ids import Action as GoalAction
from bot.goals.ids import Block as GoalBlock
from bot.goals.ids import CheckinCadence
from bot.goals.models import GoalPrompt, GoalRound
from bot.insights.models import Insight
from bot.launches import plan, retro_link
from bot.launches.data import LaunchInput, PhaseInput
from bot.launches.ids import ItemStatus, LaunchKind
from bot.launches.models import Launch
from bot.retro.models import RetroSeries
from tests.goals.conftest import goal_input
from tests.launches.e2e_helpers import WAIT, EmulatorDirectory, database, outbox_settled, text_of, tick, wait
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

CREATED = "2027-02-17T15:00:00Z"  # Wednesday, 10:00 in New York
LAUNCH_ON = date(2027, 3, 3)
KOLKATA_0930_T7 = "2027-03-10T04:00:00Z"  # 09:30 IST (UTC+5:30)
BERLIN_0930_T7 = "2027-03-10T08:30:00Z"  # 09:30 CET (UTC+1)
NEW_YORK_0900_T14 = "2027-03-17T13:00:00Z"  # 09:00 EDT (UTC-4): the brief
NEW_YORK_1000_T14 = "2027-03-17T14:00:00Z"  # 10:00 EDT: the retro opens


def seed_launch(bot: BotUnderTest, *, product_lead: str, marketing_lead: str, owners: tuple[str, str]) -> int:
    """The goal and the launch, made in the bot's database as the /goal and /launch modals would."""
    ws = bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    now = datetime.fromisoformat(CREATED)
    directory = EmulatorDirectory(ws)
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            goal = goal_setup.create_goal(
                session, team_id=ws.team_id,
                data=goal_input(product_owners=(owners[0],), marketing_owners=(owners[1],), channel_id=channel,
                                cadence=CheckinCadence.MONTHLY, local_time=time(9, 30)),
                created_by=product_lead, today=now.date(), now=now, directory=directory,
                creator_tz="America/New_York",
            )  # fmt: skip
            data = LaunchInput(
                name="Shared inbox", what="Shared inboxes for support teams", kind=LaunchKind.FULL,
                phases=(PhaseInput("Launch", LAUNCH_ON, "Team plan"),), product_lead=product_lead,
                marketing_lead=marketing_lead, channel_id=channel, goal_ids=(goal.id,),
            )  # fmt: skip
            launch = plan.create_launch(
                session, team_id=ws.team_id, data=data, created_by=product_lead, today=now.date(), now=now,
                directory=directory, creator_tz="America/New_York",
            )  # fmt: skip
            return launch.id
    finally:
        db.dispose()


def mark_checklist(bot: BotUnderTest, launch_id: int) -> None:
    """What the checklist's buttons would have done by the retro day (another branch's work): the
    docs done late, the sales enablement dropped, everything else done; one insight captured."""
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            launch = session.get(Launch, launch_id)
            assert launch is not None
            for item in launch.items:
                if item.template_key == "docs":
                    item.status, item.was_late = ItemStatus.DONE.value, True
                elif item.template_key == "enablement":
                    item.status = ItemStatus.DROPPED.value
                elif item.template_key != "retro":
                    item.status = ItemStatus.DONE.value
            at = datetime(2027, 3, 5, 16, 0, tzinfo=datetime.fromisoformat(CREATED).tzinfo)
            session.add(
                Insight(
                    team_id=launch.team_id, number=1, text="Support leads love <shared> inboxes", customer="Acme",
                    segment="", source=None, category=None, impact=None, evidence_url="", status="new",
                    status_note="", roadmap_url="", submitted_by=launch.marketing_lead, message_ts=None,
                    created_at=at, updated_at=at,
                )
            )  # fmt: skip
    finally:
        db.dispose()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_t7_check_ins_and_the_launch_retro_with_its_brief_end_to_end(bot: BotUnderTest) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    pat, mia, maxi, asha = bot.user("pat"), bot.user("mia"), bot.user("max"), bot.user("asha")
    assert (ws.users[maxi.id].tz, ws.users[asha.id].tz) == ("Europe/Berlin", "Asia/Kolkata")

    bot.set_now(CREATED)
    launch_id = seed_launch(bot, product_lead=pat.id, marketing_lead=mia.id, owners=(maxi.id, asha.id))
    tick(bot, CREATED)
    posted = wait(em, lambda: len(em.messages_in(channel)) >= 2, what="the goal's and the launch's messages")
    assert posted
    assert any("Shared inbox" in text_of(m) for m in em.messages_in(channel))

    # --- T+7, 09:30 in Kolkata: Asha is asked about the success metric; Berlin is not up yet ----
    tick(bot, KOLKATA_0930_T7)
    assert len(asha.dms) == 1 and maxi.dms == []
    prompt = asha.dms[0]
    assert "Lift trial-to-paid" in text_of(prompt)
    asha.click(GoalAction.UPDATE, message=prompt)
    asha.modal(callback_id="goals_checkin", timeout=WAIT)
    ack = asha.submit({GoalBlock.VALUE: "5.1", GoalBlock.CONFIDENCE: "on_track"}, callback_id="goals_checkin")
    assert ack.status == 200 and not ack.errors, ack.body
    wait(em, lambda: outbox_settled(bot), what="the check-in posted")

    # --- T+7, 09:30 in Berlin: the round is answered, so Max is not asked -----------------------
    tick(bot, BERLIN_0930_T7)
    assert maxi.dms == [] and len(asha.dms) == 1
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            rounds = session.scalars(select(GoalRound)).all()
            assert [(r.due_on, r.status) for r in rounds if r.due_on == date(2027, 3, 10)] == [
                (date(2027, 3, 10), "answered")
            ]
            assert [p.user_id for p in session.scalars(select(GoalPrompt))] == [asha.id]
    finally:
        db.dispose()

    # --- T+14, 09:00 in New York (EDT since Sunday): the brief is written, the retro not open --
    mark_checklist(bot, launch_id)
    before = len(em.messages_in(channel))
    tick(bot, NEW_YORK_0900_T14)
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            launch = session.get(Launch, launch_id)
            assert launch is not None and launch.retro_series_id is not None
            series = session.get(RetroSeries, launch.retro_series_id)
            assert series is not None and series.facilitator_id == pat.id
            titles = [note["title"] for note in series.opening_notes or []]
            assert titles[:3] == ["Success metrics against their targets", "Late on the checklist",
                                  "Dropped from the checklist"]  # fmt: skip
            retro_title = series.title
    finally:
        db.dispose()
    assert len(em.messages_in(channel)) == before  # nothing posted before 10:00

    # --- 10:00 in New York: the launch retro opens with its brief ----------------------------
    tick(bot, NEW_YORK_1000_T14)
    retro = wait(
        em,
        lambda: [m for m in em.messages_in(channel) if "Launch retro: Shared inbox" in m.text],
        what="the launch retro's message",
    )[0]
    shown = text_of(retro)
    assert retro_title == f"Launch retro: Shared inbox (#{launch_id})"
    assert "5.1% against a target of 6%, 55% of the way" in shown
    assert "Docs and release notes (Product) — due 2027-02-24, done late" in shown
    assert "Sales enablement ready (Marketing) — due 2027-02-21, dropped" in shown
    assert "#1 Support leads love &lt;shared&gt; inboxes (Acme)" in shown
    assert shown.index("Success metrics against their targets") < shown.index("Goals and success metrics")
    assert f"<@{pat.id}>" in shown  # the product lead facilitates
    assert not any("Late on the checklist" in text_of(m) for m in pat.dms + mia.dms)  # no DM about the brief


PLANNED = "2027-02-01T15:00:00Z"  # Monday: the launches are planned
LOOKED = "2027-02-24T15:00:00Z"  # Wednesday 10:00 in New York: people look at the Home and the digest


def seed_for_home(bot: BotUnderTest, pat: str, mia: str) -> dict[str, int]:
    """Pat leads product on a launch a week out (its pricing item overdue, its positioning and docs
    done), and
    owns an item of a cancelled one; another workspace's launch names Pat's id too."""
    ws = bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    now = datetime.fromisoformat(PLANNED)
    directory = EmulatorDirectory(ws)
    db = database(bot)

    def make(session: Any, team_id: str, name: str, on: date) -> Launch:
        data = LaunchInput(
            name=name, what="", kind=LaunchKind.FULL, phases=(PhaseInput("Launch", on, ""),), product_lead=pat,
            marketing_lead=mia, channel_id=channel,
        )  # fmt: skip
        return plan.create_launch(
            session, team_id=team_id, data=data, created_by=pat, today=now.date(), now=now, directory=directory,
            creator_tz="America/New_York",
        )  # fmt: skip

    try:
        with db.unit_of_work() as session:
            launch = make(session, ws.team_id, "Shared <inbox>", date(2027, 3, 3))
            items = {i.template_key: i for i in launch.items}
            items["positioning"].status = ItemStatus.DONE.value  # due 2027-02-10: done, not listed
            items["docs"].status = ItemStatus.DONE.value  # due 2027-02-24: done, not listed
            cancelled = make(session, ws.team_id, "Called off", date(2027, 3, 10))
            cancelled.status = "cancelled"
            retro_link.cancel_retro(session, cancelled, now)  # as /launch cancel does
            elsewhere = make(session, "T0ELSEWHERE", "Not ours", date(2027, 3, 3))
            return {
                "launch": launch.id, "pricing": items["pricing"].id, "metrics": items["metrics"].id,
                "docs": items["docs"].id, "campaign": items["campaign"].id, "elsewhere": elsewhere.id,
            }  # fmt: skip
    finally:
        db.dispose()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_the_home_lists_my_launch_items_with_done_and_the_digest_shows_the_launch(bot: BotUnderTest) -> None:
    em = bot.emulator
    pat, mia = bot.user("pat"), bot.user("mia")
    bot.set_now(PLANNED)
    ids = seed_for_home(bot, pat.id, mia.id)
    bot.set_now(LOOKED)

    assert pat.open_home().status == 200
    home = wait(em, lambda: pat.home(), what="Pat's Home")
    blocks = home["blocks"]
    texts = "\n".join(b["text"]["text"] for b in blocks if isinstance(b.get("text"), dict))
    assert "*:rocket: My launch items*" in texts and "*:rocket: Launches I lead*" in texts
    done = [
        (b["accessory"]["value"], b["text"]["text"])
        for b in blocks
        if b.get("accessory", {}).get("action_id") == "launch_item_done"
    ]
    # Pat's open items of the live launch, soonest first: pricing (due 2027-02-17, overdue) first.
    assert done[0][0] == str(ids["pricing"]) and ":warning: overdue" in done[0][1]
    assert "Pricing and packaging confirmed — _Shared &lt;inbox&gt;_" in done[0][1]
    values = [value for value, _ in done]
    assert str(ids["metrics"]) in values and str(ids["docs"]) not in values  # done: gone
    assert str(ids["campaign"]) not in values  # Mia's, not Pat's
    assert "Called off" not in texts and "Not ours" not in texts
    assert "*Shared &lt;inbox&gt;* — <!date^" in texts and "you lead product" in texts
    assert "Product: 2/6 done · 3 due · *1 overdue*" in texts
    mia.open_home()
    mia_home = wait(em, lambda: mia.home(), what="Mia's Home")
    mia_done = [b["accessory"]["value"] for b in mia_home["blocks"] if "accessory" in b
                and b["accessory"].get("action_id") == "launch_item_done"]  # fmt: skip
    assert str(ids["campaign"]) in mia_done and str(ids["pricing"]) not in mia_done

    # The digest (preview: this week, every section): the launch a week out, with its overdue item.
    pat.command("/digest", "preview", channel="product-marketing")
    posted = wait(em, lambda: em.response_posts() or None, what="the digest preview")
    digest = "\n".join(b["text"]["text"] for b in posted[0]["blocks"] if isinstance(b.get("text"), dict))
    assert "*:rocket: Launches* — *1* in the next 30 days, *1* with overdue items" in digest
    assert "*Shared &lt;inbox&gt;* — <!date^" in digest and "(in 7 days)" in digest
    assert f":red_circle: Pricing and packaging confirmed — <@{pat.id}>" in digest
    assert "Called off" not in digest and "Not ours" not in digest
