"""App Home end to end: each person sees their own pending items; buttons on the Home tab work."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.retro.models import RetroActionItem, RetroSeries
from bot.standup.models import StandupAsk
from tests.digest.seed import NOW, People, Seeded, seed_week
from tests.support.conformance import check_view
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e


def _seed(bot: BotUnderTest) -> Seeded:
    ws = bot.emulator.workspace
    with bot.services.db.unit_of_work() as session:
        seeded = seed_week(session, ws.team_id, People(*(ws.user_id(h) for h in ("pat", "max", "asha", "mia"))))
    bot.set_now(NOW)
    return seeded


def _buttons(home: dict[str, Any]) -> list[tuple[str, str, str]]:
    found = []
    for block in home["blocks"]:
        elements = [block["accessory"]] if "accessory" in block else block.get("elements", [])
        for e in elements:
            if e.get("type") == "button":
                found.append((e["text"]["text"], e["action_id"], e.get("value", "")))
    return found


def _text(home: dict[str, Any]) -> str:
    return "\n".join(b["text"]["text"] for b in home["blocks"] if isinstance(b.get("text"), dict))


def _fresh_home(bot: BotUnderTest, handle: str, after: int) -> dict[str, Any]:
    user_id = bot.emulator.workspace.user_id(handle)
    bot.emulator.wait_for(
        lambda: len(bot.emulator.calls("views.publish", user_id=user_id)) > after or None, what="a new home"
    )
    home = bot.emulator.home_of(user_id)
    assert home is not None
    return home


def test_each_participant_sees_their_own_pending_items(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    seeded = _seed(bot)
    pat, asha, ada = bot.user("pat"), bot.user("asha"), bot.user("ada")
    assert pat.open_home().status == 200
    home = pat.home()
    assert check_view(home) == [] and len(home["blocks"]) <= 100
    buttons = _buttons(home)
    assert ("Answer stand-up", "standup_open_answer", str(seeded.today_occurrence_id)) in buttons
    assert ("Mark handled", "home_ask_done", str(seeded.open_ask_id)) in buttons
    assert ("Done", "home_action_done", str(seeded.pat_action_id)) in buttons
    assert ("Done", "home_action_done", str(seeded.overdue_action_id)) not in buttons  # max's
    text = _text(home)
    assert "Need the beta feature list by Thursday" in text and "Draft the positioning doc" in text
    assert "Stand-up *Launch sync*" in text and "Retro *Partnership check*" in text
    assert ("Edit", "home_edit_standup", str(seeded.standup_id)) in buttons  # pat owns the stand-up

    asha.open_home()
    home = asha.home()
    text = _text(home)
    assert "#1 Onboarding takes too long" in text and "#7 Annual plan discount" in text
    assert "#2 Export" not in text  # mia's
    assert "Nothing is waiting for you" in text
    assert not [b for b in _buttons(home) if b[1].startswith(("home_new", "digest_open"))]  # not an owner

    ada.open_home()
    buttons = _buttons(ada.home())
    assert {"home_new_standup", "home_new_retro", "digest_open_setup"} <= {b[1] for b in buttons}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_buttons_on_the_home_tab(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    seeded = _seed(bot)
    pat = bot.user("pat")
    pat.open_home()
    pat.home()
    published = len(bot.emulator.calls("views.publish", user_id=pat.id))

    pat.click("home_action_done", value=str(seeded.pat_action_id), in_home=True)
    home = _fresh_home(bot, "pat", published)
    assert "Draft the positioning doc" not in _text(home)
    pat.click("home_ask_done", value=str(seeded.open_ask_id), in_home=True)
    home = _fresh_home(bot, "pat", published + 1)
    assert "Need the beta feature list" not in _text(home)
    with bot.services.db.unit_of_work() as session:
        assert session.get(RetroActionItem, seeded.pat_action_id).status == "done"  # type: ignore[union-attr]
        ask = session.scalar(select(StandupAsk).where(StandupAsk.id == seeded.open_ask_id))
        assert ask is not None and ask.status == "handled"

    # The stand-up's own action opens the stand-up's answer modal from the Home tab.
    pat.click("standup_open_answer", in_home=True)
    assert pat.modal().callback_id == "standup_answer"

    bot.user("ada").open_home()
    bot.user("ada").home()
    bot.user("ada").click("digest_open_setup", in_home=True)
    assert bot.user("ada").modal().callback_id == "digest_setup"


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_retro_edit_button_opens_the_retro_modal_and_saves(inproc_bot: BotUnderTest) -> None:
    bot = inproc_bot
    seeded = _seed(bot)
    mia, pat = bot.user("mia"), bot.user("pat")
    pat.open_home()
    assert not [b for b in _buttons(pat.home()) if b[1] == "home_edit_retro"]  # not pat's retro

    mia.open_home()
    home = mia.home()
    assert ("Edit", "home_edit_retro", str(seeded.retro_series_id)) in _buttons(home)
    assert "Retro *Partnership check*" in _text(home)
    published = len(bot.emulator.calls("views.publish", user_id=mia.id))
    mia.click("home_edit_retro", value=str(seeded.retro_series_id), in_home=True)
    modal = mia.modal(callback_id="retro_setup")
    title = next(b["element"] for b in modal.blocks if b.get("block_id") == "retro_title")
    assert title["initial_value"] == "Partnership check"
    # The seed's channel id is not a real channel: the submission handler checks it like any other.
    channel = bot.emulator.workspace.channel_id("product-marketing")
    ack = mia.submit({"retro_title": "Partnership pulse", "retro_channel": channel}, view=modal)
    assert ack.status == 200 and ack.response_action == "update", ack.errors
    with bot.services.db.unit_of_work() as session:
        series = session.get(RetroSeries, seeded.retro_series_id)
        assert series is not None and series.title == "Partnership pulse"
    assert "Retro *Partnership pulse*" in _text(_fresh_home(bot, "mia", published))

    # A forged click on someone else's series gets a notice, not the form.
    action = {"type": "button", "action_id": "home_edit_retro", "block_id": "x", "value": str(seeded.retro_series_id)}
    home_record = bot.emulator._views[bot.emulator._homes[(bot.emulator.workspace.team_id, pat.id)]]
    assert bot.driver.block_actions(user=pat.id, actions=[action], view=home_record).status == 200
    notice = pat.modal()
    assert notice.callback_id == "retro_done" and "Only the facilitator" in json.dumps(notice.blocks)
