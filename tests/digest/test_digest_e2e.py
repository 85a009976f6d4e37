"""End to end through the harness: the real Bolt app, signed requests, the Slack emulator.

A seeded week (stand-ups, insights, a retro) becomes one digest message whose figures match the
data, with its chart uploaded into the digest's thread; preview stays private; the schedule
posts it on its day; a failing upload never loses the digest.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.digest.ids import ChartStatus, RunStatus
from bot.digest.models import Digest, DigestRun
from bot.playground.slack_emulator import SlackEmulator
from bot.scheduling.models import Schedule
from bot.slack.drainer import drain
from tests.digest.seed import NOW, People, seed_week
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e
SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
CHANNEL = "product-marketing"


def _drain(bot: BotUnderTest) -> None:
    """Send the outbox as the drainer thread would: the chart's share waits for the digest's ts."""
    drain(bot.services, NOW)
    drain(bot.services, NOW + timedelta(seconds=5))


def _seed(bot: BotUnderTest) -> None:
    ws = bot.emulator.workspace
    people = People(*(ws.user_id(h) for h in ("pat", "max", "asha", "mia")))
    with bot.services.db.unit_of_work() as session:
        seed_week(session, ws.team_id, people)
    bot.set_now(NOW)


def _text(blocks: list[dict[str, Any]]) -> str:
    out = []
    for block in blocks:
        if isinstance(block.get("text"), dict):
            out.append(block["text"]["text"])
        out += [e.get("text", "") for e in block.get("elements", []) if isinstance(e, dict)]
    return "\n".join(out)


# How long the work after a `/digest now` ack may take (it draws the chart; see the first test).
CHART_WAIT = 30.0


def _runs(bot: BotUnderTest) -> list[DigestRun]:
    with bot.services.db.unit_of_work() as session:
        return list(session.scalars(select(DigestRun).order_by(DigestRun.id)))


def _digest_posted(emulator: SlackEmulator) -> Any:
    return emulator.wait_for(
        lambda: [m for m in emulator.messages_in(CHANNEL) if m.blocks and "Weekly digest" in _text(m.blocks)] or None,
        what="the digest message",
    )[0]


def test_digest_now_posts_the_week_with_its_chart(inproc_bot: BotUnderTest) -> None:
    bot, emulator = inproc_bot, inproc_bot.emulator
    _seed(bot)
    ws = emulator.workspace
    ack = bot.user("ada").command("/digest", "now", channel=CHANNEL)  # ada is a workspace admin
    assert ack.status == 200 and ack.latency < 3
    # The chart is drawn (matplotlib, imported on first use) before the run is saved and the
    # confirmation sent, after the ack: seconds on a loaded 2-core machine, so wait longer.
    emulator.wait_for(lambda: _runs(bot) or None, timeout=CHART_WAIT, what="the digest run")
    emulator.wait_for(lambda: emulator.response_posts() or None, timeout=CHART_WAIT, what="the confirmation")
    _drain(bot)

    message = _digest_posted(emulator)
    text = _text(message.blocks)
    assert len(message.blocks) <= 50
    # Figures from the seed: 14 answers (8 product, 6 marketing), 5 new insights (2 the week before)...
    assert "*14* answers (▲2 vs last week)" in text
    assert "Product: *8* answers (▲2 vs last week) of 10 asked (80%)" in text
    assert "Marketing: *6* answers (same as last week) of 10 asked (60%)" in text
    assert f"<@{ws.user_id('max')}> (Launch sync): Waiting on &lt;pricing page&gt; copy" in text
    assert f"<@{ws.user_id('pat')}> owes <@{ws.user_id('asha')}>: Need the beta feature list" in text
    assert "*5* new (▲3 vs last week)" in text
    assert "*Customer needs and pain points* (3)" in text
    assert "#1 Onboarding takes too long for teams of 50+ _(+3)_ — Enterprise" in text
    assert "“Per-seat pricing scares small agencies” — _Agencies_" in text
    assert "#6 Dark mode please: :new: New → *:spiral_calendar_pad: Planned*" in text
    assert "*1* done (same as last week), *2* open, *1* overdue" in text
    assert f":warning: Fix the beta signup form — <@{ws.user_id('max')}>" in text
    assert "Product: 3.0 → 3.8 (+0.8)" in text
    assert "Marketing: 3.7 — trust 3.5 · ownership 4.0 · planning 3.5" in text
    assert "Stand-up *Launch sync*" in text and "5 days" in text
    assert "Retro *Partnership check*" in text
    assert "<!date^" in text

    # The chart: two-step upload, then shared into the digest's thread once its ts is known.
    got_url = emulator.calls("files.getUploadURLExternal")
    assert len(got_url) == 1 and got_url[0].args["filename"].endswith(".png")
    uploads = emulator.calls("upload")
    assert len(uploads) == 1 and uploads[0].args["size"] > 1000
    complete = emulator.calls("files.completeUploadExternal")
    assert len(complete) == 1 and complete[0].args["thread_ts"] == message.ts
    file_id = got_url[0].response["file_id"]
    assert emulator.uploaded_file(file_id).content[:8] == b"\x89PNG\r\n\x1a\n"
    assert [r.files[0]["id"] for r in emulator.thread(CHANNEL, message.ts) if r.files] == [file_id]
    (run,) = _runs(bot)
    assert (run.status, run.chart_status, run.message_ts) == (RunStatus.POSTED, ChartStatus.SHARED, message.ts)


@SQLITE
def test_preview_is_private_and_posting_needs_owner_or_admin(inproc_bot: BotUnderTest) -> None:
    bot, emulator = inproc_bot, inproc_bot.emulator
    _seed(bot)
    asha = bot.user("asha")
    asha.command("/digest", "preview", channel=CHANNEL)
    posted = emulator.wait_for(lambda: emulator.response_posts() or None, what="the preview")
    assert posted[0]["response_type"] == "ephemeral"
    assert "*5* new (▲3 vs last week)" in _text(posted[0]["blocks"])
    asha.command("/digest", "now", channel=CHANNEL)  # not an admin, no digest of hers here
    refusal = emulator.wait_for(lambda: emulator.response_posts()[1:] or None, what="the refusal")
    assert "Only the person who set up" in refusal[0]["text"]
    _drain(bot)
    assert emulator.calls("chat.postMessage") == [] and _runs(bot) == []


@SQLITE
def test_setup_schedules_the_digest_and_the_tick_posts_it(inproc_bot: BotUnderTest) -> None:
    bot, emulator = inproc_bot, inproc_bot.emulator
    _seed(bot)
    mia = bot.user("mia")  # America/Los_Angeles; the workspace has no zone of its own
    mia.command("/digest", "setup", channel=CHANNEL)
    modal = mia.modal()
    blocks = {b["block_id"]: b for b in modal.blocks}
    assert blocks["digest_weekday"]["element"]["initial_option"]["value"] == "0"
    assert blocks["digest_time"]["element"]["initial_time"] == "09:00"
    assert blocks["digest_timezone"]["element"]["initial_value"] == "America/Los_Angeles"
    ack = mia.submit({"digest_timezone": "Nowhere/Special"})
    assert "digest_timezone" in (ack.errors or {})
    ack = mia.submit({"digest_timezone": "Europe/Berlin"})
    assert ack.status == 200 and not ack.errors
    with bot.services.db.unit_of_work() as session:
        digest = session.scalar(select(Digest))
        assert digest is not None and digest.channel_id == emulator.workspace.channel_id(CHANNEL)
        schedule = session.scalar(select(Schedule).where(Schedule.kind == "digest.post"))
        assert schedule is not None and schedule.next_run_at is not None
        due = schedule.next_run_at
    assert due.isoformat() == "2026-11-30T08:00:00+00:00"  # Monday 09:00 in Berlin
    bot.set_now(due)
    result = bot.tick()
    assert "digest.post: 1" in result.stdout, result.stdout + result.stderr
    message = _digest_posted(emulator)
    assert "Weekly digest" in _text(message.blocks)
    # The chart's share waits for the digest's ts; the drainer thread sends it a moment later.
    bot.set_now(due + timedelta(seconds=5))
    drain(bot.services)
    assert emulator.calls("files.completeUploadExternal")[0].args["thread_ts"] == message.ts


@SQLITE
def test_a_failed_chart_upload_never_loses_the_digest(inproc_bot: BotUnderTest) -> None:
    bot, emulator = inproc_bot, inproc_bot.emulator
    _seed(bot)
    emulator.faults.add("files.getUploadURLExternal", "5xx", count=10, status=503)
    bot.user("ada").command("/digest", "now", channel=CHANNEL)
    emulator.wait_for(lambda: emulator.response_posts() or None, timeout=CHART_WAIT, what="the confirmation")
    _drain(bot)
    _digest_posted(emulator)
    assert emulator.calls("files.completeUploadExternal") == []
    (run,) = _runs(bot)
    assert run.status == RunStatus.POSTED and run.chart_status == ChartStatus.FAILED and run.chart_error


@SQLITE
def test_cli_prints_the_digest_as_text(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    _seed(bot)
    ws = bot.emulator.workspace
    result = bot.tandem("digest", "--team", ws.team_id, "--channel", ws.channel_id(CHANNEL), "--preview")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Weekly digest: product and marketing\n")
    assert "*5* new (▲3 vs last week)" in result.stdout
    assert "<!date" not in result.stdout and "&lt;" not in result.stdout
    assert bot.emulator.calls("chat.postMessage") == []
