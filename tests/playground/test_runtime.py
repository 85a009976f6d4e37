"""The playground without a browser: the seeded demo, the clock, typed modal state rebuilt from what
a page sends, who sees what, and the page API's guards."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.playground import demo
from bot.playground.page import PageServer
from bot.playground.runtime import Playground, PlaygroundError
from bot.playground.workspace_state import ViewRecord
from tests.playground.conftest import START


def test_the_demo_is_seeded_through_the_app(playground: Playground) -> None:
    ws = playground.workspace
    zones = {u.tz for u in ws.humans}
    assert len(zones) >= 3 and "Asia/Kolkata" in zones
    assert {ws.usergroup_id("product"), ws.usergroup_id("marketing")}
    # Four rituals were set up by people through signed slash commands and modal submissions.
    submissions = [a for a in playground.driver.acks if a.kind == "view_submission"]
    callbacks = {a.payload["view"]["callback_id"] for a in submissions}
    assert callbacks >= {"standup_setup", "retro_setup", "insights_setup", "digest_setup"}
    assert all(a.status == 200 and not a.errors for a in submissions)
    assert playground.emulator.open_modal(ws.user_id("nora")) is None  # confirmations closed


def test_next_ritual_jumps_to_the_first_due_occurrence_and_runs_it(playground: Playground) -> None:
    assert playground.clock() == START
    due = playground.next_due()
    assert due == datetime(2026, 12, 7, 4, 0, tzinfo=UTC)  # 09:30 in Kolkata, the first stand-up
    report = playground.next_ritual()
    assert report.now == due and report.ran == 1
    ravi = playground.workspace.user_id("ravi")
    assert "Time for " + demo.STANDUP_NAME in playground.emulator.dms_to(ravi)[0].text
    later = playground.advance(timedelta(hours=1))
    assert later.now == due + timedelta(hours=1)
    with pytest.raises(ValueError):
        playground.clock.advance(timedelta(hours=-1))


def test_typed_state_is_rebuilt_from_form_values(playground: Playground) -> None:
    ws = playground.workspace
    sam = playground.person(ws.user_id("sam"))
    channel = ws.channel_id("product-marketing")
    playground.command(sam.id, channel, "/standup new")
    view = sam.modal(timeout=10)
    values = sam.state_values(
        view,
        {
            "standup_name": {"name": "Launch sync"},
            "standup_people_product": {"people": [sam.id]},
            "standup_time": {"time": "10:00"},
            "standup_zone_mode": {"zone_mode": "personal"},
            "standup_blocker_question": {"blocker_question": ""},
        },
    )
    assert values["standup_name"]["name"] == {"type": "plain_text_input", "value": "Launch sync"}
    assert values["standup_people_product"]["people"] == {"type": "multi_users_select", "selected_users": [sam.id]}
    assert values["standup_time"]["time"] == {"type": "timepicker", "selected_time": "10:00"}
    assert values["standup_zone_mode"]["zone_mode"]["selected_option"]["value"] == "personal"
    assert values["standup_blocker_question"]["blocker_question"]["value"] is None  # left empty
    assert values["standup_people_marketing"]["people"]["selected_users"] == []  # not sent: empty
    playground.close(sam.id, view.id)

    # A datetimepicker's local value is read in the person's own zone.
    ravi = playground.person(ws.user_id("ravi"))  # Asia/Kolkata, +05:30
    picker = {"type": "datetimepicker", "action_id": "at"}
    record = ViewRecord("V1", ws.team_id, ravi.id, "modal",
                        {"blocks": [{"type": "input", "block_id": "b", "element": picker}]}, "test")  # fmt: skip
    state = ravi.state_values(record, {"b": {"at": "2026-12-07T09:30"}})
    assert state["b"]["at"]["selected_date_time"] == int(datetime(2026, 12, 7, 4, 0, tzinfo=UTC).timestamp())


def test_ephemeral_messages_are_shown_only_to_their_person(playground: Playground, page_server: PageServer) -> None:
    ws = playground.workspace
    channel = ws.channel_id("product")
    leo, nora = ws.user_id("leo"), ws.user_id("nora")
    ack = playground.command(leo, channel, "/standup help")
    assert ack.status == 200
    mine = page_server.state.state(leo, channel, "")
    theirs = page_server.state.state(nora, channel, "")
    assert any(m["ephemeral"] and "/standup" in m["html"] for m in mine["messages"])
    assert not any(m["ephemeral"] for m in theirs["messages"])
    with pytest.raises(PlaygroundError):
        playground.command(ws.user_id("dana"), channel, "/standup help")  # not in that channel


def test_the_page_api_refuses_what_the_page_would_never_send(page_server: PageServer) -> None:
    url = page_server.url
    assert httpx.post(url + "api/clock", json={"step": "hour"}).status_code == 403  # no X-Playground
    headers = {"X-Playground": "1", "Content-Type": "application/json"}
    assert httpx.post(url + "api/clock", content=b"[1, 2]", headers=headers).status_code == 400
    answer = httpx.post(url + "api/clock", json={"step": "century"}, headers={"X-Playground": "1"}).json()
    assert answer == {"ok": False, "error": "the clock moves by hour, day or next"}
    unknown = httpx.get(url + "api/state", params={"as": "U_NOBODY"})
    assert unknown.status_code == 400 and unknown.json()["error"] == "no such person in the playground"
    assert httpx.get(url + "static/../runtime.py").status_code == 404
