"""Issue #15's "done when", in one story through the real bot (HTTP mode, signed requests, the
Slack emulator, ``tandem tick --now`` at chosen instants), on SQLite and PostgreSQL.

Max (product, Europe/Berlin) creates a weekly goal through the ``/goal new`` modal with Mia
(marketing, America/Los_Angeles). The check-in DM reaches each owner at 09:30 in their own zone;
Max answers; the channel message is updated in place and Mia is neither prompted later that day
nor reminded. A value pushed to ``POST /goals/<id>/values`` with the token made in the values
modal shows up in the message; the digest and App Home show the goal; closing it records the
outcome and stops the check-ins.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from bot.goals.ids import Action, Block, Callback
from bot.playground.workspace_state import Message
from tests.hardening.helpers import scalar, wait_outbox_settled
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

CHANNEL = "product-marketing"
WAIT = 20.0
CREATED = "2026-12-07T07:00:00Z"  # Monday: 08:00 in Berlin, still Sunday 23:00 in Los Angeles
BERLIN_BEFORE = "2026-12-07T08:29:00Z"
BERLIN_0930 = "2026-12-07T08:30:00Z"  # CET, UTC+1
LOS_ANGELES_0930 = "2026-12-07T17:30:00Z"  # PST, UTC-8
BERLIN_NEXT_DAY = "2026-12-08T08:30:00Z"
LOS_ANGELES_NEXT_DAY = "2026-12-08T17:30:00Z"
NEXT_MONDAY_AFTER_CLOSE = "2026-12-14T18:00:00Z"


def text_of(message: Message) -> str:
    return message.text + " " + json.dumps(message.blocks or [])


def tick(bot: BotUnderTest, instant: str) -> None:
    bot.set_now(instant)
    bot.tick()
    wait_outbox_settled(bot.emulator, bot.database_url)


def buttons(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for b in blocks for e in (b.get("elements") or []) + [b.get("accessory") or {}] if e.get("action_id")]


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_shared_goal_from_the_modal_to_its_outcome(bot: BotUnderTest) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    maxi, mia, pat = bot.user("max"), bot.user("mia"), bot.user("pat")
    bot.set_now(CREATED)

    # --- Created through the modal, with an owner on each side --------------------------------
    ack = maxi.command("/goal", "new", channel=CHANNEL)
    assert ack.status == 200 and ack.latency < 3
    view = maxi.modal(callback_id=Callback.CREATE)
    ack = maxi.submit(
        {
            Block.TITLE: "Lift trial-to-paid for self-serve teams",
            Block.METRIC: "Trial-to-paid conversion",
            Block.UNIT: "percent",
            Block.BASELINE: "4",
            Block.TARGET: "6%",
            Block.DUE: "2027-03-31",
            Block.PRODUCT_OWNERS: [maxi.id],
            Block.MARKETING_OWNERS: [mia.id],
            Block.CHANNEL: ws.channel_id(CHANNEL),
            Block.CADENCE: "weekly",
            Block.WEEKDAY: "0",
            Block.TIME: "09:30",
        },
        view=view,
    )
    assert ack.status == 200 and ack.response_action == "update", ack.body
    goal_id = int(scalar(bot.database_url, "SELECT id FROM goals"))
    tick(bot, CREATED)
    posted = em.wait_for(lambda: em.messages_in(CHANNEL), WAIT, "the goal's message")
    assert len(posted) == 1
    root = posted[0].ts
    assert "Lift trial-to-paid" in text_of(posted[0]) and maxi.dms == [] and mia.dms == []

    # --- The check-in DM at 09:30 in each owner's zone: Berlin first --------------------------
    tick(bot, BERLIN_BEFORE)
    assert maxi.dms == []
    tick(bot, BERLIN_0930)
    assert len(maxi.dms) == 1 and mia.dms == []  # Los Angeles is still asleep
    prompt = maxi.dms[0]
    assert any(b["action_id"] == Action.UPDATE and b.get("value") == str(goal_id) for b in buttons(prompt.blocks or []))

    # Max answers from his DM.
    maxi.click(Action.UPDATE, message=prompt)
    maxi.modal(callback_id=Callback.CHECKIN, timeout=WAIT)
    ack = maxi.submit(
        {Block.VALUE: "4.6", Block.CONFIDENCE: "on_track", Block.NOTE: "Pricing page shipped"},
        callback_id=Callback.CHECKIN,
    )
    assert ack.status == 200 and not ack.errors, ack.body
    wait_outbox_settled(em, bot.database_url)
    # The channel message updated in place (same ts, still one message), the check-in in its thread.
    assert len(em.messages_in(CHANNEL)) == 1
    assert any(c.args.get("ts") == root for c in em.calls("chat.update", channel=ws.channel_id(CHANNEL)))
    assert "4.6%" in text_of(em.message(CHANNEL, root)) and "On track" in text_of(em.message(CHANNEL, root))
    (reply,) = em.thread(CHANNEL, root)
    assert f"<@{maxi.id}> checked in" in text_of(reply) and "Pricing page shipped" in text_of(reply)

    # --- Mia: no prompt at her 09:30 (answered already), and no reminder for anybody -----------
    tick(bot, LOS_ANGELES_0930)
    tick(bot, BERLIN_NEXT_DAY)
    tick(bot, LOS_ANGELES_NEXT_DAY)
    assert mia.dms == [] and len(maxi.dms) == 1

    # --- A value pushed by another system shows up ---------------------------------------------
    assert maxi.command("/goal", f"values {goal_id}").status == 200
    maxi.modal(callback_id=Callback.VALUES, timeout=WAIT)
    before = len(em.views_opened(maxi.id))
    assert maxi.click(Action.NEW_TOKEN, in_modal=True).status == 200
    shown = em.wait_for(
        lambda: [v for v in em.views_opened(maxi.id)[before:] if v.callback_id == Callback.TOKEN] or None,
        WAIT,
        "the token, shown once",
    )[-1]
    token = next(
        b["text"]["text"].strip("`")
        for b in shown.blocks
        if b.get("type") == "section" and b["text"]["text"].startswith("```")
    )
    body = {"value": 5.2, "at": "2026-12-08T17:00:00Z", "note": "from the CRM"}
    url = f"{bot.url}/goals/{goal_id}/values"
    bad = httpx.post(url, json=body, headers={"Authorization": "Bearer not-the-token"}, timeout=10)
    assert bad.status_code == 401
    pushed = httpx.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert pushed.status_code == 201, pushed.text
    again = httpx.post(url, json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert again.status_code == 200 and again.json().get("replayed") is True
    assert int(scalar(bot.database_url, "SELECT count(*) FROM goal_values WHERE source = 'push'")) == 1
    em.wait_for(lambda: "5.2%" in text_of(em.message(CHANNEL, root)), WAIT, "the pushed value in the message")
    assert len(em.messages_in(CHANNEL)) == 1

    # --- The digest and App Home show the goal -------------------------------------------------
    digest = bot.tandem("digest", "--team", ws.team_id, "--channel", ws.channel_id(CHANNEL), "--preview")
    assert digest.returncode == 0, digest.stderr
    assert "Shared goals" in digest.stdout and "Lift trial-to-paid" in digest.stdout and "5.2%" in digest.stdout

    maxi.open_home()
    home = em.wait_for(
        lambda: (h := em.home_of(maxi.id)) and "Our shared goals" in json.dumps(h) and h, WAIT, "Max's home"
    )
    assert "Lift trial-to-paid" in json.dumps(home)
    assert any(b["action_id"] == Action.UPDATE and b.get("value") == str(goal_id) for b in buttons(home["blocks"]))
    pat.open_home()
    pats = em.wait_for(lambda: (h := em.home_of(pat.id)) and "Our shared goals" in json.dumps(h) and h, WAIT, "home")
    assert "Lift trial-to-paid" in json.dumps(pats)
    assert not any(b["action_id"] == Action.UPDATE for b in buttons(pats["blocks"]))  # not an owner

    # --- Closing records the outcome, in the thread; the check-ins stop -----------------------
    assert mia.command("/goal", f"close {goal_id}").status == 200
    ack = mia.submit({Block.OUTCOME: "hit", Block.LEARNING: "Pairing on onboarding emails"}, callback_id=Callback.CLOSE)
    assert ack.status == 200 and ack.response_action == "update", ack.body
    wait_outbox_settled(em, bot.database_url)
    outcome = em.thread(CHANNEL, root)[-1]
    assert "Hit" in text_of(outcome) and "Pairing on onboarding emails" in text_of(outcome)
    assert "Closed" in text_of(em.message(CHANNEL, root))
    assert scalar(bot.database_url, "SELECT outcome FROM goals") == "hit"
    assert scalar(bot.database_url, "SELECT status FROM goals") == "closed"
    tick(bot, NEXT_MONDAY_AFTER_CLOSE)
    assert len(maxi.dms) == 1 and mia.dms == []
    assert em.take_violations() == []
