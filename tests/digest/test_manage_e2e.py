"""``/digest list|pause|resume|delete`` end to end: the current channel's digest or a named one,
owner or admin only, and what each does to the schedule (a paused digest posts nothing)."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from bot.digest.models import Digest, DigestRun
from bot.scheduling.models import Schedule
from bot.slack.drainer import drain
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e
CHANNEL = "product-marketing"


def _ephemeral(bot: BotUnderTest, handle: str, needle: str) -> str:
    person = bot.user(handle)
    found = bot.emulator.wait_for(
        lambda: [str(e) for e in person.ephemerals if needle in str(e)] or None, what=f"{needle!r} for {handle}"
    )
    return found[-1]


def _digest_and_schedule(bot: BotUnderTest) -> tuple[Digest | None, Schedule | None]:
    with bot.services.db.unit_of_work() as session:
        digest = session.scalar(select(Digest))
        schedule = session.scalar(select(Schedule).where(Schedule.kind == "digest.post"))
        session.expunge_all()
        return digest, schedule


def _digests_posted(bot: BotUnderTest) -> int:
    return sum("Weekly digest" in m.text for m in bot.emulator.messages_in(CHANNEL))


def test_list_pause_resume_and_delete(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    ws = bot.emulator.workspace
    bot.set_now("2026-11-18T10:00:00Z")  # a Wednesday
    mia, pat, ada = bot.user("mia"), bot.user("pat"), bot.user("ada")
    mia.command("/digest", "setup", channel=CHANNEL)
    ack = mia.submit({"digest_timezone": "UTC", "digest_sections": ["upcoming"]})
    assert ack.status == 200 and not ack.errors

    help_text = pat.command("/digest", "help").text
    for sub in ("/digest list", "/digest pause [#channel]", "/digest resume [#channel]", "/digest delete [#channel]"):
        assert sub in help_text
    listed = pat.command("/digest", "list").text
    assert f"<#{ws.channel_id(CHANNEL)}>" in listed and "Mondays at 09:00 (UTC)" in listed and mia.id in listed

    pat.command("/digest", "pause", channel=CHANNEL)
    assert "Only the person who set up this digest" in _ephemeral(bot, "pat", "Only the person")
    pat.command("/digest", "pause", channel="general")
    assert "no weekly digest" in _ephemeral(bot, "pat", "no weekly digest")
    mia.command("/digest", "pause #nope", channel="general")
    assert "No weekly digest posts to #nope" in _ephemeral(bot, "mia", "#nope")

    mia.command("/digest", "pause", channel=CHANNEL)
    assert "Paused the weekly digest" in _ephemeral(bot, "mia", "Paused")
    digest, schedule = _digest_and_schedule(bot)
    assert digest is not None and digest.paused and schedule is not None and schedule.paused
    assert "paused" in pat.command("/digest", "list").text
    monday = "2026-11-23T09:00:00Z"
    bot.tick(monday)
    drain(bot.services, datetime.fromisoformat(monday.replace("Z", "+00:00")))
    assert _digests_posted(bot) == 0

    bot.set_now("2026-11-24T10:00:00Z")
    mia.command("/digest", f"resume #{CHANNEL}", channel="general")  # named by #name, from elsewhere
    assert "Resumed the weekly digest" in _ephemeral(bot, "mia", "Resumed")
    digest, schedule = _digest_and_schedule(bot)
    assert digest is not None and not digest.paused and schedule is not None and not schedule.paused
    next_monday = "2026-11-30T09:00:00Z"
    bot.tick(next_monday)
    drain(bot.services, datetime.fromisoformat(next_monday.replace("Z", "+00:00")))
    assert _digests_posted(bot) == 1  # the paused week is not posted late

    pat.command("/digest", f"delete <#{ws.channel_id(CHANNEL)}|{CHANNEL}>", channel="general")
    assert "Only the person" in _ephemeral(bot, "pat", "Only the person")
    ada.command("/digest", f"delete <#{ws.channel_id(CHANNEL)}|{CHANNEL}>", channel="general")  # an admin
    reply = _ephemeral(bot, "ada", "Deleted")
    assert "1 digest already posted" in reply
    assert _digest_and_schedule(bot) == (None, None)
    with bot.services.db.unit_of_work() as session:
        [run] = session.scalars(select(DigestRun))
        assert run.digest_id is None  # the record of what was sent is kept
    assert "No weekly digests yet" in pat.command("/digest", "list").text
