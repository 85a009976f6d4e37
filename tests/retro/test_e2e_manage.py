"""End to end (in-process Bolt app, emulator, `tandem tick`): ``/retro edit|pause|resume|delete``,
the launch-date option of the setup modal, and the insights prompt of a recurring series."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.insights.capture import capture_insight
from bot.insights.data import CaptureContext, CleanCapture
from bot.playground.workspace_state import Message
from bot.retro.models import Retro, RetroSeries
from bot.slack.drainer import drain
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e
SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
CHANNEL = "product-marketing"


def _text(message: Message) -> str:
    return message.text + " " + json.dumps(message.blocks)


def _retro_messages(bot: BotUnderTest) -> list[Message]:
    return [m for m in bot.emulator.messages_in(CHANNEL) if m.text.startswith("Retro:")]


def _set_up_recurring(bot: BotUnderTest, **overrides: Any) -> Any:
    mia = bot.user("mia")
    mia.command("/retro", "", channel=CHANNEL)
    values = {
        "retro_title": "Launch review",
        "retro_when": "recurring",
        "retro_date": "2026-05-08",  # a Friday
        "retro_time": "15:00",
        "retro_timezone": "Europe/Berlin",
        "retro_repeat": "1",
        "retro_collect": "1",
        **overrides,
    }
    ack = mia.submit(values, view=mia.modal(callback_id="retro_setup"))
    assert ack.status == 200 and ack.response_action == "update", ack.errors
    return ack


def _tick(bot: BotUnderTest, at: str) -> None:
    """`tandem tick` at ``at``, then send what it queued (as the bot's drainer thread would)."""
    bot.tick(at)
    drain(bot.services, datetime.fromisoformat(at.replace("Z", "+00:00")))


def _ephemeral(bot: BotUnderTest, handle: str, needle: str) -> str:
    person = bot.user(handle)
    found = bot.emulator.wait_for(
        lambda: [str(e) for e in person.ephemerals if needle in str(e)] or None, what=f"{needle!r} for {handle}"
    )
    return found[-1]


def _input(view: Any, block_id: str) -> dict[str, Any]:
    return next(b["element"] for b in view.blocks if b.get("block_id") == block_id)


def test_edit_changes_the_series_and_its_schedule_without_a_restart(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    bot.set_now("2026-05-04T10:00:00Z")
    _set_up_recurring(bot)
    pat, mia = bot.user("pat"), bot.user("mia")

    pat.command("/retro", "edit Launch review", channel=CHANNEL)
    assert "Only the facilitator" in _ephemeral(bot, "pat", "Only the facilitator")
    assert not bot.emulator.views_opened(pat.id)

    mia.command("/retro", "edit launch REVIEW", channel=CHANNEL)
    modal = mia.modal(callback_id="retro_setup")
    assert modal.view["title"]["text"] == "Edit retro" and json.loads(modal.private_metadata)["series_id"] > 0
    assert _input(modal, "retro_title")["initial_value"] == "Launch review"
    assert _input(modal, "retro_date")["initial_date"] == "2026-05-08"
    assert _input(modal, "retro_time")["initial_time"] == "15:00"
    assert _input(modal, "retro_timezone")["initial_value"] == "Europe/Berlin"
    assert _input(modal, "retro_when")["initial_option"]["value"] == "recurring"
    assert _input(modal, "retro_collect")["initial_option"]["value"] == "1"
    assert _input(modal, "retro_channel")["initial_conversation"] == bot.emulator.workspace.channel_id(CHANNEL)

    ack = mia.submit(
        {"retro_title": "Launch review v2", "retro_time": "11:00", "retro_timezone": "America/New_York"}, view=modal
    )
    assert ack.status == 200 and ack.response_action == "update", ack.errors
    assert "Saved" in json.dumps(ack.json)

    _tick(bot, "2026-05-08T13:00:00Z")  # the old time, 15:00 in Berlin: nothing opens
    assert _retro_messages(bot) == []
    _tick(bot, "2026-05-08T15:00:00Z")  # 11:00 in New York
    [message] = _retro_messages(bot)
    assert "Launch review v2" in message.text
    assert "Launch review v2" in mia.command("/retro", "list").text


@SQLITE
def test_pause_resume_delete_help_and_permissions(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    bot.set_now("2026-05-04T10:00:00Z")
    _set_up_recurring(bot)
    pat, mia, ada = bot.user("pat"), bot.user("mia"), bot.user("ada")

    help_text = pat.command("/retro", "help").text.replace("&lt;", "<").replace("&gt;", ">")
    for usage in ("/retro edit <title>", "/retro pause <title>", "/retro resume <title>", "/retro delete <title>"):
        assert usage in help_text

    for verb in ("pause", "delete"):
        pat.command("/retro", f"{verb} Launch review", channel=CHANNEL)
    bot.emulator.wait_for(
        lambda: sum("Only the facilitator" in str(e) for e in pat.ephemerals) >= 2 or None, what="two refusals"
    )
    ada.command("/retro", "pause Launch review", channel=CHANNEL)  # a workspace admin may
    assert "Paused" in _ephemeral(bot, "ada", "Paused")
    assert "paused" in mia.command("/retro", "list").text
    _tick(bot, "2026-05-08T13:00:00Z")
    assert _retro_messages(bot) == []

    bot.set_now("2026-05-09T10:00:00Z")
    mia.command("/retro", "resume Launch review", channel=CHANNEL)
    assert "Resumed" in _ephemeral(bot, "mia", "Resumed")
    _tick(bot, "2026-05-15T13:00:00Z")  # the next Friday after resuming, 15:00 in Berlin
    assert len(_retro_messages(bot)) == 1

    mia.command("/retro", "delete Launch review", channel=CHANNEL)
    reply = _ephemeral(bot, "mia", "Deleted")
    assert "1 past retro" in reply and "kept" in reply
    _tick(bot, "2026-05-22T13:00:00Z")
    assert len(_retro_messages(bot)) == 1  # no more runs
    assert "No retros yet" in mia.command("/retro", "list").text
    with bot.services.db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Retro)) == 1  # history kept
        assert session.scalar(select(RetroSeries.archived)) is True
    mia.command("/retro", "resume Launch review", channel=CHANNEL)
    assert "couldn't find" in _ephemeral(bot, "mia", "couldn't find")


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_series_is_found_by_its_title_in_any_case_or_spacing(inproc_bot: BotUnderTest) -> None:
    """`/retro pause équipe produit` finds "Équipe Produit", and a second "équipe produit" is refused.
    (SQL ``lower()`` folds ASCII only on SQLite and in PostgreSQL's C locale: titles are matched by
    a stored key.)"""
    bot = inproc_bot
    bot.set_now("2026-05-04T10:00:00Z")
    _set_up_recurring(bot, retro_title="Équipe Produit")
    mia = bot.user("mia")
    mia.command("/retro", "", channel=CHANNEL)
    ack = mia.submit({"retro_title": "équipe produit"}, view=mia.modal(callback_id="retro_setup"))
    assert "already a retro" in ack.errors["retro_title"]

    mia.command("/retro", "pause équipe produit", channel=CHANNEL)
    assert "Équipe Produit" in _ephemeral(bot, "mia", "Paused")
    mia.command("/retro", "resume ÉQUIPE  PRODUIT", channel=CHANNEL)
    assert "Équipe Produit" in _ephemeral(bot, "mia", "Resumed")
    assert mia.command("/retro", "list").text.count("Équipe Produit") == 1


@SQLITE
def test_a_retro_n_days_after_a_launch(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    bot.set_now("2026-05-04T10:00:00Z")
    mia = bot.user("mia")
    mia.command("/retro", "", channel=CHANNEL)
    values = {
        "retro_title": "Launch review",
        "retro_when": "date",
        "retro_date": "2026-05-06",
        "retro_launch_date": "2026-05-05",
        "retro_days_after_launch": "10",
        "retro_time": "16:00",
        "retro_timezone": "Asia/Kolkata",
    }
    ack = mia.submit(values, view=mia.modal(callback_id="retro_setup"))
    assert "not both" in ack.errors["retro_date"]
    ack = mia.submit({**values, "retro_date": None, "retro_days_after_launch": "91"})
    assert "0 to 90" in ack.errors["retro_days_after_launch"]
    ack = mia.submit({**values, "retro_date": None})
    assert ack.response_action == "update", ack.errors
    # 5 May + 10 days = 15 May, 16:00 in Kolkata (+05:30) = 10:30 UTC.
    assert str(int(datetime(2026, 5, 15, 10, 30, tzinfo=UTC).timestamp())) in json.dumps(ack.json)
    _tick(bot, "2026-05-15T10:29:00Z")
    assert _retro_messages(bot) == []
    _tick(bot, "2026-05-15T10:30:00Z")
    assert len(_retro_messages(bot)) == 1

    mia.command("/retro", "edit Launch review", channel=CHANNEL)
    modal = mia.modal(callback_id="retro_setup")
    assert _input(modal, "retro_launch_date")["initial_date"] == "2026-05-05"
    assert _input(modal, "retro_days_after_launch")["initial_value"] == "10"
    assert "initial_date" not in _input(modal, "retro_date")


def _capture(bot: BotUnderTest, team_id: str, user_id: str, text: str, at: str) -> None:
    capture = CleanCapture(text, "Acme Corp", "", "sales_call", None, None, "", [])
    with bot.services.db.unit_of_work() as session:
        capture_insight(
            session,
            team_id=team_id,
            user_id=user_id,
            capture=capture,
            context=CaptureContext(),
            now=datetime.fromisoformat(at),
        )


def test_the_insights_prompt_lists_what_was_captured_since_the_previous_run(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    ws = bot.emulator.workspace
    globex = bot.emulator.add_workspace("Globex")
    asha = ws.user_id("asha")
    bot.set_now("2026-05-04T10:00:00Z")
    _set_up_recurring(bot, retro_timezone="UTC", retro_insights=["yes"])
    _capture(bot, ws.team_id, asha, "Onboarding checklist is confusing", "2026-05-05T09:00:00+00:00")

    _tick(bot, "2026-05-08T15:00:00Z")
    [first] = _retro_messages(bot)
    assert "Onboarding checklist is confusing" in _text(first)

    _capture(bot, ws.team_id, asha, "Wants SSO on the team plan", "2026-05-10T09:00:00+00:00")
    _capture(bot, ws.team_id, asha, "Pricing page <!channel> & *too* many tiers", "2026-05-12T09:00:00+00:00")
    _capture(bot, globex.team_id, globex.user_id("asha"), "Globex secret roadmap ask", "2026-05-11T09:00:00+00:00")

    _tick(bot, "2026-05-15T15:00:00Z")
    second = next(m for m in _retro_messages(bot) if "#2" in m.text)
    prompt = next(
        b["text"]["text"]
        for b in second.blocks or []
        if b.get("type") == "section" and "customer insights since last time" in b["text"]["text"]
    )
    assert "Wants SSO on the team plan" in prompt
    assert "Pricing page &lt;!channel&gt; &amp; " in prompt and "<!channel>" not in json.dumps(second.blocks)
    assert "Onboarding checklist" not in prompt  # captured before the previous run
    assert "Globex" not in prompt  # another workspace's
