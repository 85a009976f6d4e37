"""End to end: the real bot process, the Slack emulator, ``tandem tick`` moving time.

The main scenario: product people in New York, marketing people in Berlin, each prompted at
09:30 on their own local Monday; set up and answered only through Slack interactions.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.playground.people import SimulatedUser
from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import Message
from bot.settings import normalize_database_url
from bot.slack.delivery_models import OutboxMessage, OutboxStatus
from bot.standup.ids import Action, Block
from tests.support.botproc import run_tandem
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

SATURDAY_SETUP = "2026-11-28T12:00:00Z"
MONDAY_BERLIN_0930 = "2026-11-30T08:30:00Z"
MONDAY_BERLIN_REMINDER = "2026-11-30T10:30:00Z"  # + 2 h
MONDAY_NEW_YORK_0930 = "2026-11-30T14:30:00Z"
MONDAY_NEW_YORK_REMINDER = "2026-11-30T16:30:00Z"
MONDAY_CLOSE = "2026-11-30T22:30:00Z"  # 8 h after New York's prompt
MONDAY_LATE = "2026-11-30T23:15:00Z"


WAIT = 20.0  # seconds; the machine is shared, the drainer runs in the bot process


def wait(em: SlackEmulator, predicate: Callable[[], Any], *, what: str) -> Any:
    return em.wait_for(predicate, WAIT, what=what)


def all_text(message: Message) -> str:
    return message.text + " " + str(message.blocks or [])


def add_person(bot: BotUnderTest, handle: str, real_name: str, tz: str) -> str:
    ws = bot.emulator.workspace
    user = ws.add_user(handle, real_name, tz)
    ws.channel("product-marketing").members.add(user.id)
    return user.id


def setup_standup(bot: BotUnderTest, owner: SimulatedUser, overrides: dict[str, Any]) -> Any:
    owner.command("/standup")
    owner.modal(callback_id="standup_setup", timeout=WAIT)
    return owner.submit(overrides, callback_id="standup_setup", timeout=WAIT)


def answer(user: SimulatedUser, values: dict[str, Any], *, message: Message | None = None) -> Any:
    user.click(Action.OPEN_ANSWER, message=message or user.dms[0])
    user.modal(callback_id="standup_answer", timeout=WAIT)
    return user.submit(values, callback_id="standup_answer")


def outbox_settled(bot: BotUnderTest) -> bool:
    """Nothing ready is left in the outbox (the bot's own drainer may be sending a row)."""
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


def tick(bot: BotUnderTest, instant: str) -> str:
    bot.set_now(instant)
    output = bot.tick().stdout
    wait(bot.emulator, lambda: outbox_settled(bot), what="outbox drained")
    return output


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_new_york_and_berlin_standup_end_to_end(bot: BotUnderTest) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    noah_id = add_person(bot, "noah", "Noah Park", "America/New_York")
    lena_id = add_person(bot, "lena", "Lena Vogel", "Europe/Berlin")
    pat, maxi, noah, lena = bot.user("pat"), bot.user("max"), bot.user("noah"), bot.user("lena")

    # --- setup through the modal (Saturday) -------------------------------------------------
    bot.set_now(SATURDAY_SETUP)
    ack = setup_standup(
        bot,
        pat,
        {
            Block.NAME: "Launch sync",
            Block.CHANNEL: channel,
            Block.PEOPLE_PRODUCT: [pat.id, noah_id],
            Block.PEOPLE_MARKETING: [maxi.id, lena_id],
            Block.TIME: "09:30",
            Block.ZONE_MODE: "personal",
            Block.REMINDER: "120",
            Block.OPEN_FOR: "480",
        },
    )
    assert ack.status == 200 and not ack.errors, ack.body
    confirmation = wait(em, lambda: em.ephemerals_to(pat.id, channel), what="setup confirmation")
    assert "Launch sync" in str(confirmation[0]) and "4 people" in str(confirmation[0])
    tick(bot, SATURDAY_SETUP)
    assert em.messages_in(channel) == [] and not any(u.dms for u in (pat, maxi, noah, lena))

    # --- Monday 09:30 Berlin: marketing is prompted, product (03:30 in New York) is not -------
    tick(bot, MONDAY_BERLIN_0930)
    assert len(maxi.dms) == 1 and len(lena.dms) == 1
    assert pat.dms == [] and noah.dms == []
    parents = em.messages_in(channel)
    assert len(parents) == 1 and "Launch sync" in all_text(parents[0])
    parent = parents[0]

    # Max answers with a blocker and an ask for Pat (product).
    ack = answer(
        maxi,
        {
            Block.answer(0): "Finished the launch brief <!channel>",
            Block.answer(1): "Press kit",
            Block.BLOCKER: "Waiting on final pricing",
            Block.ASK_USER: pat.id,
            Block.ASK_TEXT: "Final pricing by Wednesday?",
        },
    )
    assert ack.status == 200 and not ack.errors, ack.body
    wait(em, lambda: len(em.thread(channel, parent.ts)) == 1, what="Max's reply")
    reply = em.thread(channel, parent.ts)[0]
    assert "Finished the launch brief" in all_text(reply) and "<!channel>" not in all_text(reply)
    assert "Waiting on final pricing" in all_text(reply)
    ask_dm = pat.wait_for_dm(timeout=WAIT)  # the ask, once
    assert "Final pricing by Wednesday?" in all_text(ask_dm)

    # An empty answer comes back as a modal error; the modal stays open with the text.
    lena.click(Action.OPEN_ANSWER, message=lena.dms[0])
    lena.modal(callback_id="standup_answer", timeout=WAIT)
    ack = lena.submit({Block.answer(0): "   ", Block.answer(1): "Webinar deck"}, callback_id="standup_answer")
    assert Block.answer(0) in ack.errors
    assert em.open_modal(lena.id) is not None
    lena.close_modal()

    # --- the single reminder, only to Lena --------------------------------------------------
    tick(bot, MONDAY_BERLIN_REMINDER)
    assert len(lena.dms) == 2 and "only reminder" in all_text(lena.dms[1])
    assert len(maxi.dms) == 1
    ack = answer(lena, {Block.answer(0): "Webinar deck", Block.answer(1): "Newsletter"}, message=lena.dms[1])
    assert not ack.errors
    wait(em, lambda: len(em.thread(channel, parent.ts)) == 2, what="Lena's reply")

    # --- Monday 09:30 New York: product is prompted into the same thread --------------------
    tick(bot, MONDAY_NEW_YORK_0930)
    assert len(pat.dms) == 2 and len(noah.dms) == 1
    pat_prompt = pat.dms[1]
    assert "Final pricing by Wednesday?" in all_text(pat_prompt)  # open asks in the next prompt
    assert len(em.messages_in(channel)) == 1  # still one parent
    ack = answer(pat, {Block.answer(0): "Pricing page", Block.answer(1): "Beta invites"}, message=pat_prompt)
    assert not ack.errors
    wait(em, lambda: len(em.thread(channel, parent.ts)) == 3, what="Pat's reply")
    pat.click(Action.ASK_HANDLED, message=ask_dm)
    wait(em, lambda: "handled" in all_text(em.thread(channel, parent.ts)[0]), what="ask handled in thread")

    # Max edits from the thread's Edit button: the same message changes in place.
    maxi.click(Action.EDIT_ANSWER, message=em.thread(channel, parent.ts)[0])
    modal = maxi.modal(callback_id="standup_answer", timeout=WAIT)
    assert "Finished the launch brief" in str(modal.blocks)  # pre-filled with the answer
    ack = maxi.submit({Block.answer(1): "Press kit, v2 sent to legal"}, callback_id="standup_answer")
    assert not ack.errors
    wait(em, lambda: "v2 sent to legal" in all_text(em.thread(channel, parent.ts)[0]), what="edit in place")
    # Pat may not edit Max's answer.
    pat.click(Action.EDIT_ANSWER, message=em.thread(channel, parent.ts)[0])
    wait(em, lambda: any("Only the person" in str(e) for e in pat.ephemerals), what="edit refused")

    # --- New York reminder: only Noah; then the close ---------------------------------------
    tick(bot, MONDAY_NEW_YORK_REMINDER)
    assert len(noah.dms) == 2 and len(pat.dms) == 2
    tick(bot, MONDAY_CLOSE)
    summary = em.message(channel, parent.ts)
    text = all_text(summary)
    assert "closed" in text
    assert "Product" in text and "1 answered, 1 missing" in text
    assert "Marketing" in text and "2 answered" in text
    assert "Waiting on final pricing" in text and "Final pricing by Wednesday?" in text
    assert "<@" not in text  # nobody is @-mentioned in the channel

    # A late answer joins the same thread; the summary is refreshed in place.
    bot.set_now(MONDAY_LATE)
    ack = answer(noah, {Block.answer(0): "QA pass", Block.answer(1): "Release notes"}, message=noah.dms[0])
    assert not ack.errors
    wait(em, lambda: len(em.thread(channel, parent.ts)) == 4, what="Noah's late reply")
    wait(em, lambda: "2 answered" in all_text(em.message(channel, parent.ts)).split("Marketing")[0],
                what="summary refreshed")  # fmt: skip
    tick(bot, "2026-12-01T06:00:00Z")  # nothing else for Monday

    # --- the counts --------------------------------------------------------------------------
    top_level = em.messages_in(channel)
    thread = em.thread(channel, parent.ts)
    counts = {u.name: len(u.dms) for u in (pat, noah, maxi, lena)}
    updates = len(em.calls("chat.update", channel=channel))
    print(
        f"\nSLACK MESSAGE COUNTS: channel top-level={len(top_level)}, thread replies={len(thread)}, "
        f"channel chat.update={updates}, DMs={counts}"
    )
    assert len(top_level) == 1 and len(thread) == 4
    assert counts == {"pat": 2, "noah": 2, "max": 1, "lena": 2}  # pat: prompt + the ask; others prompt (+ reminder)
    reminders = {u.name: sum("only reminder" in all_text(m) for m in u.dms) for u in (pat, noah, maxi, lena)}
    assert reminders == {"pat": 0, "noah": 1, "max": 0, "lena": 1}
    for user in (pat, noah, maxi, lena):
        prompts = [m for m in user.dms if "Time for" in m.text]
        assert len(prompts) == 1, user.name


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_channel_the_bot_is_not_in_and_permissions(bot: BotUnderTest) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    pat, maxi, ada = bot.user("pat"), bot.user("max"), bot.user("ada")
    bot.set_now(SATURDAY_SETUP)
    ack = setup_standup(
        bot, pat, {Block.NAME: "Launch sync", Block.CHANNEL: ws.channel_id("random"), Block.PEOPLE_PRODUCT: [pat.id]}
    )
    assert "/invite @Tandem" in ack.errors[Block.CHANNEL]
    ack = pat.submit(
        {Block.NAME: "Launch sync", Block.CHANNEL: ws.channel_id("leadership"), Block.PEOPLE_PRODUCT: [pat.id]},
        callback_id="standup_setup",
    )
    assert "can't see that channel" in ack.errors[Block.CHANNEL]
    ack = pat.submit(
        {
            Block.NAME: "Launch sync",
            Block.CHANNEL: ws.channel_id("product-marketing"),
            Block.PEOPLE_PRODUCT: [pat.id, ws.user_id("gone")],
            Block.PEOPLE_MARKETING: [maxi.id],
        },
        callback_id="standup_setup",
    )
    assert not ack.errors
    note = wait(em, lambda: em.ephemerals_to(pat.id), what="confirmation")
    assert "left out" in str(note[-1])  # the deactivated person is dropped, with a note

    for command in ("pause Launch sync", "edit Launch sync", "now Launch sync"):
        before = len(maxi.ephemerals)
        maxi.command("/standup", command)
        wait(em, lambda b=before: len(maxi.ephemerals) > b, what=f"refusal of {command}")
        assert "Only the owner" in str(maxi.ephemerals[-1])
    assert em.open_modal(maxi.id) is None
    ada.command("/standup", "pause Launch sync")  # a workspace admin may
    wait(em, lambda: any("Paused" in str(e) for e in ada.ephemerals), what="admin pause")
    ack = pat.command("/standup", "list")
    assert "Launch sync" in ack.text and "paused" in ack.text
    tick(bot, MONDAY_BERLIN_0930)
    assert maxi.dms == []  # paused: no prompt
    pat.command("/standup", "resume Launch sync")
    wait(em, lambda: any("Resumed" in str(e) for e in pat.ephemerals), what="resume")

    # Later the bot is removed from the channel: the owner hears about it once, with the fix.
    ws.channel("product-marketing").members.discard(ws.bot_user_id)
    tick(bot, "2026-12-01T08:30:00Z")  # Tuesday 09:30 in Berlin
    assert len(maxi.dms) == 1  # Max's prompt still goes out
    alert = wait(em, lambda: [m for m in pat.dms if "/invite @Tandem" in all_text(m)], what="owner alert")
    assert len(alert) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_skip_out_of_office_and_start_now(bot: BotUnderTest) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    pat, maxi, asha = bot.user("pat"), bot.user("max"), bot.user("asha")
    bot.set_now(SATURDAY_SETUP)
    ack = setup_standup(
        bot,
        pat,
        {
            Block.NAME: "Daily",
            Block.CHANNEL: channel,
            Block.PEOPLE_PRODUCT: [pat.id, maxi.id],
            Block.PEOPLE_MARKETING: [asha.id],
            Block.ZONE_MODE: "fixed",
            Block.TIMEZONE: "Europe/Berlin",
            Block.TIME: "10:00",
        },
    )
    assert not ack.errors
    # Asha is out of office until Tuesday.
    bot.set_now("2026-11-29T12:00:00Z")
    asha.command("/standup", "skip until 2026-12-01")
    wait(em, lambda: any("until 2026-12-01" in str(e) for e in asha.ephemerals), what="skip ack")
    tick(bot, "2026-11-30T09:00:00Z")  # Monday 10:00 Berlin, one zone for everybody
    assert asha.dms == [] and len(maxi.dms) == 1 and len(pat.dms) == 1
    # Max skips today from the prompt: no reminder follows.
    maxi.click(Action.SKIP_TODAY, message=maxi.dms[0])
    wait(em, lambda: "Skipped" in maxi.dms[0].text, what="skip replaces the prompt")
    tick(bot, "2026-11-30T11:00:00Z")  # reminder time (2 h)
    assert len(maxi.dms) == 1 and len(pat.dms) == 2 and asha.dms == []
    tick(bot, "2026-11-30T17:00:00Z")  # closes after 8 h
    summary = all_text(em.messages_in(channel)[0])
    assert "1 skipped" in summary and "1 missing" in summary and "1 out of office" in summary

    # /standup now starts Tuesday's occurrence right away for everybody not away.
    bot.set_now("2026-12-01T07:00:00Z")
    pat.command("/standup", "now Daily")
    wait(em, lambda: any("Started" in str(e) for e in pat.ephemerals), what="now")
    wait(em, lambda: len(em.messages_in(channel)) == 2, what="second parent")
    wait(em, lambda: len(maxi.dms) == 2 and len(pat.dms) == 3, what="Tuesday's prompts")
    assert asha.dms == []  # Asha is still away on Tuesday


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_standup_is_found_by_its_name_in_any_case_or_spacing(inproc_bot: BotUnderTest) -> None:
    """`/standup pause équipe produit` finds "Équipe Produit", and a second "équipe produit" is refused.
    (SQL ``lower()`` folds ASCII only on SQLite and in PostgreSQL's C locale: names are matched by
    a stored key.)"""
    bot = inproc_bot
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    pat, maxi = bot.user("pat"), bot.user("max")
    bot.set_now(SATURDAY_SETUP)
    fields = {Block.CHANNEL: channel, Block.PEOPLE_PRODUCT: [pat.id], Block.PEOPLE_MARKETING: [maxi.id]}
    ack = setup_standup(bot, pat, {Block.NAME: "Équipe Produit", **fields})
    assert ack.status == 200 and not ack.errors, ack.body
    wait(em, lambda: em.ephemerals_to(pat.id, channel), what="setup confirmation")

    ack = setup_standup(bot, pat, {Block.NAME: "équipe produit", **fields})
    assert "There is already a stand-up called “équipe produit”" in ack.errors[Block.NAME]

    pat.command("/standup", "pause équipe produit")
    paused = wait(em, lambda: [e for e in pat.ephemerals if "Paused" in str(e)], what="pause")
    assert "Équipe Produit" in str(paused[-1])
    pat.command("/standup", "resume ÉQUIPE  PRODUIT")
    wait(em, lambda: [e for e in pat.ephemerals if "Resumed" in str(e)], what="resume")
    listed = pat.command("/standup", "list").text
    assert listed.count("Équipe Produit") == 1 and "équipe produit" not in listed


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_each_side_other_included_is_asked_its_own_questions(inproc_bot: BotUnderTest) -> None:
    """Questions "optionally different per side": product falls back to the shared questions,
    marketing and "Other" people get theirs, set in the setup modal and shown in the answer modal."""
    bot = inproc_bot
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    pat, maxi = bot.user("pat"), bot.user("max")
    dana = bot.user(add_person(bot, "dana", "Dana Design", "Europe/Berlin"))
    bot.set_now(SATURDAY_SETUP)
    ack = setup_standup(
        bot,
        pat,
        {
            Block.NAME: "Trio",
            Block.CHANNEL: channel,
            Block.PEOPLE_PRODUCT: [pat.id],
            Block.PEOPLE_MARKETING: [maxi.id],
            Block.PEOPLE_OTHER: [dana.id],
            Block.QUESTIONS: "What moved?",
            Block.QUESTIONS_MARKETING: "Which campaign moved?",
            Block.QUESTIONS_OTHER: "Which designs moved?\nWhat do you need from us?",
        },
    )
    assert ack.status == 200 and not ack.errors, ack.body

    wait(em, lambda: em.ephemerals_to(pat.id, channel), what="setup confirmation")  # saved after the ack

    pat.command("/standup", "edit Trio")  # the edit form shows what was saved, per side
    edit = pat.modal(callback_id="standup_setup", timeout=WAIT)
    by_id = {b.get("block_id"): b for b in edit.blocks}
    assert by_id[Block.QUESTIONS_OTHER]["element"]["initial_value"] == "Which designs moved?\nWhat do you need from us?"
    assert "initial_value" not in by_id[Block.QUESTIONS_PRODUCT]["element"]
    pat.close_modal(view=edit)

    bot.set_now(MONDAY_BERLIN_0930)
    pat.command("/standup", "now Trio")
    tick(bot, MONDAY_BERLIN_0930)
    wait(em, lambda: pat.dms and maxi.dms and dana.dms, what="everyone's prompt")
    expected = {
        pat.id: ["What moved?"],
        maxi.id: ["Which campaign moved?"],
        dana.id: ["Which designs moved?", "What do you need from us?"],
    }
    for person in (pat, maxi, dana):
        person.click(Action.OPEN_ANSWER, message=person.dms[-1])
        modal = person.modal(callback_id="standup_answer", timeout=WAIT)
        asked = [b["label"]["text"] for b in modal.blocks if str(b.get("block_id", "")).startswith(Block.ANSWER_PREFIX)]
        assert asked == expected[person.id], person.name
        person.close_modal(view=modal)


def next_monday_at(hour: int, zone: str, *, after: datetime) -> datetime:
    """The first Monday at least two days after ``after``, at ``hour``:00 in ``zone``, in UTC."""
    day = (after + timedelta(days=2)).astimezone(ZoneInfo(zone)).date()
    day += timedelta(days=(7 - day.weekday()) % 7)
    return datetime.combine(day, time(hour, 0), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def test_tick_at_a_future_instant_delivers_what_it_ran(bot: BotUnderTest) -> None:
    """`tandem tick --now T` with T ahead of the real clock and no clock file: the prompts it creates
    at T are sent by that same tick (the outbox is drained as of T), not left waiting for T to come.
    The bot's own drainer runs on the real clock, so only the tick can have sent them."""
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    pat, maxi, asha = bot.user("pat"), bot.user("max"), bot.user("asha")
    assert bot.clock.now() is None  # the bot runs on the real clock
    ack = setup_standup(
        bot,
        pat,
        {
            Block.NAME: "Future sync",
            Block.CHANNEL: channel,
            Block.PEOPLE_PRODUCT: [pat.id, maxi.id],
            Block.PEOPLE_MARKETING: [asha.id],
            Block.ZONE_MODE: "fixed",
            Block.TIMEZONE: "Europe/Berlin",
            Block.TIME: "10:00",
        },
    )
    assert ack.status == 200 and not ack.errors, ack.body
    wait(em, lambda: em.ephemerals_to(pat.id, channel), what="setup confirmation")

    future = next_monday_at(10, "Europe/Berlin", after=datetime.now(UTC))
    env = {key: value for key, value in bot.env.items() if key != "TANDEM_CLOCK_FILE"}
    result = run_tandem("tick", "--now", future.isoformat(), env=env, cwd=bot.workdir)
    assert result.returncode == 0, result.stderr
    assert future.strftime("%Y-%m-%dT%H:%M") in result.stdout

    # Sent by the tick itself, before it returned: no waiting.
    assert len(pat.dms) == 1 and len(maxi.dms) == 1 and len(asha.dms) == 1
    parents = em.messages_in(channel)
    assert len(parents) == 1 and "Future sync" in all_text(parents[0])
    assert outbox_settled(bot)
    db = Database.from_url(normalize_database_url(bot.database_url))
    try:
        with db.unit_of_work() as session:
            sent_at = set(
                session.scalars(select(OutboxMessage.sent_at).where(OutboxMessage.key.like("standup:%:prompt:%")))
            )
    finally:
        db.dispose()
    assert sent_at and all(moment is not None and moment >= future for moment in sent_at), sent_at
