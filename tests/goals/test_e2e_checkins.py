"""End to end: goal check-ins through the real bot (HTTP mode), the Slack emulator and
``tandem tick --now`` at chosen instants, on SQLite and PostgreSQL.

A weekly goal (Mondays 09:30 in each owner's zone) owned by Max (product, Europe/Berlin) and Nora
(marketing, America/New_York), its value pulled from a source served on 127.0.0.1. The goal is
created with ``bot.goals.setup.create_goal`` in the bot's database (the ``/goal new`` modal is
another branch's work); everything after that goes through Slack as people would click.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.goals import setup
from bot.goals.ids import Action, Block, CheckinCadence, Side
from bot.goals.models import Goal, GoalCheckin, GoalPrompt, GoalRound
from bot.goals.secrets import seal
from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import Message, Workspace
from bot.settings import normalize_database_url
from bot.slack.delivery_models import OutboxMessage, OutboxStatus
from bot.slack.users import SlackUser
from tests.goals.conftest import goal_input
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

KEY = "8Jx0mN7cX2u6kq3kYVY0sYb2rJtZ0d4N2mV9bG8fQ1M="  # TANDEM_ENCRYPTION_KEY of the bot under test
TOKEN = "s3cret-metrics-token"
WAIT = 20.0

CREATED = "2027-03-04T12:00:00Z"  # a Thursday
# Round 1, Monday 2027-03-08 09:30: Berlin (CET, UTC+1) 08:30 UTC, New York (EST, UTC-5) 14:30 UTC.
BERLIN_0930_MAR08 = "2027-03-08T08:30:00Z"
NEW_YORK_0930_MAR08 = "2027-03-08T14:30:00Z"
BERLIN_REMIND_MAR09 = "2027-03-09T08:30:00Z"
NEW_YORK_REMIND_MAR09 = "2027-03-09T14:30:00Z"
# Round 2, Monday 2027-03-15, after the US change to summer time (2027-03-14): New York (EDT,
# UTC-4) is 13:30 UTC; Berlin is still CET until 2027-03-28.
BERLIN_0930_MAR15 = "2027-03-15T08:30:00Z"
NEW_YORK_0930_MAR15 = "2027-03-15T13:30:00Z"
BERLIN_REMIND_MAR16 = "2027-03-16T08:30:00Z"
NEW_YORK_REMIND_MAR16 = "2027-03-16T13:30:00Z"
WEDNESDAY_MAR17 = "2027-03-17T14:30:00Z"
# After the EU change (2027-03-28): Berlin (CEST, UTC+2) 09:30 is 07:30 UTC.
BERLIN_0930_MAR29 = "2027-03-29T07:30:00Z"


@pytest.fixture
def bot_options() -> dict[str, Any]:
    return {"env": {"TANDEM_ENCRYPTION_KEY": KEY}}


@dataclass
class MetricsSource:
    """A pull source on 127.0.0.1: serves ``{"data": {"conversion": <value>}}``, records requests."""

    value: float
    authorizations: list[str] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/metrics/trial-to-paid"

    def start(self) -> MetricsSource:
        source = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                source.authorizations.append(self.headers.get("Authorization", ""))
                body = json.dumps({"data": {"conversion": source.value}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return None

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


@pytest.fixture
def source() -> Iterator[MetricsSource]:
    served = MetricsSource(5.1).start()
    try:
        yield served
    finally:
        served.stop()


@dataclass
class EmulatorDirectory:
    """The owners' zones as Slack has them (the emulator's workspace)."""

    workspace: Workspace

    def get_user(self, user_id: str) -> SlackUser | None:
        user = self.workspace.users.get(user_id)
        if user is None:
            return None
        return SlackUser(user.id, user.team_id, user.real_name, user.tz, user.is_admin, user.is_bot, user.deleted)


def database(bot: BotUnderTest) -> Database:
    return Database.from_url(normalize_database_url(bot.database_url))


def outbox_settled(bot: BotUnderTest) -> bool:
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            busy = session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status.in_([OutboxStatus.PENDING.value, OutboxStatus.SENDING.value]))
            )
    finally:
        db.dispose()
    return busy == 0


def wait(em: SlackEmulator, predicate: Callable[[], Any], *, what: str) -> Any:
    return em.wait_for(predicate, WAIT, what=what)


def tick(bot: BotUnderTest, instant: str) -> str:
    bot.set_now(instant)
    output = bot.tick().stdout
    wait(bot.emulator, lambda: outbox_settled(bot), what="outbox drained")
    return output


def text_of(message: Message) -> str:
    return message.text + " " + json.dumps(message.blocks or [])


def create_goal(bot: BotUnderTest, product: str, marketing: str, channel: str, source: MetricsSource) -> int:
    bot.set_now(CREATED)
    now = datetime.fromisoformat(CREATED)
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            goal = setup.create_goal(
                session, team_id=bot.emulator.workspace.team_id,
                data=goal_input(product_owners=(product,), marketing_owners=(marketing,), channel_id=channel,
                                cadence=CheckinCadence.WEEKLY),
                created_by=product, today=now.date(), now=now, directory=EmulatorDirectory(bot.emulator.workspace),
                creator_tz="Europe/Berlin",
            )  # fmt: skip
            goal.pull_url, goal.pull_pointer, goal.pull_token = source.url, "/data/conversion", seal(TOKEN, KEY)
            return goal.id
    finally:
        db.dispose()


def check_in(bot: BotUnderTest, who: Any, message: Message, values: dict[str, Any]) -> Any:
    who.click(Action.UPDATE, message=message)
    modal = who.modal(callback_id="goals_checkin", timeout=WAIT)
    return modal, who.submit(values, callback_id="goals_checkin", timeout=WAIT)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_check_ins_in_berlin_and_new_york_end_to_end(bot: BotUnderTest, source: MetricsSource) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    nora_user = ws.add_user("nora", "Nora Field", "America/New_York")
    ws.channel("product-marketing").members.add(nora_user.id)
    maxi, nora, pat = bot.user("max"), bot.user("nora"), bot.user("pat")
    assert ws.users[maxi.id].tz == "Europe/Berlin"

    goal_id = create_goal(bot, maxi.id, nora.id, channel, source)
    tick(bot, CREATED)
    posted = wait(em, lambda: em.messages_in(channel), what="the goal's message")
    assert len(posted) == 1 and "Lift trial-to-paid" in text_of(posted[0])
    root = posted[0].ts
    assert maxi.dms == [] and nora.dms == []

    # --- Monday 09:30 Berlin: the value is pulled, Max is asked; New York is still asleep -------
    tick(bot, BERLIN_0930_MAR08)
    assert source.authorizations == [f"Bearer {TOKEN}"]  # fetched once, with the unsealed token
    assert len(maxi.dms) == 1 and nora.dms == []
    assert "Pulled from your source: *5.1%*" in text_of(maxi.dms[0])
    assert any(c.args.get("ts") == root for c in em.calls("chat.update", channel=channel))  # in place
    assert "5.1%" in text_of(em.message(channel, root))

    # Pat is not an owner: an ephemeral "only owners", no modal.
    pat.click(Action.UPDATE, message=em.message(channel, root))
    wait(em, lambda: any("Only the goal's owners" in str(e) for e in pat.ephemerals), what="only owners")
    assert em.views_opened(pat.id) == []

    # Max clicks Update in his DM: the modal is prefilled with the pulled value.
    max_prompt = maxi.dms[0]
    maxi.click(Action.UPDATE, message=max_prompt)
    modal = maxi.modal(callback_id="goals_checkin", timeout=WAIT)
    shown = json.dumps(modal.blocks)
    assert '"initial_value": "5.1"' in shown and "Pulled from your source" in shown
    ack = maxi.submit({Block.VALUE: "about five", Block.CONFIDENCE: "at_risk"}, callback_id="goals_checkin")
    assert "isn't a number" in ack.errors.get(Block.VALUE, ""), ack.body
    ack = maxi.submit(
        {Block.VALUE: "5.3", Block.CONFIDENCE: "at_risk", Block.NOTE: "Pricing page is live <!channel>"},
        callback_id="goals_checkin",
    )
    assert ack.status == 200 and not ack.errors, ack.body
    wait(em, lambda: len(em.thread(channel, root)) == 1, what="the check-in in the goal's thread")
    wait(em, lambda: outbox_settled(bot), what="outbox drained")
    reply = text_of(em.thread(channel, root)[0])
    assert f"<@{maxi.id}> checked in" in reply and "5.3%" in reply and "At risk" in reply
    assert "&lt;!channel&gt;" in reply and "<!channel>" not in reply
    assert len(em.messages_in(channel)) == 1
    assert "5.3%" in text_of(em.message(channel, root)) and "At risk" in text_of(em.message(channel, root))
    assert f"<@{maxi.id}> checked in" in text_of(em.message(max_prompt.channel, max_prompt.ts))  # DM in place

    # --- New York's 09:30 comes after the answer: no prompt; Tuesday: no reminder for anybody ----
    tick(bot, NEW_YORK_0930_MAR08)
    tick(bot, BERLIN_REMIND_MAR09)
    tick(bot, NEW_YORK_REMIND_MAR09)
    assert nora.dms == [] and len(maxi.dms) == 1

    # --- Round 2, after the US clock change; the source is down --------------------------------
    source.stop()
    tick(bot, BERLIN_0930_MAR15)
    assert len(maxi.dms) == 2 and nora.dms == []
    assert "could not be reached" in text_of(maxi.dms[1])
    tick(bot, NEW_YORK_0930_MAR15)  # 09:30 EDT: an hour earlier in UTC than a week ago
    assert len(nora.dms) == 1 and "could not be reached" in text_of(nora.dms[0])
    assert "Pulled from your source" not in text_of(nora.dms[0])

    # The one reminder each, a working day later, without repeating why the pull failed.
    tick(bot, BERLIN_REMIND_MAR16)
    assert len(maxi.dms) == 3 and len(nora.dms) == 1
    assert "Reminder" in text_of(maxi.dms[2]) and "could not be reached" not in text_of(maxi.dms[2])
    tick(bot, NEW_YORK_REMIND_MAR16)
    assert len(nora.dms) == 2 and "Reminder" in text_of(nora.dms[1])
    tick(bot, WEDNESDAY_MAR17)
    assert len(maxi.dms) == 3 and len(nora.dms) == 2  # one reminder only

    # Nora answers from her reminder: every DM of the round says so, in place.
    modal, ack = check_in(bot, nora, nora.dms[1], {Block.VALUE: "5.6", Block.CONFIDENCE: "on_track"})
    assert '"initial_value": "5.3"' in json.dumps(modal.blocks)  # the latest value, typed by Max
    assert not ack.errors, ack.body
    wait(em, lambda: len(em.thread(channel, root)) == 2, what="Nora's check-in")
    # The same modal submitted once more (a double click): recorded once.
    values = nora.fill(modal, {Block.VALUE: "5.6", Block.CONFIDENCE: "on_track"})
    again = bot.driver.view_submission(user=nora.id, view=modal, values=values)
    assert again.status == 200 and not again.errors, again.body
    wait(em, lambda: outbox_settled(bot), what="outbox drained")
    assert len(em.thread(channel, root)) == 2  # recorded once
    assert "+0.3%" in text_of(em.thread(channel, root)[1])  # since Max's check-in
    for dm in (maxi.dms[1], maxi.dms[2], nora.dms[0], nora.dms[1]):
        assert f"<@{nora.id}> checked in" in text_of(em.message(dm.channel, dm.ts)), dm.ts
    assert "5.6%" in text_of(em.message(channel, root))

    # --- After the EU clock change: Berlin's 09:30 is 07:30 UTC --------------------------------
    tick(bot, BERLIN_0930_MAR29)
    assert len(maxi.dms) == 4 and "Time to check in" in text_of(maxi.dms[3])

    db = database(bot)
    try:
        with db.unit_of_work() as session:
            rounds = session.execute(select(GoalRound.due_on, GoalRound.status).order_by(GoalRound.due_on)).all()
            assert [(d.isoformat(), s) for d, s in rounds] == [
                ("2027-03-08", "answered"),
                ("2027-03-15", "answered"),
                ("2027-03-29", "open"),
            ]
            assert session.scalar(select(func.count()).select_from(GoalCheckin)) == 2
            # Where things landed, recorded by the result hooks (goals.prompted, goals.checkin_posted).
            assert all(ts for ts in session.scalars(select(GoalCheckin.reply_ts)))
            dms = {(p.user_id, p.channel_id, p.message_ts) for p in session.scalars(select(GoalPrompt))}
            assert (maxi.id, max_prompt.channel, max_prompt.ts) in dms
            assert (nora.id, nora.dms[0].channel, nora.dms[0].ts) in dms
            goal = session.get(Goal, goal_id)
            assert goal is not None and goal.stale_since is None
            assert {o.side for o in goal.owners} == {Side.PRODUCT, Side.MARKETING}
    finally:
        db.dispose()
    assert em.take_violations() == []


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_two_missed_check_ins_make_the_goal_stale_told_once_by_dm(bot: BotUnderTest) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    maxi, asha = bot.user("max"), bot.user("asha")  # Berlin (product), Kolkata (marketing)
    bot.set_now(CREATED)
    now = datetime.fromisoformat(CREATED)
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            goal = setup.create_goal(
                session, team_id=ws.team_id,
                data=goal_input(product_owners=(maxi.id,), marketing_owners=(asha.id,), channel_id=channel,
                                cadence=CheckinCadence.WEEKLY),
                created_by=maxi.id, today=now.date(), now=now, directory=EmulatorDirectory(ws),
                creator_tz="Europe/Berlin",
            )  # fmt: skip
            goal_id = goal.id
    finally:
        db.dispose()
    tick(bot, CREATED)
    root = wait(em, lambda: em.messages_in(channel), what="the goal's message")[0].ts

    def stale_dms(who: Any) -> list[Message]:
        return [m for m in who.dms if "missed its last two check-ins" in text_of(m)]

    # Three Mondays nobody answers (prompts and reminders each week, the late ticks run them).
    for monday in ("2027-03-08", "2027-03-15"):
        tick(bot, f"{monday}T04:00:00Z")  # 09:30 in Kolkata
        tick(bot, f"{monday}T08:30:00Z")  # 09:30 in Berlin
        assert stale_dms(maxi) == [] and stale_dms(asha) == []
        assert "Stale" not in text_of(em.message(channel, root))
    tick(bot, "2027-03-22T04:00:00Z")  # the third round opens: the second is missed, two in a row
    assert len(stale_dms(maxi)) == 1 and len(stale_dms(asha)) == 1
    assert "Stale" in text_of(em.message(channel, root))  # shown in the channel, in place
    assert "<!channel>" not in text_of(em.message(channel, root)) and "<@" not in em.message(channel, root).text
    tick(bot, "2027-03-29T04:00:00Z")  # a third miss: not told again
    tick(bot, "2027-03-29T07:30:00Z")
    assert len(stale_dms(maxi)) == 1 and len(stale_dms(asha)) == 1

    # A check-in clears it.
    _modal, ack = check_in(bot, asha, stale_dms(asha)[0], {Block.VALUE: "4.5", Block.CONFIDENCE: "off_track"})
    assert not ack.errors, ack.body
    wait(em, lambda: len(em.thread(channel, root)) == 1, what="the check-in")
    wait(em, lambda: "Stale" not in text_of(em.message(channel, root)), what="stale cleared in the channel")
    db = database(bot)
    try:
        with db.unit_of_work() as session:
            assert session.get_one(Goal, goal_id).stale_since is None
            rounds = session.execute(select(GoalRound.due_on, GoalRound.status).order_by(GoalRound.due_on)).all()
            assert [(d.isoformat(), s) for d, s in rounds] == [
                ("2027-03-08", "missed"),
                ("2027-03-15", "missed"),
                ("2027-03-22", "missed"),
                ("2027-03-29", "answered"),
            ]
    finally:
        db.dispose()
