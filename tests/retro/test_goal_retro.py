"""Retros and shared goals, on SQLite and PostgreSQL: alignment-check and launch retros open with
their linked goals' status; "Open a retro about it" (``bot.goals.ids.Action.OPEN_RETRO``, posted
in a closed goal's thread) opens the retro setup modal pre-filled for that goal, end to end."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.goals import outbox as goals_outbox
from bot.goals.ids import Action as GoalAction
from bot.goals.ids import Confidence, Outcome
from bot.goals.lookups import require_goal
from bot.retro import series, views
from bot.retro.data import SeriesSetup
from bot.retro.ids import Anonymity, RetroTemplate, StartMode
from bot.retro.models import RetroSeries
from bot.retro.summary import retro_card
from bot.retro.templates import prompts_for
from bot.slack import blocks as bk
from bot.slack.drainer import drain
from tests.goals.conftest import NOW, OTHER_TEAM, TEAM
from tests.goals.helpers import check_in, close, make_goal
from tests.support.fixtures import BotUnderTest

CHANNEL = "C0GOALS001"


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database.from_url(database_url)
    yield database
    database.dispose()


def _setup(template: RetroTemplate, title: str, goal_id: int | None = None) -> SeriesSetup:
    return SeriesSetup(
        title=title, channel_id=CHANNEL, start_mode=StartMode.NOW, template=template, prompts=prompts_for(template),
        anonymity=Anonymity.OFF, votes_per_person=3, collect_minutes=24 * 60, goal_id=goal_id,
    )  # fmt: skip


def _text(message: dict[str, Any]) -> str:
    return "\n".join(b["text"]["text"] for b in message["blocks"] if isinstance(b.get("text"), dict))


def test_alignment_and_launch_retros_open_with_their_linked_goals_status(db: Database) -> None:
    later = NOW + timedelta(days=10)
    with db.unit_of_work() as session:
        lift = make_goal(session, at=NOW, title="Lift <trial> conversion")
        check_in(session, lift, 5.0, Confidence.AT_RISK, later - timedelta(days=1))
        make_goal(session, at=NOW, title="Goal in another channel", channel_id="C0ELSEWHERE")
        paused = make_goal(session, at=NOW, title="Paused goal")
        paused.status = "paused"
        make_goal(session, at=NOW, team_id=OTHER_TEAM, title="Another workspace's goal")
        cards = {}
        for template in (RetroTemplate.ALIGNMENT, RetroTemplate.LAUNCH, RetroTemplate.FOUR_LS):
            result = series.create_series(
                session, team_id=TEAM, facilitator_id="U0FACILIT1", setup=_setup(template, template.value), now=later
            )
            assert result.opened is not None
            cards[template] = retro_card(session, result.opened)

    for template in (RetroTemplate.ALIGNMENT, RetroTemplate.LAUNCH):
        card = cards[template]
        assert [g.title for g in card.goals] == ["Lift <trial> conversion"]  # active, this channel, this team
        message = views.build_retro_message(card)
        text = _text(message)
        assert "*:dart: Our shared goals*" in text
        assert (
            "• :large_yellow_circle: At risk — *Lift &lt;trial&gt; conversion*: Trial-to-paid conversion 5% of 6% (50%)"
            in text
        )
        assert len(message["blocks"]) <= bk.MESSAGE_BLOCK_LIMIT
    assert cards[RetroTemplate.FOUR_LS].goals == []  # other templates do not show goals
    assert "Our shared goals" not in _text(views.build_retro_message(cards[RetroTemplate.FOUR_LS]))


def test_a_retro_about_a_goal_shows_that_goal_first_even_closed(db: Database) -> None:
    later = NOW + timedelta(days=40)
    with db.unit_of_work() as session:
        active = make_goal(session, at=NOW, title="Still running")
        done = make_goal(session, at=NOW, title="Done goal")
        check_in(session, done, 6.2, Confidence.ON_TRACK, NOW + timedelta(days=20))
        close(session, done, Outcome.HIT, NOW + timedelta(days=30))
        theirs = make_goal(session, at=NOW, team_id=OTHER_TEAM, title="Forged")
        setup = series.setup_about_goal(session, team_id=TEAM, goal_id=done.id)
        assert (setup.title, setup.channel_id, setup.template, setup.goal_id) == (
            "Retro: Done goal", CHANNEL, RetroTemplate.ALIGNMENT, done.id
        )  # fmt: skip
        result = series.create_series(session, team_id=TEAM, facilitator_id="U0F", setup=setup, now=later)
        assert result.opened is not None and result.series.goal_id == done.id
        card = retro_card(session, result.opened)
        assert [g.id for g in card.goals] == [done.id, active.id]
        assert ":checkered_flag: Closed: Hit" in _text(views.build_retro_message(card))
        # A forged goal id from another workspace is neither linked nor kept.
        forged = series.create_series(
            session, team_id=TEAM, facilitator_id="U0F",
            setup=_setup(RetroTemplate.WELL_NOT_TRY, "Forged", goal_id=theirs.id), now=later,
        )  # fmt: skip
        assert forged.series.goal_id is None and forged.opened is not None
        assert retro_card(session, forged.opened).goals == []


@pytest.mark.e2e
def test_open_retro_button_in_a_closed_goals_thread_opens_the_prefilled_modal(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    ws = bot.emulator.workspace
    pat, mia = ws.user_id("pat"), ws.user_id("mia")
    channel = ws.channel_id("product-marketing")
    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    bot.set_now(now)
    with bot.services.db.unit_of_work() as session:
        goal = make_goal(
            session, at=now - timedelta(days=60), team_id=ws.team_id, title="Lift trial-to-paid",
            product_owners=(pat,), marketing_owners=(mia,), channel_id=channel,
        )  # fmt: skip
        check_in(session, goal, 6.3, Confidence.ON_TRACK, now - timedelta(days=1), user_id=pat)
        close(session, goal, Outcome.HIT, now)
        # What closing posts in the goal's thread (the closing flow itself is bot.goals'): the
        # outcome and the offer, as a button with the goal id.
        goals_outbox.reply_in_thread(
            session, goal, "closed",
            {
                "text": "Closed: hit",
                "blocks": [
                    bk.section("*Closed: Hit.* What we learned: annual plans sell."),
                    bk.actions(bk.button("Open a retro about it", GoalAction.OPEN_RETRO, str(goal.id))),
                ],
            },
            now,
        )  # fmt: skip
        goal_id = goal.id
    drain(bot.services, now)
    drain(bot.services, now + timedelta(seconds=5))
    root = bot.emulator.wait_for(
        lambda: [m for m in bot.emulator.messages_in("product-marketing") if "Lift trial-to-paid" in m.text] or None,
        what="the goal's message",
    )[0]
    reply = bot.emulator.wait_for(
        lambda: [m for m in bot.emulator.thread(channel, root.ts) if "Closed" in m.text] or None,
        what="the closing reply in the goal's thread",
    )[0]

    user = bot.user("pat")
    ack = user.click(GoalAction.OPEN_RETRO, message=reply)
    assert ack.status == 200 and ack.latency < 3
    modal = user.modal(callback_id="retro_setup")
    by_block = {b.get("block_id"): b for b in modal.blocks}
    assert by_block["retro_title"]["element"]["initial_value"] == "Retro: Lift trial-to-paid"
    assert by_block["retro_channel"]["element"]["initial_conversation"] == channel
    assert by_block["retro_template"]["element"]["initial_option"]["value"] == RetroTemplate.ALIGNMENT.value
    assert f'"goal_id":{goal_id}' in modal.view["private_metadata"]

    ack = user.submit(view=modal)
    assert ack.status == 200 and not ack.errors, ack.errors
    with bot.services.db.unit_of_work() as session:
        made = session.scalar(select(RetroSeries).where(RetroSeries.team_id == ws.team_id))
        assert made is not None and made.goal_id == goal_id and made.template == RetroTemplate.ALIGNMENT.value
        assert require_goal(session, ws.team_id, goal_id).status == "closed"
    drain(bot.services, now + timedelta(seconds=10))
    retro_message = bot.emulator.wait_for(
        lambda: [m for m in bot.emulator.messages_in("product-marketing") if "Retro: Retro: Lift" in m.text] or None,
        what="the retro's message",
    )[0]
    shown = "\n".join(b["text"]["text"] for b in retro_message.blocks if isinstance(b.get("text"), dict))
    assert "Our shared goals" in shown and ":checkered_flag: Closed: Hit" in shown and "Lift trial-to-paid" in shown


@pytest.mark.e2e
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_open_retro_for_another_workspaces_goal_is_not_found(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    ws = bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    now = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
    bot.set_now(now)
    with bot.services.db.unit_of_work() as session:
        ours = make_goal(session, at=now, team_id=ws.team_id, title="Ours", channel_id=channel)
        theirs = make_goal(session, at=now, team_id="T0ELSEWHERE", title="Not yours")
        # A message whose button carries another workspace's goal id (a forged value).
        goals_outbox.reply_in_thread(
            session, ours, "forged",
            {"text": "x", "blocks": [bk.actions(bk.button("Open a retro", GoalAction.OPEN_RETRO, str(theirs.id)))]},
            now,
        )  # fmt: skip
    drain(bot.services, now)
    drain(bot.services, now + timedelta(seconds=5))
    root = bot.emulator.wait_for(
        lambda: [m for m in bot.emulator.messages_in("product-marketing") if "Ours" in m.text] or None, what="root"
    )[0]
    reply = bot.emulator.wait_for(lambda: bot.emulator.thread(channel, root.ts)[-1:] or None, what="reply")[0]
    user = bot.user("pat")
    ack = user.click(GoalAction.OPEN_RETRO, message=reply)
    assert ack.status == 200
    said = bot.emulator.wait_for(lambda: bot.emulator.ephemerals_to(user.id) or None, what="the answer")
    assert "can't find that goal" in str(said[-1])
    assert not bot.emulator.views_opened(user.id)
