"""End to end (the real bot process in HTTP mode, signed requests, the Slack emulator, ``tandem
tick`` moving time) with a fake OpenAI-compatible model on 127.0.0.1.

One week, as people would click it: a stand-up (answers with a blocker), a retro (items, one of
them anonymous) closed by its facilitator, and a weekly digest on Friday. With the model on, the
stand-up's closing summary says "In short", the retro's results "Main themes" and the digest
opens with "This week in three lines", all the model's, and nothing of its injection attempt
(pings, mentions, links) reaches Slack. With the model off or failing, the extractive summaries
appear instead, labelled so. The slow model's bound is the last test.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.digest.ids import Block as DigestBlock
from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import Message
from bot.retro.ids import Action as RetroAction
from bot.settings import normalize_database_url
from bot.slack.delivery_models import OutboxMessage, OutboxStatus
from bot.standup.ids import Action, Block
from tests.support.fake_model import FakeModel, running_fake_model
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e
BOTH = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
CHANNEL = "product-marketing"
WAIT = 20.0
INJECTED = ("<!channel>", "<!here>", "<!everyone>", "@channel", "U0BADBAD1", "S0BAD", "C0BAD", "evil.example")


@pytest.fixture
def fake_model() -> Iterator[FakeModel]:
    with running_fake_model() as model:
        yield model


@pytest.fixture
def bot_options(fake_model: FakeModel) -> dict[str, Any]:
    # The tick (`tandem tick`, run with the bot's environment) is where summaries are written.
    return {
        "env": {
            "TANDEM_SUMMARY_URL": fake_model.base_url,
            "TANDEM_SUMMARY_MODEL": "fake-1",
            "TANDEM_SUMMARY_API_KEY": "sk-fake",
            "TANDEM_SUMMARY_TIMEOUT": "2",
        }
    }


def text_of(message: Message) -> str:
    return message.text + " " + str(message.blocks or [])


def wait(em: SlackEmulator, predicate: Any, what: str) -> Any:
    return em.wait_for(predicate, WAIT, what=what)


def outbox_settled(bot: BotUnderTest) -> bool:
    """Nothing ready is left in the outbox (the bot's own drainer sends what the tick left)."""
    db = Database.from_url(normalize_database_url(bot.database_url))
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


def tick(bot: BotUnderTest, instant: str, *, settle: bool = True) -> None:
    """``settle``: wait until the outbox is empty (not for the digest: its chart's share waits on
    the clock)."""
    bot.set_now(instant)
    bot.tick()
    if settle:
        wait(bot.emulator, lambda: outbox_settled(bot), "the outbox drained")


def everything_sent(em: SlackEmulator) -> str:
    calls = [*em.calls("chat.postMessage"), *em.calls("chat.update")]
    return "\n".join(str(c.args) for c in calls)


def play_the_week(bot: BotUnderTest, *, themes: bool = True) -> tuple[Message, Message, Message]:
    """Returns the stand-up's closed parent, the retro's results and the digest, as Slack shows them
    (``themes``: wait for the results to gain their main themes)."""
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id(CHANNEL)
    pat, maxi, asha, mia = bot.user("pat"), bot.user("max"), bot.user("asha"), bot.user("mia")

    # Saturday: a stand-up at 10:00 Berlin for everybody, and a digest on Fridays.
    bot.set_now("2026-11-28T12:00:00Z")
    pat.command("/standup")
    pat.modal(callback_id="standup_setup", timeout=WAIT)
    ack = pat.submit(
        {
            Block.NAME: "Daily",
            Block.CHANNEL: channel,
            Block.PEOPLE_PRODUCT: [pat.id, maxi.id],
            Block.PEOPLE_MARKETING: [asha.id],
            Block.ZONE_MODE: "fixed",
            Block.TIMEZONE: "Europe/Berlin",
            Block.TIME: "10:00",
        },
        callback_id="standup_setup",
        timeout=WAIT,
    )
    assert not ack.errors, ack.body
    wait(em, lambda: any("Daily" in str(e) for e in em.ephemerals_to(pat.id, channel)), "the stand-up saved")
    mia.command("/digest", "setup", channel=CHANNEL)
    mia.modal(callback_id="digest_setup", timeout=WAIT)
    ack = mia.submit({DigestBlock.WEEKDAY: "4", DigestBlock.TIMEZONE: "Europe/Berlin"}, callback_id="digest_setup")
    assert not ack.errors, ack.body
    assert ack.response_action == "update" and "is set up" in str(ack.json)  # saved before the ack

    # Monday 10:00 Berlin: everybody is prompted and answers; Pat is blocked.
    tick(bot, "2026-11-30T09:00:00Z")
    answers = {
        pat: ("Pricing page draft is done", "Launch checklist", "Waiting on final pricing from finance"),
        maxi: ("Finished the launch brief", "Press kit for the launch", ""),
        asha: ("Webinar deck for the launch", "Newsletter", ""),
    }
    for person, (yesterday, today, blocker) in answers.items():
        person.click(Action.OPEN_ANSWER, message=person.dms[0])
        person.modal(callback_id="standup_answer", timeout=WAIT)
        ack = person.submit(
            {Block.answer(0): yesterday, Block.answer(1): today, Block.BLOCKER: blocker}, callback_id="standup_answer"
        )
        assert not ack.errors, ack.body
    parent = wait(em, lambda: em.messages_in(channel), "the stand-up's parent")[0]
    wait(em, lambda: len(em.thread(channel, parent.ts)) == 3, "three answers in the thread")

    # Monday 18:00: the stand-up closes (8 h after its prompt) and its summary is posted in place.
    tick(bot, "2026-11-30T17:00:00Z")
    closed = wait(em, lambda: [m for m in [em.message(channel, parent.ts)] if "closed" in text_of(m)], "closed")[0]

    # Tuesday: a retro, items (one anonymous), closed by its facilitator; the next tick adds themes.
    bot.set_now("2026-12-01T10:00:00Z")
    mia.command("/retro", "", channel=CHANNEL)
    ack = mia.submit({"retro_title": "Launch review", "retro_collect": "1"}, view=mia.modal(callback_id="retro_setup"))
    assert not ack.errors, ack.body
    retro = wait(em, lambda: [m for m in em.messages_in(channel) if "Launch review" in m.text], "the retro")[0]
    for person, prompt, text, anonymous in (
        (pat, "0", "The pricing review went smoothly", False),
        (asha, "1", "Launch dates moved twice without telling marketing", True),
        (maxi, "1", "Launch dates were unclear for the press kit", False),
    ):
        person.click(RetroAction.ADD_ITEM, message=em.message(channel, retro.ts))
        values = {"retro_item_prompt": prompt, "retro_item_text": text}
        if anonymous:
            values["retro_item_anonymous"] = ["yes"]
        ack = person.submit(values, view=person.modal(callback_id="retro_add_item"))
        assert not ack.errors, ack.body
    wait(em, lambda: "went smoothly" in text_of(em.message(channel, retro.ts)) or None, "items on the card")
    mia.click(RetroAction.CLOSE, message=em.message(channel, retro.ts))
    results = wait(
        em, lambda: [r for r in em.thread(channel, retro.ts) if "Retro results" in r.text], "the retro's results"
    )[0]
    tick(bot, "2026-12-01T10:01:00Z")
    if themes:
        results = wait(
            em,
            lambda: [m for m in [em.message(channel, results.ts)] if "Main themes" in text_of(m)],
            "the results gain their themes",
        )[0]

    # Friday 09:00 Berlin: the digest.
    tick(bot, "2026-12-04T08:00:00Z", settle=False)
    digest = wait(em, lambda: [m for m in em.messages_in(channel) if "Weekly digest" in text_of(m)], "the digest")[0]
    return closed, results, digest


@BOTH
def test_with_the_model_on_the_summaries_are_the_model_s_and_its_injection_never_reaches_slack(
    bot: BotUnderTest, fake_model: FakeModel
) -> None:
    fake_model.mode = "injection"
    closed, results, digest = play_the_week(bot)
    assert "In short*" in text_of(closed) and "(extractive)" not in text_of(closed)
    assert "MODEL SUMMARY" in text_of(closed)
    assert "Main themes*" in text_of(results) and "MODEL SUMMARY" in text_of(results)
    assert "This week in three lines*" in text_of(digest) and "MODEL SUMMARY" in text_of(digest)
    sent = everything_sent(bot.emulator)
    for injected in INJECTED:
        assert injected not in sent, injected
    # The model was asked three times (stand-up, retro, digest), with people's words as data only,
    # and the anonymous item went without any author.
    assert len(fake_model.requests) == 3
    retro_request = next(r for r in fake_model.requests if "retrospective" in r["messages"][1]["content"])
    assert "moved twice" in retro_request["messages"][1]["content"]
    assert bot.emulator.workspace.user_id("asha") not in str(retro_request)
    assert all("moved twice" not in r["messages"][0]["content"] for r in fake_model.requests)


@BOTH
@pytest.mark.parametrize("failure", ["off", "error", "garbage"])
def test_with_the_model_off_or_failing_the_extractive_summaries_appear(
    bot: BotUnderTest, fake_model: FakeModel, failure: str
) -> None:
    if failure == "off":
        del bot.env["TANDEM_SUMMARY_URL"]  # the tick runs without a model
    else:
        fake_model.mode = failure
    closed, results, digest = play_the_week(bot)
    assert "In short (extractive)*" in text_of(closed)
    assert "Finished the launch brief" in text_of(closed) or "launch" in text_of(closed).split("In short")[1]
    assert "Main themes (extractive)*" in text_of(results) and "Launch dates" in text_of(results)
    assert "This week in three lines (extractive)*" in text_of(digest)
    assert "MODEL SUMMARY" not in everything_sent(bot.emulator)
    assert len(fake_model.requests) == (0 if failure == "off" else 6)  # two tries each for three summaries


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_workspace_that_turned_summaries_off_gets_none_and_sends_nothing(
    bot: BotUnderTest, fake_model: FakeModel
) -> None:
    pat, ada = bot.user("pat"), bot.user("ada")  # ada is a workspace admin
    pat.command("/digest", "summaries")
    wait(bot.emulator, lambda: any("Summaries are *on*" in str(e) for e in pat.ephemerals), "the state")
    pat.command("/digest", "summaries off")
    wait(bot.emulator, lambda: any("Only a workspace admin" in str(e) for e in pat.ephemerals), "refused")
    ada.command("/digest", "summaries off")
    wait(bot.emulator, lambda: any("Summaries are *off*" in str(e) for e in ada.ephemerals), "switched off")
    closed, results, digest = play_the_week(bot, themes=False)
    results = bot.emulator.message(results.channel, results.ts)  # as it is after the themes' tick
    for message in (closed, results, digest):
        assert "In short" not in text_of(message) and "Main themes" not in text_of(message)
        assert "three lines" not in text_of(message)
    assert fake_model.requests == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_slow_model_delays_the_closing_summary_by_at_most_the_timeout_and_no_ack(
    bot: BotUnderTest, fake_model: FakeModel
) -> None:
    """The figures: the fake model answers in 5 s, the summary timeout is 4 s. The closing tick takes
    at most the timeout more than without a model and posts the extractive summary; an answer
    submitted while the model is being asked is acked at once (SQLite, where a transaction held
    open across the call would make every writer wait: the call happens before the claim's)."""
    fake_model.mode, fake_model.delay = "slow", 5.0
    bot.env["TANDEM_SUMMARY_TIMEOUT"] = "4"
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id(CHANNEL)
    pat, maxi = bot.user("pat"), bot.user("max")
    bot.set_now("2026-11-28T12:00:00Z")
    pat.command("/standup")
    pat.modal(callback_id="standup_setup", timeout=WAIT)
    pat.submit(
        {
            Block.NAME: "Daily", Block.CHANNEL: channel, Block.PEOPLE_PRODUCT: [pat.id],
            Block.PEOPLE_MARKETING: [maxi.id], Block.ZONE_MODE: "fixed", Block.TIMEZONE: "Europe/Berlin",
            Block.TIME: "10:00",
        },
        callback_id="standup_setup",
        timeout=WAIT,
    )  # fmt: skip
    wait(em, lambda: any("Daily" in str(e) for e in em.ephemerals_to(pat.id, channel)), "the stand-up saved")
    tick(bot, "2026-11-30T09:00:00Z")
    pat.click(Action.OPEN_ANSWER, message=pat.dms[0])
    pat.modal(callback_id="standup_answer", timeout=WAIT)
    ack = pat.submit({Block.answer(0): "Pricing page", Block.answer(1): "Launch"}, callback_id="standup_answer")
    assert not ack.errors
    parent = wait(em, lambda: em.messages_in(channel), "parent")[0]
    maxi.click(Action.OPEN_ANSWER, message=maxi.dms[0])
    maxi.modal(callback_id="standup_answer", timeout=WAIT)

    bot.set_now("2026-11-30T17:00:00Z")
    timings: dict[str, float] = {}

    def closing_tick() -> None:
        started = time.monotonic()
        bot.tick()
        timings["tick"] = time.monotonic() - started

    ticking = threading.Thread(target=closing_tick)
    ticking.start()
    wait(em, lambda: fake_model.requests or None, "the model being asked")
    ack = maxi.submit({Block.answer(0): "Press kit", Block.answer(1): "Webinar"}, callback_id="standup_answer")
    ticking.join(timeout=60)
    assert not ack.errors and ack.latency < 2.0, ack.latency  # not waiting on the model's 4 s

    closed = wait(em, lambda: [m for m in [em.message(channel, parent.ts)] if "closed" in text_of(m)], "closed")[0]
    print(
        f"\nSLOW MODEL: closing tick {timings['tick']:.2f}s (4 s timeout); an answer's ack meanwhile {ack.latency:.3f}s"
    )
    assert "In short (extractive)*" in text_of(closed)
    assert text_of(closed).count("1 answered") == 2  # Max's answer, sent while the model was asked, counts
    assert len(fake_model.requests) == 1  # the one attempt used the whole budget: no retry
    assert timings["tick"] < 4.0 + 8.0, timings  # a `tandem tick` process (start-up 1-5 s here) plus the timeout
