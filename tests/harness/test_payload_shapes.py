"""The driver's requests carry every field Slack's own example payloads carry.

The examples are vendored in ``tests/slack_reference/payloads`` (sources in its README). Tests
built on a driver that forgot a field Slack sends (``response_url`` on a message shortcut, say)
would pass against code that breaks in a real workspace; this keeps the driver honest. Our
payloads may carry more (newer fields such as ``api_app_id`` or ``is_enterprise_install``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from bot.playground.signed_requests import Driver
from bot.playground.slack_emulator import SlackEmulator
from tests.insights.helpers import human_message
from tests.support.conformance import REFERENCE

EXAMPLES = REFERENCE / "payloads"


class RecordingTransport:
    """Answers 200 to everything and keeps the bodies, so the driver's payloads can be read back."""

    def __init__(self) -> None:
        self.bodies: list[tuple[bytes, dict[str, str]]] = []

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, str, dict[str, str]]:
        self.bodies.append((body, headers))
        return 200, "", {}


def decoded(body: bytes, headers: dict[str, str]) -> dict[str, Any]:
    """The request as Bolt parses it: JSON, a form with one ``payload`` field, or a plain form."""
    if headers["Content-Type"].startswith("application/json"):
        parsed: dict[str, Any] = json.loads(body)
        return parsed
    form = {key: values[0] for key, values in parse_qs(body.decode(), keep_blank_values=True).items()}
    return json.loads(form["payload"]) if "payload" in form else form


def example(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(Path(EXAMPLES, name).read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def sent(emulator: SlackEmulator) -> tuple[Driver, RecordingTransport]:
    transport = RecordingTransport()
    return Driver(emulator, transport, "signing-secret-for-shapes"), transport


def last_payload(transport: RecordingTransport) -> dict[str, Any]:
    body, headers = transport.bodies[-1]
    return decoded(body, headers)


# Fields of Slack's examples that are there only in some situations, each with the reason.
SITUATIONAL = {
    "team.enterprise_id": "only in an Enterprise Grid workspace",
    "team.enterprise_name": "only in an Enterprise Grid workspace",
    "message.client_msg_id": "set by Slack clients on what a person types; the emulator makes messages directly",
    "message.blocks": "rich_text a Slack client adds to a typed message; Tandem reads a message's text",
    "event.view": "only once the app has published a Home tab (the driver adds it then)",
}


def missing_fields(ours: dict[str, Any], slacks: dict[str, Any], path: str = "") -> list[str]:
    """Keys of Slack's example (recursively into objects both sides have) that ours lacks, except
    the :data:`SITUATIONAL` ones."""
    missing: list[str] = []
    for key, value in slacks.items():
        if key not in ours:
            if path + key not in SITUATIONAL:
                missing.append(path + key)
        elif isinstance(value, dict) and isinstance(ours[key], dict):
            missing += missing_fields(ours[key], value, f"{path}{key}.")
    return missing


def test_slash_command_has_slacks_fields(sent: tuple[Driver, RecordingTransport], emulator: SlackEmulator) -> None:
    driver, transport = sent
    driver.slash_command("/standup", "help", user=emulator.workspace.user_id("pat"))
    assert missing_fields(last_payload(transport), example("slash_command.json")) == []


def test_message_shortcut_has_slacks_fields(sent: tuple[Driver, RecordingTransport], emulator: SlackEmulator) -> None:
    driver, transport = sent
    workspace = emulator.workspace
    message = human_message(emulator, workspace, workspace.channel_id("general"), workspace.user_id("pat"), "hi")
    driver.message_action(user=workspace.user_id("mia"), callback_id="save_insight", message=message)
    ours = last_payload(transport)
    assert missing_fields(ours, example("message_action.json")) == []
    assert ours["type"] == "message_action"


def test_global_shortcut_has_slacks_fields(sent: tuple[Driver, RecordingTransport], emulator: SlackEmulator) -> None:
    driver, transport = sent
    driver.shortcut(user=emulator.workspace.user_id("pat"), callback_id="anything")
    assert missing_fields(last_payload(transport), example("shortcut.json")) == []


def test_block_actions_in_a_message_has_slacks_fields(
    sent: tuple[Driver, RecordingTransport], emulator: SlackEmulator
) -> None:
    driver, transport = sent
    workspace = emulator.workspace
    message = human_message(emulator, workspace, workspace.channel_id("general"), workspace.user_id("pat"), "hi")
    action = {
        "type": "button",
        "action_id": "a",
        "block_id": "b",
        "value": "v",
        "text": {"type": "plain_text", "text": "Go"},
    }
    driver.block_actions(user=workspace.user_id("mia"), actions=[action], message=message)
    ours = last_payload(transport)
    slacks = example("block_actions.message.json")
    assert missing_fields(ours, slacks) == []
    assert set(slacks["actions"][0]) <= set(ours["actions"][0])


def test_app_home_opened_has_slacks_envelope(sent: tuple[Driver, RecordingTransport], emulator: SlackEmulator) -> None:
    driver, transport = sent
    driver.app_home_opened(user=emulator.workspace.user_id("pat"))
    ours = last_payload(transport)
    slacks = example("app_home_opened.event_callback.json")
    assert missing_fields(ours, slacks) == []
    assert "view" in ours["event"] or emulator.home_of(emulator.workspace.user_id("pat")) is None
