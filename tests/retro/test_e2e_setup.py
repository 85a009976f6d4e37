"""End to end (in-process Bolt app, emulator, SQLite): every template, bad input, permissions,
``/retro list|close|help`` and changing an action item's date from its DM."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from bot.playground.workspace_state import Message
from bot.retro.actions import list_open_action_items
from bot.retro.ids import Action, RetroTemplate
from bot.retro.templates import TEMPLATES
from bot.slack.drainer import drain
from tests.support.fixtures import BotUnderTest

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

CHANNEL = "product-marketing"
T = TypeVar("T")


def _text(message: Message) -> str:
    return message.text + " " + str(message.blocks)


def _set_up(bot: BotUnderTest, handle: str = "mia", **overrides: Any) -> Any:
    person = bot.user(handle)
    person.command("/retro", "", channel=CHANNEL)
    values = {"retro_title": "Launch review", "retro_collect": "1", **overrides}
    return person.submit(values, view=person.modal(callback_id="retro_setup"))


def _sending(bot: BotUnderTest, found: Callable[[], T | None], what: str, timeout: float = 5.0) -> T:
    """Drain the outbox until ``found()`` sees the result: listeners enqueue after their ack.

    (Not ``emulator.wait_for``: its predicate runs under the emulator's lock, and draining calls
    the emulator.)
    """
    deadline = time.monotonic() + timeout
    while True:
        drain(bot.services)
        result = found()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _posted(bot: BotUnderTest, title: str) -> Message:
    return _sending(bot, lambda: next((m for m in bot.emulator.messages_in(CHANNEL) if title in m.text), None), title)


@pytest.mark.parametrize("template", [t for t in RetroTemplate if t is not RetroTemplate.CUSTOM])
def test_each_template_opens_with_its_prompts(inproc_bot: BotUnderTest, template: RetroTemplate) -> None:
    inproc_bot.set_now("2026-05-04T10:00:00Z")
    ack = _set_up(inproc_bot, retro_template=template.value)
    assert ack.status == 200 and ack.response_action == "update", ack.errors
    message = _text(_posted(inproc_bot, "Launch review"))
    for prompt in TEMPLATES[template].prompts:
        assert prompt.replace("'", "") in message.replace("'", "").replace("\\", "")
    assert ("Rate the partnership" in message) is (template is RetroTemplate.PARTNERSHIP)


def test_custom_prompts_and_their_errors(inproc_bot: BotUnderTest) -> None:
    inproc_bot.set_now("2026-05-04T10:00:00Z")
    ack = _set_up(inproc_bot, retro_template="custom")
    assert "at least one prompt" in ack.errors["retro_prompts"]
    mia = inproc_bot.user("mia")
    ack = mia.submit(
        {"retro_title": "Launch review", "retro_template": "custom", "retro_prompts": "What surprised us?\nWhat next?"}
    )
    assert ack.status == 200 and not ack.errors
    assert "What surprised us?" in _text(_posted(inproc_bot, "Launch review"))


def test_channel_the_bot_is_not_in_explains_the_fix(inproc_bot: BotUnderTest) -> None:
    ws = inproc_bot.emulator.workspace
    ack = _set_up(inproc_bot, retro_channel=ws.channel_id("random"))
    assert "/invite @Tandem" in ack.errors["retro_channel"]
    mia = inproc_bot.user("mia")
    ack = mia.submit({"retro_title": "Launch review", "retro_channel": ws.channel_id("leadership")})
    assert "/invite @Tandem" in ack.errors["retro_channel"]


def test_list_close_help_and_permissions(inproc_bot: BotUnderTest) -> None:
    inproc_bot.set_now("2026-05-04T10:00:00Z")
    _set_up(inproc_bot)
    message = _posted(inproc_bot, "Launch review")
    pat, mia = inproc_bot.user("pat"), inproc_bot.user("mia")
    assert "Launch review" in pat.command("/retro", "list").text
    assert "/retro close <title>" in pat.command("/retro", "help").text.replace("&lt;", "<").replace("&gt;", ">")
    assert "Only the facilitator" in pat.command("/retro", "close Launch review").text
    pat.click(Action.CLOSE, message=message)
    inproc_bot.emulator.wait_for(
        lambda: any("Only the facilitator" in str(e) for e in pat.ephemerals) or None, what="refusal"
    )
    assert "couldn't find" in mia.command("/retro", "close Nope").text
    assert "Closed" in mia.command("/retro", "close launch REVIEW").text
    _sending(
        inproc_bot,
        lambda: any("Retro results" in r.text for r in inproc_bot.emulator.thread(message.channel, message.ts)),
        "the summary",
    )
    closed = inproc_bot.emulator.message(message.channel, message.ts)
    assert "This retro is closed" in _text(closed) and "Add item" not in _text(closed)


def test_owner_changes_the_due_date_from_the_dm(inproc_bot: BotUnderTest) -> None:
    inproc_bot.set_now("2026-05-04T10:00:00Z")
    _set_up(inproc_bot)
    message = _posted(inproc_bot, "Launch review")
    pat, mia = inproc_bot.user("pat"), inproc_bot.user("mia")
    mia.click(Action.CLOSE, message=message)

    def summary_posted() -> Message | None:
        replies = inproc_bot.emulator.thread(message.channel, message.ts)
        return next((r for r in replies if r.ts != message.ts), None)

    summary = _sending(inproc_bot, summary_posted, "the summary")
    mia.click(Action.ADD_ACTION_ITEM, message=summary)
    values = {"retro_action_text": "Draft the joint launch brief", "retro_action_owner": pat.id}
    ack = mia.submit({**values, "retro_action_due": "2026-05-20"}, callback_id="retro_action_item")
    assert not ack.errors
    dm = _sending(inproc_bot, lambda: pat.dms[:1], "the DM")[0]
    pat.click(Action.ACTION_RESCHEDULE, message=dm)
    ack = pat.submit({"retro_action_due": "2026-05-01"}, view=pat.modal(callback_id="retro_action_reschedule"))
    assert "passed" in ack.errors["retro_action_due"]
    ack = pat.submit({"retro_action_due": "2026-05-27"})
    assert not ack.errors
    inproc_bot.emulator.wait_for(
        lambda: "27 May 2026" in _text(inproc_bot.emulator.message(dm.channel, dm.ts)) or None, what="DM updated"
    )
    with inproc_bot.services.db.unit_of_work() as session:
        [open_item] = list_open_action_items(session, inproc_bot.emulator.workspace.team_id, pat.id)
    assert open_item.due_on.isoformat() == "2026-05-27"
