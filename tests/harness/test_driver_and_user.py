"""The driver and the simulated user against a toy Bolt app (in-process transport)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.playground.people import SimulatedUser
from bot.playground.signed_requests import Driver
from bot.playground.slack_emulator import SlackEmulator


def make_user(emulator: SlackEmulator, driver: Driver, handle: str = "pat") -> SimulatedUser:
    return SimulatedUser(emulator, driver, emulator.workspace, emulator.workspace.user_id(handle))


def test_slash_command_payload_has_fresh_trigger_and_response_url(
    emulator: SlackEmulator, toy_driver: Driver, toy_seen: dict[str, list[Any]]
) -> None:
    pat = make_user(emulator, toy_driver)
    ack = pat.command("/toy", "hello", channel="product-marketing")
    assert ack.status == 200
    sent = toy_seen["command"][0]
    ws = emulator.workspace
    assert sent["team_id"] == ws.team_id and sent["user_id"] == pat.id
    assert sent["channel_id"] == ws.channel_id("product-marketing") and sent["text"] == "hello"
    assert sent["trigger_id"] == ack.trigger_id and sent["response_url"].startswith(emulator.origin)
    assert pat.command("/toy", "ping").text == "pong"
    assert pat.ephemerals[-1].text == "pong" and pat.ephemerals[-1].via == "ack"


def test_user_fills_every_element_type_and_submits(
    emulator: SlackEmulator, toy_driver: Driver, toy_seen: dict[str, list[Any]]
) -> None:
    ws = emulator.workspace
    pat = make_user(emulator, toy_driver)
    pat.command("/toy", "form")
    modal = pat.modal()
    assert modal.callback_id == "toy_form"
    ack = pat.submit({"pick": "opt2", "people_action": [ws.user_id("asha")], "time": "16:30"})
    assert ack.status == 200 and ack.body == ""
    values = toy_seen["submission"][0]["view"]["state"]["values"]

    def state(block: str) -> dict[str, Any]:
        return values[block][f"{block}_action"]

    assert state("text")["value"] == "Pat Morgan's answer"
    assert state("prefilled")["value"] == "kept"
    assert state("number")["value"] == "2"
    assert state("pick")["selected_option"]["value"] == "opt2"
    assert [o["value"] for o in state("picks")["selected_options"]] == ["opt1"]
    assert state("person")["selected_user"] == pat.id
    assert state("people")["selected_users"] == [ws.user_id("asha")]
    assert state("where")["selected_conversation"] == ws.channel_id("general")
    assert state("wheres")["selected_conversations"] == [ws.channel_id("general")]
    assert state("channel")["selected_channel"] == ws.channel_id("general")
    assert [o["value"] for o in state("boxes")["selected_options"]] == ["opt1"]
    assert state("radio")["selected_option"]["value"] == "opt3"  # the initial option
    assert state("day")["selected_date"] == "2026-03-29"
    assert state("time")["selected_time"] == "16:30"
    assert state("link")["value"].startswith("https://")
    assert state("mail")["value"] == "pat@example.com"
    assert state("maybe") == {"type": "plain_text_input", "value": None}  # optional, left empty
    assert toy_seen["submission"][0]["view"]["private_metadata"] == '{"ref": 7}'
    assert emulator.open_modal(pat.id) is None  # an empty ack closes the modal


def test_submission_errors_keep_the_modal_open(emulator: SlackEmulator, toy_driver: Driver) -> None:
    pat = make_user(emulator, toy_driver)
    pat.command("/toy", "form")
    ack = pat.submit({"text": "bad"})
    assert ack.response_action == "errors" and ack.errors == {"text": "Say something nicer"}
    assert emulator.open_modal(pat.id) is not None
    assert pat.submit({"text": "good"}).status == 200


def test_close_sends_view_closed_when_asked(
    emulator: SlackEmulator, toy_driver: Driver, toy_seen: dict[str, list[Any]]
) -> None:
    pat = make_user(emulator, toy_driver)
    pat.command("/toy", "form")
    assert pat.close_modal().status == 200
    assert toy_seen["closed"][0]["view"]["callback_id"] == "toy_form"
    assert emulator.open_modal(pat.id) is None


def test_click_button_in_modal_pushes_a_view(
    emulator: SlackEmulator, toy_driver: Driver, toy_seen: dict[str, list[Any]]
) -> None:
    pat = make_user(emulator, toy_driver)
    pat.command("/toy", "form")
    pat.modal()
    assert pat.click("modal_more", in_modal=True).status == 200
    pushed = pat.modal(callback_id="toy_more")
    assert pushed.view["previous_view_id"] == toy_seen["modal_action"][0]["view"]["id"]
    assert toy_seen["modal_action"][0]["container"] == {"type": "view", "view_id": pushed.view["previous_view_id"]}
    assert len(emulator.modal_stack(pat.id)) == 2


def test_click_button_in_message_by_text_and_respond_replaces_it(
    emulator: SlackEmulator, toy_driver: Driver, toy_seen: dict[str, list[Any]]
) -> None:
    pat = make_user(emulator, toy_driver)
    pat.command("/toy", "post")
    message = pat.wait_for_dm()
    ack = pat.click(text="Yes please")
    assert ack.status == 200
    body = toy_seen["action"][0]
    assert body["actions"][0]["action_id"] == "yes" and body["actions"][0]["value"] == "y"
    assert body["container"]["message_ts"] == message.ts and body["message"]["ts"] == message.ts
    emulator.wait_for(lambda: emulator.message(message.channel, message.ts).text == "You chose yes")
    assert emulator.response_posts(ack.response_url)[0]["replace_original"] is True


def test_select_in_message(emulator: SlackEmulator, toy_driver: Driver, toy_seen: dict[str, list[Any]]) -> None:
    pat = make_user(emulator, toy_driver)
    pat.command("/toy", "post")
    pat.wait_for_dm()
    pat.select("size", "Option 3")
    action = toy_seen["action"][0]["actions"][0]
    assert action["type"] == "static_select" and action["selected_option"]["value"] == "opt3"


def test_message_shortcut_and_global_shortcut(
    emulator: SlackEmulator, toy_driver: Driver, toy_seen: dict[str, list[Any]]
) -> None:
    pat = make_user(emulator, toy_driver)
    pat.command("/toy", "post")
    message = pat.wait_for_dm()
    assert pat.global_shortcut("toy_capture").status == 200
    asha = make_user(emulator, toy_driver, "asha")
    shortcut_ack = toy_driver.message_action(user=asha.id, callback_id="toy_capture", message=message)
    assert shortcut_ack.status == 200  # Bolt's app.shortcut() matches global and message shortcuts
    first, second = toy_seen["shortcut"]
    assert first["type"] == "shortcut" and "response_url" not in first
    assert second["type"] == "message_action" and second["message"]["ts"] == message.ts
    assert second["channel"]["id"] == message.channel and second["response_url"] == shortcut_ack.response_url


def test_home_opened_event_publishes_and_retry_headers_reach_the_app(
    emulator: SlackEmulator, toy_driver: Driver, toy_seen: dict[str, list[Any]]
) -> None:
    pat = make_user(emulator, toy_driver)
    ack = pat.open_home()
    assert ack.status == 200
    home = pat.home()
    assert home["type"] == "home"
    again = toy_driver.redeliver(ack, retry_num=1)
    assert again.status == 200
    emulator.wait_for(lambda: len(toy_seen.get("home", [])) == 2)
    assert [h["retry"] for h in toy_seen["home"]] == [None, ["1"]]
    assert toy_seen["home"][0]["event"]["channel"].startswith("D")
    assert pat.click("yes", in_home=True).status == 200


def test_url_verification(toy_driver: Driver, toy_app: App) -> None:
    ack = toy_driver.url_verification("abc")
    assert ack.status == 200 and ack.json == {"challenge": "abc"}
