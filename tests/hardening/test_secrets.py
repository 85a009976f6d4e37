"""No secret in the logs, even at DEBUG: the real bot runs commands, modals, buttons, the Home tab,
outbox posts and a ``tandem tick`` that posts stand-up prompts; then its whole output (and the
tick's) is searched for the bot token, the signing secret, any xox*/xapp token and every request
signature the driver sent. Encryption of stored tokens is covered by tests/security."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.db import Database
from bot.insights.ids import Action as InsightAction
from bot.insights.ids import Block as InsightBlock
from bot.insights.ids import Callback as InsightCallback
from bot.slack.users import SlackUser
from bot.standup.data import StandupInput
from bot.standup.ids import Side, ZoneMode
from bot.standup.setup import save_standup
from tests.hardening.helpers import set_up_insights, wait_outbox_settled
from tests.support.fixtures import BotUnderTest

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

TOKEN_PATTERN = re.compile(r"xox[a-z]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+")


@pytest.fixture
def bot_options() -> dict[str, Any]:
    return {"log_level": "DEBUG"}


class Directory:
    """Everyone named is an active person (the stand-up service's people look-up, without Slack)."""

    def get_user(self, user_id: str) -> SlackUser:
        return SlackUser(user_id, "T", user_id, "UTC", False, False, False)

    def group_members(self, group_id: str) -> list[str]:
        return []


def seed_standup(bot: BotUnderTest) -> None:
    """A stand-up due at 09:00 UTC on weekdays, made through the stand-up service."""
    ws = bot.emulator.workspace
    data = StandupInput(
        name="Launch sync",
        channel_id=ws.channel_id("product-marketing"),
        people={Side.PRODUCT: [ws.user_id("pat")], Side.MARKETING: [ws.user_id("asha")]},
        groups={},
        days=[0, 1, 2, 3, 4],
        local_time="09:00",
        zone_mode=ZoneMode.FIXED,
        timezone="UTC",
        questions={"all": ["What did you finish?"]},
        blocker_question="What do you need from the other team?",
        reminder_minutes=60,
        open_minutes=240,
        prefill=False,
    )
    db = Database.from_url(bot.database_url)
    try:
        with db.unit_of_work() as session:
            save_standup(
                session, Directory(), team_id=ws.team_id, actor_id=ws.user_id("pat"), actor_is_admin=True,
                data=data, now=bot.clock.now(),  # type: ignore[arg-type]
            )  # fmt: skip
    finally:
        db.dispose()


def test_debug_logs_of_a_full_run_hold_no_secret(bot: BotUnderTest, signing_secret: str) -> None:
    emulator, ws = bot.emulator, bot.emulator.workspace
    bot.set_now("2026-11-23T08:00:00Z")  # a Monday
    channel = set_up_insights(bot)
    pat, mia = bot.user("pat"), bot.user("mia")
    assert pat.command("/insight", "help").status == 200
    pat.command("/insight", "Agencies want a white-label report")
    assert pat.submit({InsightBlock.CUSTOMER: "Initech"}, callback_id=InsightCallback.CAPTURE).status == 200
    posted = emulator.wait_for(lambda: emulator.messages_in(channel), timeout=15, what="the insight post")[0]
    mia.click(InsightAction.HEARD_TOO, message=posted)
    assert mia.submit({InsightBlock.NOTE: "Same on Friday"}, callback_id=InsightCallback.PLUS_ONE).status == 200
    assert pat.command("/insight", "list").status == 200
    assert pat.open_home().status == 200
    emulator.wait_for(lambda: emulator.home_of(pat.id), what="the Home tab")
    wait_outbox_settled(emulator, bot.database_url)

    seed_standup(bot)
    bot.set_now("2026-11-23T09:00:30Z")
    tick = bot.tick()
    assert "standup.prompt: 1" in tick.stdout, tick.stdout
    assert emulator.dms_to(ws.user_id("pat")) and emulator.dms_to(ws.user_id("asha"))

    logs = {"bot": bot.log_text(), "tick": tick.stdout + tick.stderr}
    assert " DEBUG " in logs["bot"] and " DEBUG " in logs["tick"]  # really at DEBUG
    assert "chat.postMessage" in logs["bot"] + logs["tick"]  # and the Web API traffic is logged
    sent = {ack.sent_headers["X-Slack-Signature"] for ack in bot.driver.acks if ack.sent_headers}
    assert len(sent) >= 8
    secrets = {"bot token": ws.bot_token, "signing secret": signing_secret}
    for where, text in logs.items():
        for name, secret in secrets.items():
            assert secret not in text, f"the {name} is in the {where} log"
        assert not TOKEN_PATTERN.findall(text), f"a Slack token is in the {where} log"
        for value in sent:
            leaked = value in text or value.removeprefix("v0=") in text
            assert not leaked, f"a request signature is in the {where} log"
