"""End to end: public holidays per person, company days off and gentle escalation, through the real
bot (HTTP mode, signed requests) and ``tandem tick``, on SQLite and PostgreSQL.

Dates are chosen with the ``holidays`` library: Whit Monday, 17 May 2027, is a public holiday in
Germany (Berlin: "Pentecost Monday") and, as it happens, in India (Eid al-Adha, estimated), but
not in the United States; the week of 10 May 2027 has no holiday in Berlin or New York.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import pytest

from bot.playground.people import SimulatedUser
from bot.standup.ids import Action, Block
from tests.standup.test_e2e_standup import WAIT, all_text, answer, setup_standup, tick, wait
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

FRIDAY_SETUP = "2027-05-14T12:00:00Z"
# Whit Monday 2027-05-17, each person's 09:30 (summer time): Kolkata, Berlin, New York, Los Angeles.
KOLKATA_0930 = "2027-05-17T04:00:00Z"
BERLIN_0930 = "2027-05-17T07:30:00Z"
BERLIN_REMINDER = "2027-05-17T09:30:00Z"
NEW_YORK_0930 = "2027-05-17T13:30:00Z"
NEW_YORK_REMINDER = "2027-05-17T15:30:00Z"
LOS_ANGELES_0930 = "2027-05-17T16:30:00Z"
LOS_ANGELES_REMINDER = "2027-05-17T18:30:00Z"
CLOSE = "2027-05-18T00:30:00Z"  # 8 h after the last prompt (Los Angeles)


def prompts(user: SimulatedUser) -> int:
    return sum("Time for" in m.text for m in user.dms)


def reminders(user: SimulatedUser) -> int:
    return sum("only reminder" in all_text(m) for m in user.dms)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_berlin_and_kolkata_are_off_on_whit_monday_while_the_us_is_prompted(bot: BotUnderTest) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    pat, maxi, asha, mia = bot.user("pat"), bot.user("max"), bot.user("asha"), bot.user("mia")
    bot.set_now(FRIDAY_SETUP)
    ack = setup_standup(
        bot, pat,
        {
            Block.NAME: "Launch sync", Block.CHANNEL: channel, Block.PEOPLE_PRODUCT: [pat.id, maxi.id],
            Block.PEOPLE_MARKETING: [asha.id, mia.id], Block.TIME: "09:30", Block.ZONE_MODE: "personal",
            Block.REMINDER: "120", Block.OPEN_FOR: "480",
        },
    )  # fmt: skip
    assert ack.status == 200 and not ack.errors, ack.body
    wait(em, lambda: em.ephemerals_to(pat.id, channel), what="setup confirmation")
    tick(bot, FRIDAY_SETUP)

    # The stand-up week: the ticks of Whit Monday in time order.
    for instant in (KOLKATA_0930, BERLIN_0930, BERLIN_REMINDER, NEW_YORK_0930):
        tick(bot, instant)
    assert maxi.dms == [] and asha.dms == []  # their holiday: no prompt
    assert prompts(pat) == 1
    for instant in (NEW_YORK_REMINDER, LOS_ANGELES_0930, LOS_ANGELES_REMINDER, CLOSE):
        tick(bot, instant)
    assert maxi.dms == [] and asha.dms == []  # and no reminder
    counts = {u.name: (prompts(u), reminders(u)) for u in (pat, maxi, asha, mia)}
    print(f"\nHOLIDAY WEEK MESSAGE COUNTS (prompts, reminders) on Whit Monday 2027-05-17: {counts}")
    assert counts == {"pat": (1, 1), "max": (0, 0), "asha": (0, 0), "mia": (1, 1)}

    summary = all_text(em.messages_in(channel)[0])
    assert "closed" in summary
    assert "1 off (holiday)" in summary and "1 missing" in summary  # per side: the off person is not missing
    assert "off (holiday): Pentecost Monday" in summary  # Max, in Berlin
    assert "off (holiday): Eid al-Adha" in summary  # Asha, in Kolkata
    assert "<@" not in summary

    # Tuesday is a working day again for everybody.
    tick(bot, "2027-05-18T07:30:00Z")
    assert prompts(maxi) == 1


def setup_escalating(bot: BotUnderTest, owner: SimulatedUser, people: dict[str, list[str]]) -> None:
    channel = bot.emulator.workspace.channel_id("product-marketing")
    bot.set_now("2027-05-08T12:00:00Z")  # Saturday
    ack = setup_standup(
        bot, owner,
        {
            Block.NAME: "Weekly", Block.CHANNEL: channel, Block.PEOPLE_PRODUCT: people["product"],
            Block.PEOPLE_MARKETING: people["marketing"], Block.TIME: "09:30", Block.ZONE_MODE: "fixed",
            Block.TIMEZONE: "America/New_York", Block.REMINDER: "0", Block.OPEN_FOR: "480",
        },
    )  # fmt: skip
    assert ack.status == 200 and not ack.errors, ack.body
    tick(bot, "2027-05-08T12:00:00Z")


def raised_to(bot: BotUnderTest, user: SimulatedUser) -> list[Any]:
    """Escalation DMs posted to ``user`` (calls, so a DM later replaced in place still counts)."""
    return [
        c
        for c in bot.emulator.calls("chat.postMessage", channel=user.id)
        if c.args.get("text", "").startswith("Open for")
    ]


def nudges_to(bot: BotUnderTest, user: SimulatedUser) -> list[Any]:
    return [
        c for c in bot.emulator.calls("chat.postMessage", channel=user.id) if "gentle nudge" in c.args.get("text", "")
    ]


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_an_ask_open_two_working_days_reaches_the_owner_once_and_one_nudge(bot: BotUnderTest) -> None:
    em = bot.emulator
    pat, mia, maxi = bot.user("pat"), bot.user("mia"), bot.user("max")
    setup_escalating(bot, maxi, {"product": [pat.id, maxi.id], "marketing": [mia.id]})

    # Monday 10 May, 09:30 New York: Pat (product) asks Mia (marketing, Los Angeles) for something.
    # Max owns the stand-up. Working days are counted in Mia's local dates and calendar (US, CA).
    tick(bot, "2027-05-10T13:30:00Z")
    ack = answer(
        pat,
        {
            Block.answer(0): "Pricing page", Block.answer(1): "Beta invites",
            Block.ASK_USER: mia.id, Block.ASK_TEXT: "Launch copy by Tuesday?",
        },
    )  # fmt: skip
    assert not ack.errors, ack.body
    mia.wait_for_dm(count=2, timeout=WAIT)  # her prompt, then the ask
    tick(bot, "2027-05-10T21:30:00Z")  # Monday's close: 0 working days
    tick(bot, "2027-05-11T13:30:00Z")
    tick(bot, "2027-05-11T21:30:00Z")  # Tuesday's close: 1 working day
    assert raised_to(bot, maxi) == []
    tick(bot, "2027-05-12T13:30:00Z")
    tick(bot, "2027-05-12T21:30:00Z")  # Wednesday's close: 2 working days in Los Angeles -> the owner
    raised = raised_to(bot, maxi)
    assert len(raised) == 1 and raised_to(bot, pat) == [] and raised_to(bot, mia) == []
    message = next(m for m in maxi.dms if m.ts == raised[0].response.get("ts"))
    text = all_text(message)
    assert "2 working days" in text and "Launch copy by Tuesday?" in text and "Nudge them" in text
    assert all("<!" not in all_text(m) for m in em.messages_in("product-marketing"))  # no channel ping

    # The owner's one nudge: one DM to the person asked; a second click sends nothing more.
    before_click = copy.deepcopy(message)
    maxi.click(Action.NUDGE, message=message)
    wait(em, lambda: nudges_to(bot, mia), what="the nudge DM")
    assert "Launch copy by Tuesday?" in str(nudges_to(bot, mia)[0].args)
    wait(em, lambda: "I sent" in all_text(em.message(message.channel, message.ts)), what="button replaced")
    ack = maxi.click(Action.NUDGE, message=before_click)  # the old button, clicked again (another device)
    assert ack.status == 200
    tick(bot, "2027-05-13T13:30:00Z")
    tick(bot, "2027-05-13T21:30:00Z")  # Thursday: 3 working days, never raised twice
    tick(bot, "2027-05-14T21:30:00Z")  # Friday (its prompt recorded missed): still once
    assert len(raised_to(bot, maxi)) == 1
    assert len(nudges_to(bot, mia)) == 1


def ephemeral_with(user: SimulatedUser, text: str) -> Any:
    return wait(user.emulator, lambda: [e for e in user.ephemerals if text in str(e)], what=f"“{text}” to {user.name}")


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_company_days_off_and_my_public_holidays_in_app_home(bot: BotUnderTest) -> None:
    em, ws = bot.emulator, bot.emulator.workspace
    channel = ws.channel_id("product-marketing")
    pat, maxi, ada = bot.user("pat"), bot.user("max"), bot.user("ada")
    bot.set_now("2027-05-08T12:00:00Z")

    # --- /standup holiday: admins only, friendly errors --------------------------------------
    ada.command("/standup", "holiday add 2027-05-12 Team offsite")
    ephemeral_with(ada, "Added Wed May 12 (2027-05-12), “Team offsite” as a company day off")
    ada.command("/standup", "holiday add 2027-05-12 Again")
    ephemeral_with(ada, "2027-05-12 is already a company day off (“Team offsite”)")
    ada.command("/standup", "holiday add 12/05/2027")
    ephemeral_with(ada, "“12/05/2027” is not a date I can read")
    pat.command("/standup", "holiday add 2027-05-13")
    ephemeral_with(pat, "Only a workspace admin can add or remove company days off.")
    pat.command("/standup", "holiday list")
    ephemeral_with(pat, "Team offsite")
    ada.command("/standup", "holiday remove 2027-05-14")
    ephemeral_with(ada, "2027-05-14 is not a company day off")

    # --- My public holidays, in App Home ---------------------------------------------------------
    maxi.open_home()
    home = str(maxi.home(timeout=WAIT))
    assert "My public holidays" in home and "Germany (BE), from your time zone (Europe/Berlin)" in home
    maxi.click(Action.OPEN_HOLIDAYS, in_home=True)
    modal = maxi.modal(callback_id="standup_holidays", timeout=WAIT)
    assert "Berlin (BE)" in str(modal.blocks)  # Germany's regions, Berlin chosen
    # Max lives in New York state for a while: another country loads its regions in place.
    country = next(b for b in modal.blocks if b.get("block_id") == Block.HOLIDAY_COUNTRY)["element"]
    us = next(o for g in country["option_groups"] for o in g["options"] if o["value"] == "US")
    bot.driver.block_actions(
        user=maxi.id, view=modal,
        actions=[{"type": "static_select", "action_id": Action.HOLIDAY_COUNTRY, "block_id": Block.HOLIDAY_COUNTRY,
                  "selected_option": us}],
    )  # fmt: skip
    modal = wait(em, lambda: (m := em.open_modal(maxi.id)) and "New York (NY)" in str(m.blocks) and m, what="regions")
    ack = maxi.submit({Block.HOLIDAY_COUNTRY: "US", Block.HOLIDAY_SUBDIVISION: "NY"}, callback_id="standup_holidays")
    assert ack.status == 200 and not ack.errors, ack.body
    wait(em, lambda: "United States (NY)" in str(em.home_of(maxi.id)), what="Home shows the new calendar")
    # Someone who neither is Max nor owns a stand-up he is in may not change his holidays.
    pat.open_home()
    pat.home(timeout=WAIT)
    pat.click(Action.OPEN_HOLIDAYS, in_home=True)
    pat.modal(callback_id="standup_holidays", timeout=WAIT)
    ack = pat.submit({Block.HOLIDAY_USER: maxi.id, Block.HOLIDAY_COUNTRY: "IN"}, callback_id="standup_holidays")
    assert Block.HOLIDAY_USER in ack.errors and "Only that person" in ack.errors[Block.HOLIDAY_USER]

    # --- a stand-up week: nobody is prompted on the company day off; Max now has US holidays -----
    setup_escalating(bot, pat, {"product": [pat.id, maxi.id], "marketing": [bot.user("mia").id]})
    tick(bot, "2027-05-12T13:30:00Z")  # Wednesday, the offsite, 09:30 New York
    assert pat.dms == [] and maxi.dms == []
    tick(bot, "2027-05-12T21:30:00Z")
    summary = all_text(em.messages_in(channel)[0])
    assert "off (holiday): Team offsite" in summary and "missing" not in summary
    tick(bot, "2027-05-13T13:30:00Z")  # Thursday: everybody works
    assert prompts(pat) == 1 and prompts(maxi) == 1


# Whit Monday week, 17-21 May 2027 (summer time): Berlin and New York's 09:30 prompt, the reminder
# two hours later, and the closing 8 hours after New York's prompt.
WEEK = [date(2027, 5, 17) + timedelta(days=n) for n in range(5)]


def day_instants(day: date) -> list[str]:
    at = [(day, "07:30"), (day, "09:30"), (day, "13:30"), (day, "15:30"), (day + timedelta(days=1), "01:30")]
    return [f"{d.isoformat()}T{t}:00Z" for d, t in at]


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_attention_in_a_standup_week_with_one_holiday(bot: BotUnderTest) -> None:
    """The README's attention figure: per person per occurrence at most 1 prompt + 1 reminder, and
    nothing on their own public holiday (Whit Monday, Berlin). Nobody answers, so every reminder due
    is sent: the worst case."""
    em = bot.emulator
    channel = em.workspace.channel_id("product-marketing")
    pat, maxi = bot.user("pat"), bot.user("max")
    bot.set_now(FRIDAY_SETUP)
    ack = setup_standup(
        bot, pat,
        {
            Block.NAME: "Week", Block.CHANNEL: channel, Block.PEOPLE_PRODUCT: [pat.id],
            Block.PEOPLE_MARKETING: [maxi.id], Block.TIME: "09:30", Block.ZONE_MODE: "personal",
            Block.REMINDER: "120", Block.OPEN_FOR: "480",
        },
    )  # fmt: skip
    assert not ack.errors, ack.body
    tick(bot, FRIDAY_SETUP)
    table: dict[str, list[tuple[int, int]]] = {"pat": [], "max": []}
    for day in WEEK:
        before = {u.name: (prompts(u), reminders(u)) for u in (pat, maxi)}
        for instant in day_instants(day):
            tick(bot, instant)
        for user in (pat, maxi):
            table[user.name].append((prompts(user) - before[user.name][0], reminders(user) - before[user.name][1]))
    print(f"\nATTENTION, Whit Monday week 2027-05-17..21, (prompts, reminders) per day: {table}")
    assert table["pat"] == [(1, 1)] * 5
    assert table["max"] == [(0, 0)] + [(1, 1)] * 4  # nothing on his holiday
    assert len(em.messages_in(channel)) == 5  # one thread per day
    assert "off (holiday): Pentecost Monday" in all_text(em.messages_in(channel)[0])
