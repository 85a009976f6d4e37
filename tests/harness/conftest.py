"""A toy Bolt app (in-process) that exercises the harness without depending on Tandem's features."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.playground.signed_requests import Driver, InProcessTransport
from bot.playground.slack_emulator import SlackEmulator

SECRET = "toy-signing-secret-0123456789abcdef"

# A modal with one input of every element type the simulated user knows how to fill.
OPTIONS = [{"text": {"type": "plain_text", "text": f"Option {n}"}, "value": f"opt{n}"} for n in (1, 2, 3)]


def _input(block_id: str, element: dict[str, Any], optional: bool = False) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": {"type": "plain_text", "text": block_id.replace("_", " ").title()},
        "element": {"action_id": f"{block_id}_action", **element},
    }


FORM_VIEW: dict[str, Any] = {
    "type": "modal",
    "callback_id": "toy_form",
    "notify_on_close": True,
    "private_metadata": '{"ref": 7}',
    "title": {"type": "plain_text", "text": "Toy form"},
    "submit": {"type": "plain_text", "text": "Save"},
    "close": {"type": "plain_text", "text": "Cancel"},
    "blocks": [
        _input("text", {"type": "plain_text_input", "multiline": True}),
        _input("prefilled", {"type": "plain_text_input", "initial_value": "kept"}),
        _input("number", {"type": "number_input", "is_decimal_allowed": False, "min_value": "2"}),
        _input("pick", {"type": "static_select", "options": OPTIONS}),
        _input("picks", {"type": "multi_static_select", "options": OPTIONS}),
        _input("person", {"type": "users_select"}),
        _input("people", {"type": "multi_users_select"}),
        _input("where", {"type": "conversations_select"}),
        _input("wheres", {"type": "multi_conversations_select"}),
        _input("channel", {"type": "channels_select"}),
        _input("boxes", {"type": "checkboxes", "options": OPTIONS}),
        _input("radio", {"type": "radio_buttons", "options": OPTIONS, "initial_option": OPTIONS[2]}),
        _input("day", {"type": "datepicker", "initial_date": "2026-03-29"}),
        _input("time", {"type": "timepicker"}),
        _input("link", {"type": "url_text_input"}),
        _input("mail", {"type": "email_text_input"}),
        _input("maybe", {"type": "plain_text_input"}, optional=True),
        {
            "type": "actions",
            "block_id": "modal_actions",
            "elements": [
                {"type": "button", "action_id": "modal_more", "text": {"type": "plain_text", "text": "More"}},
            ],
        },
    ],
}


def build_toy_app(emulator: SlackEmulator, seen: dict[str, list[Any]]) -> App:
    client = WebClient(token=emulator.workspace.bot_token, base_url=emulator.base_url)
    app = App(signing_secret=SECRET, client=client, process_before_response=False)

    @app.command("/toy")
    def on_toy(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        text = command.get("text", "")
        if text == "ping":
            ack(text="pong")
            return
        ack()
        seen.setdefault("command", []).append(command)
        if text == "form":
            client.views_open(trigger_id=command["trigger_id"], view=FORM_VIEW)
        elif text == "post":
            client.chat_postMessage(
                channel=command["user_id"],
                text="Pick one",
                blocks=[
                    {"type": "section", "block_id": "intro", "text": {"type": "mrkdwn", "text": "Pick one"}},
                    {
                        "type": "actions",
                        "block_id": "choices",
                        "elements": [
                            {
                                "type": "button",
                                "action_id": "yes",
                                "value": "y",
                                "text": {"type": "plain_text", "text": "Yes please"},
                            },
                            {
                                "type": "button",
                                "action_id": "no",
                                "value": "n",
                                "text": {"type": "plain_text", "text": "No"},
                            },
                            {
                                "type": "static_select",
                                "action_id": "size",
                                "options": OPTIONS,
                                "placeholder": {"type": "plain_text", "text": "Size"},
                            },
                        ],
                    },
                ],
            )

    @app.action("yes")
    @app.action("no")
    @app.action("size")
    def on_choice(ack: Ack, body: dict[str, Any], respond: Any) -> None:
        ack()
        seen.setdefault("action", []).append(body)
        if body.get("response_url"):  # home-tab clicks have none
            respond(text=f"You chose {body['actions'][0]['action_id']}", replace_original=True)

    @app.action("modal_more")
    def on_more(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        seen.setdefault("modal_action", []).append(body)
        client.views_push(
            trigger_id=body["trigger_id"],
            view={
                "type": "modal",
                "callback_id": "toy_more",
                "title": {"type": "plain_text", "text": "More"},
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "pushed"}}],
            },
        )

    @app.view("toy_form")
    def on_form(ack: Ack, view: dict[str, Any], body: dict[str, Any]) -> None:
        values = view["state"]["values"]
        seen.setdefault("submission", []).append(body)
        if values["text"]["text_action"]["value"] == "bad":
            ack(response_action="errors", errors={"text": "Say something nicer"})
            return
        ack()

    @app.view_closed("toy_form")
    def on_closed(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        seen.setdefault("closed", []).append(body)

    @app.shortcut("toy_capture")
    def on_capture(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        seen.setdefault("shortcut", []).append(body)

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any], client: WebClient, request: Any) -> None:
        seen.setdefault("home", []).append({"event": event, "retry": request.headers.get("x-slack-retry-num")})
        client.views_publish(
            user_id=event["user"],
            view={
                "type": "home",
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {"type": "button", "action_id": "yes", "text": {"type": "plain_text", "text": "Home yes"}}
                        ],
                    }
                ],
            },
        )

    return app


@pytest.fixture
def toy_seen() -> dict[str, list[Any]]:
    return {}


@pytest.fixture
def toy_app(emulator: SlackEmulator, toy_seen: dict[str, list[Any]]) -> Iterator[App]:
    yield build_toy_app(emulator, toy_seen)


@pytest.fixture
def toy_driver(emulator: SlackEmulator, toy_app: App) -> Driver:
    return Driver(emulator, InProcessTransport(toy_app), SECRET)
