"""manifest.yml is a valid Slack app manifest and matches what the Bolt app really listens to.

* Schema: Slack's official manifest JSON schema (draft-07), vendored with the tests,
  ``tests/slack_reference/manifest.schema.json`` (slackapi/manifest-schema
  ``schemas/manifest.schema.1.0.0.json``, tag v0.5.0, commit a936b12a). The schema is also checked
  to reject broken copies of our manifest, so a schema that silently accepts anything fails here.
* Manifest -> app: every command, shortcut and event in the manifest is replayed as a signed
  request (shapes from Slack's own payload examples) into the real ``build_app`` app, and must
  reach a listener (Bolt answers 404 "unhandled request" otherwise).
* App -> manifest: while ``build_app`` runs, Bolt's registration methods are wrapped to record
  what each feature registers (``recorded_registrations``); every command, shortcut and event
  registered must be declared in the manifest, or Slack would never send it.

The app is built in single-workspace mode, and Bolt calls ``auth.test`` when it is constructed
and on the first request; a tiny Web API stub on 127.0.0.1 answers that and any Web API call a
listener makes (``SLACK_API_URL`` points at it), so nothing leaves the machine.
"""

from __future__ import annotations

import copy
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jsonschema
import pytest
import yaml
from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier

from bot.app import BOT_SCOPES, build_app
from bot.migrate import upgrade_to_head
from bot.runtime import build_services
from bot.settings import Settings
from tests.support.conformance import REFERENCE

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "manifest.yml"
SCHEMA = REFERENCE / "manifest.schema.json"

EXPECTED_COMMANDS = {"/standup", "/retro", "/insight", "/goal", "/launch", "/digest"}
SIGNING_SECRET = "manifest-test-signing-secret"
BOT_TOKEN = "xoxb-manifest-test-token"
TEAM_ID = "T0TANDEM1"


def load_manifest() -> dict[str, Any]:
    with MANIFEST.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def schema_errors(manifest: dict[str, Any]) -> list[str]:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in validator.iter_errors(manifest)
    ]


def manifest_commands(manifest: dict[str, Any]) -> set[str]:
    return {item["command"] for item in manifest["features"].get("slash_commands", [])}


def manifest_shortcuts(manifest: dict[str, Any]) -> dict[str, str]:
    return {item["callback_id"]: item["type"] for item in manifest["features"].get("shortcuts", [])}


def manifest_bot_events(manifest: dict[str, Any]) -> set[str]:
    return set(manifest["settings"].get("event_subscriptions", {}).get("bot_events", []))


# ---------------------------------------------------------------- the manifest on its own


def test_manifest_is_valid_against_slacks_schema() -> None:
    assert schema_errors(load_manifest()) == []


def test_schema_check_rejects_broken_manifests() -> None:
    manifest = load_manifest()

    def broken(change: Any) -> list[str]:
        copied = copy.deepcopy(manifest)
        change(copied)
        return schema_errors(copied)

    assert broken(lambda m: m.pop("display_information"))
    assert broken(lambda m: m["display_information"].update(long_description="Too short."))
    assert broken(lambda m: m["features"]["slash_commands"][0].update(command="standup"))  # no leading slash
    assert broken(lambda m: m["features"]["shortcuts"][0].update(type="channel"))
    assert broken(lambda m: m["features"]["shortcuts"][0].update(name="Save this message as a customer insight"))
    assert broken(lambda m: m["settings"].update(socket_mode=True))  # a misspelt key
    assert broken(lambda m: m["settings"]["interactivity"].pop("is_enabled"))
    assert broken(lambda m: m["settings"]["event_subscriptions"].update(request_url="slack/events"))


def test_manifest_settings_are_the_documented_defaults() -> None:
    manifest = load_manifest()
    display = manifest["display_information"]
    assert display["name"] == "Tandem"
    assert len(display["long_description"]) >= 175
    # The schema spells this constraint "regex", which draft-07 ignores, so check it here.
    assert re.fullmatch(r"#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?", display["background_color"])
    features = manifest["features"]
    assert features["bot_user"] == {"display_name": "Tandem", "always_online": False}
    # The Messages tab shows Tandem's DMs (prompts, reminders, loop-closing notes) but is read-only:
    # nothing answers a typed DM (that would need the message.im event and im:history), so people
    # are not invited to type into a void.
    assert features["app_home"] == {
        "home_tab_enabled": True,
        "messages_tab_enabled": True,
        "messages_tab_read_only_enabled": True,
    }
    assert "message.im" not in manifest["settings"]["event_subscriptions"]["bot_events"]
    settings = manifest["settings"]
    assert settings["socket_mode_enabled"] is True
    assert settings["org_deploy_enabled"] is False
    assert settings["token_rotation_enabled"] is False
    assert settings["interactivity"]["is_enabled"] is True


def test_socket_mode_manifest_has_no_request_urls() -> None:
    # With Socket Mode on, Slack sends everything over the socket; a URL here would be a leftover.
    manifest = load_manifest()
    assert all("url" not in command for command in manifest["features"]["slash_commands"])
    assert "request_url" not in manifest["settings"]["event_subscriptions"]
    assert "request_url" not in manifest["settings"]["interactivity"]


def test_manifest_declares_the_four_commands_each_with_a_description_and_usage_hint() -> None:
    manifest = load_manifest()
    assert manifest_commands(manifest) == EXPECTED_COMMANDS
    for command in manifest["features"]["slash_commands"]:
        assert command["description"].strip(), command
        assert command["usage_hint"].strip(), command


def test_manifest_declares_the_save_as_insight_message_shortcut() -> None:
    shortcuts = load_manifest()["features"]["shortcuts"]
    assert shortcuts == [
        {
            "name": "Save as customer insight",
            "type": "message",
            "callback_id": "save_as_insight",
            "description": shortcuts[0]["description"],
        }
    ]
    assert shortcuts[0]["description"].strip()


def test_manifest_bot_scopes_are_exactly_the_apps() -> None:
    scopes = load_manifest()["oauth_config"]["scopes"]
    assert scopes["bot"] == list(BOT_SCOPES)
    assert "user" not in scopes  # Tandem never acts as a user


# ---------------------------------------------------------------- a Web API stub on loopback


@dataclass
class WebApiStub:
    """Answers every Web API method with ``ok``; records the calls (method, form or JSON args)."""

    url: str
    calls: list[tuple[str, str]] = field(default_factory=list)

    def methods(self) -> list[str]:
        return [method for method, _ in self.calls]


@pytest.fixture
def web_api() -> Iterator[WebApiStub]:
    stub = WebApiStub(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode("utf-8", "replace")
            method = self.path.rstrip("/").rsplit("/", 1)[-1]
            stub.calls.append((method, body))
            payload: dict[str, Any] = {"ok": True}
            if method == "auth.test":
                payload.update(team_id=TEAM_ID, team="Tandem test", user_id="U0TANDEMBOT", bot_id="B0TANDEM1")
            data = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:  # keep pytest output clean
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stub.url = f"http://127.0.0.1:{server.server_address[1]}/api/"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()


# ---------------------------------------------------------------- the real app, recorded


@dataclass
class Registrations:
    """What features registered with Bolt, by registration method: ("command", "/standup")..."""

    items: list[tuple[str, Any]] = field(default_factory=list)

    def of(self, *kinds: str) -> list[Any]:
        return [constraint for kind, constraint in self.items if kind in kinds]


RECORDED_METHODS = ("command", "shortcut", "global_shortcut", "message_shortcut", "event", "message")


def record_registrations(monkeypatch: pytest.MonkeyPatch) -> Registrations:
    """Wrap Bolt's registration methods on ``App`` so each call is recorded, then delegated.

    Bolt keeps listeners as opaque matcher closures; recording the arguments features pass to
    ``app.command(...)`` and friends is the stable way to list them. ``monkeypatch`` restores
    the class after the test.
    """
    recorded = Registrations()
    for name in RECORDED_METHODS:
        original = getattr(App, name)

        def wrapper(self: App, *args: Any, _original: Any = original, _name: str = name, **kwargs: Any) -> Any:
            constraint = args[0] if args else kwargs.get("keyword", kwargs.get("constraints"))
            if _name == "message" and not args and "keyword" not in kwargs:
                constraint = None  # app.message() with no keyword: every message
            recorded.items.append((_name, constraint))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(App, name, wrapper)
    return recorded


@dataclass
class BuiltApp:
    app: App
    registrations: Registrations
    executor: ThreadPoolExecutor


@pytest.fixture
def built_app(tmp_path: Path, web_api: WebApiStub, monkeypatch: pytest.MonkeyPatch) -> Iterator[BuiltApp]:
    for key in list(os.environ):
        if key.lower() in Settings.model_fields:
            monkeypatch.delenv(key)
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=web_api.url,
        database_url=f"sqlite:///{tmp_path / 'manifest.db'}",
    )
    services = build_services(settings)
    upgrade_to_head(services.db)
    registrations = record_registrations(monkeypatch)
    executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="manifest-test")
    try:
        app = build_app(services, listener_executor=executor)
        monkeypatch.undo()  # stop recording: only build_app's registrations count
        yield BuiltApp(app=app, registrations=registrations, executor=executor)
    finally:
        executor.shutdown(wait=True)  # listeners still running in the background finish first
        services.db.dispose()


def signed_request(body: str, content_type: str) -> BoltRequest:
    timestamp = str(int(time.time()))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=body)
    headers = {
        "content-type": [content_type],
        "x-slack-request-timestamp": [timestamp],
        "x-slack-signature": [signature],
    }
    return BoltRequest(body=body, headers=headers)


def slash_command_request(command: str, response_url: str) -> BoltRequest:
    # Field set of Slack's documented slash-command payload (tests/slack_reference/payloads/slash_command.json).
    form = {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "tandem-test",
        "channel_id": "C0TANDEM01",
        "channel_name": "product-marketing",
        "user_id": "U0PM000001",
        "user_name": "pm",
        "command": command,
        "text": "help",
        "api_app_id": "A0TANDEM01",
        "response_url": response_url,
        "trigger_id": "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c",
    }
    return signed_request(urlencode(form), "application/x-www-form-urlencoded")


def shortcut_request(callback_id: str, kind: str, response_url: str) -> BoltRequest:
    # Shapes of tests/slack_reference/payloads/message_action.json and shortcut.json.
    payload: dict[str, Any] = {
        "type": "message_action" if kind == "message" else "shortcut",
        "token": "legacy-verification-token",
        "action_ts": "1583637157.207593",
        "team": {"id": TEAM_ID, "domain": "tandem-test"},
        "user": {"id": "U0PMM00001", "name": "marketer", "team_id": TEAM_ID},
        "callback_id": callback_id,
        "trigger_id": "123.123.abc",
    }
    if kind == "message":
        payload.update(
            channel={"id": "C0TANDEM01", "name": "sales-calls"},
            message_ts="1583636382.000300",
            message={
                "type": "message",
                "text": "Customer said the export is the reason they stay.",
                "user": "U0SALES001",
                "ts": "1583636382.000300",
                "team": TEAM_ID,
            },
            response_url=response_url,
        )
    return signed_request(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")


def event_request(event_type: str) -> BoltRequest:
    # Envelope of tests/slack_reference/payloads/app_home_opened.event_callback.json.
    event: dict[str, Any] = {"type": event_type, "user": "U0PM000001", "event_ts": "1574169232.000100"}
    if event_type == "app_home_opened":
        event.update(channel="D0TANDEM01", tab="home")
    body = {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0TANDEM01",
        "event": event,
        "type": "event_callback",
        "event_id": "Ev0TANDEM01",
        "event_time": 1574169232,
        "authorizations": [{"team_id": TEAM_ID, "user_id": "U0TANDEMBOT", "is_bot": True}],
    }
    return signed_request(json.dumps(body), "application/json")


# ---------------------------------------------------------------- manifest -> app


def test_every_manifest_command_reaches_a_listener(built_app: BuiltApp, web_api: WebApiStub) -> None:
    for command in sorted(manifest_commands(load_manifest())):
        response = built_app.app.dispatch(slash_command_request(command, web_api.url + "response"))
        assert response.status == 200, f"{command}: {response.status} {response.body}"


def test_every_manifest_shortcut_reaches_a_listener(built_app: BuiltApp, web_api: WebApiStub) -> None:
    for callback_id, kind in sorted(manifest_shortcuts(load_manifest()).items()):
        response = built_app.app.dispatch(shortcut_request(callback_id, kind, web_api.url + "response"))
        assert response.status == 200, f"{callback_id}: {response.status} {response.body}"


def test_every_manifest_event_reaches_a_listener(built_app: BuiltApp) -> None:
    for event_type in sorted(manifest_bot_events(load_manifest())):
        response = built_app.app.dispatch(event_request(event_type))
        assert response.status == 200, f"{event_type}: {response.status} {response.body}"


def test_a_command_missing_from_the_app_is_unhandled(built_app: BuiltApp, web_api: WebApiStub) -> None:
    # The checks above would pass vacuously if Bolt answered 200 to anything; it does not.
    response = built_app.app.dispatch(slash_command_request("/not-a-tandem-command", web_api.url + "response"))
    assert response.status == 404
    response = built_app.app.dispatch(shortcut_request("not_a_tandem_shortcut", "message", web_api.url + "r"))
    assert response.status == 404
    assert built_app.app.dispatch(event_request("reaction_added")).status == 404


# ---------------------------------------------------------------- app -> manifest


def _declared(constraint: Any, declared: set[str]) -> bool:
    if isinstance(constraint, re.Pattern):
        return any(constraint.search(name) for name in declared)
    if isinstance(constraint, dict):
        constraint = constraint.get("callback_id") or constraint.get("type")
    return constraint in declared


def test_every_registered_command_is_in_the_manifest(built_app: BuiltApp) -> None:
    registered = built_app.registrations.of("command")
    declared = manifest_commands(load_manifest())
    assert registered, "build_app registered no slash command at all"
    missing = [c for c in registered if not _declared(c, declared)]
    assert missing == [], f"registered but not in manifest.yml (Slack would never send them): {missing}"
    assert {c for c in registered if isinstance(c, str)} == EXPECTED_COMMANDS


def test_every_registered_shortcut_is_in_the_manifest(built_app: BuiltApp) -> None:
    shortcuts = manifest_shortcuts(load_manifest())
    regs = built_app.registrations
    checks = [
        (regs.of("shortcut"), set(shortcuts)),
        (regs.of("message_shortcut"), {cid for cid, kind in shortcuts.items() if kind == "message"}),
        (regs.of("global_shortcut"), {cid for cid, kind in shortcuts.items() if kind == "global"}),
    ]
    assert any(registered for registered, _ in checks), "build_app registered no shortcut at all"
    for registered, declared in checks:
        missing = [c for c in registered if not _declared(c, declared)]
        assert missing == [], f"registered but not in manifest.yml: {missing}"


def test_every_registered_event_is_subscribed_in_the_manifest(built_app: BuiltApp) -> None:
    subscribed = manifest_bot_events(load_manifest())
    message_events = {e for e in subscribed if e.startswith("message.")}
    missing: list[Any] = []
    for kind, constraint in built_app.registrations.items:
        if kind == "message":
            if not message_events:
                missing.append(("message", constraint))
        elif kind == "event":
            event_type = constraint.get("type") if isinstance(constraint, dict) else constraint
            if event_type == "message":
                if not message_events:
                    missing.append(constraint)
            elif not _declared(event_type, subscribed):
                missing.append(constraint)
    assert missing == [], f"listened to but not subscribed in manifest.yml: {missing}"
    assert "app_home_opened" in built_app.registrations.of("event")


def test_recording_sees_what_a_feature_registers(monkeypatch: pytest.MonkeyPatch) -> None:
    # The recorder itself: a registration on any App shows up, and the listener still works.
    recorded = record_registrations(monkeypatch)
    app = App(signing_secret=SIGNING_SECRET, token_verification_enabled=False, token="xoxb-recorder")
    app.command("/recorded")(lambda ack: ack())
    app.event("team_join")(lambda: None)
    app.shortcut({"callback_id": "recorded_cb", "type": "message_action"})(lambda ack: ack())
    assert recorded.items == [
        ("command", "/recorded"),
        ("event", "team_join"),
        ("shortcut", {"callback_id": "recorded_cb", "type": "message_action"}),
    ]
    assert not _declared("/recorded", EXPECTED_COMMANDS)
    assert _declared(re.compile("^/stand"), EXPECTED_COMMANDS)
