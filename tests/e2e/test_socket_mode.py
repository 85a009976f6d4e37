"""End to end over Socket Mode: ``tandem run`` with SLACK_APP_TOKEN set (no ``--http``) against the
emulator's ``apps.connections.open`` and the loopback WebSocket server of tests/support/socket_mode.py.

The bot picks Socket Mode by itself, opens a connection with its app-level token, gets ``hello``,
and acks envelopes built by the harness driver from the same payloads as HTTP mode. /healthz
stays on PORT, and SIGTERM closes the socket and exits 0. SQLite only: the transport is the subject.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.playground.signed_requests import Driver
from bot.playground.slack_emulator import SlackEmulator
from bot.standup.ids import Block
from tests.support.botproc import BotProcess, ClockFile, bot_env, run_tandem
from tests.support.fixtures import BotUnderTest
from tests.support.socket_mode import (
    EVENTS_API,
    INTERACTIVE,
    SLASH_COMMANDS,
    SocketConnection,
    SocketModeServer,
    SocketModeTransport,
)

pytestmark = pytest.mark.e2e

ACK_DEADLINE = 3.0  # seconds: Slack's rule for every envelope
WAIT = 20.0  # generous waits for side effects: the machine is shared


@pytest.fixture
def slack(emulator: SlackEmulator) -> Iterator[SocketModeServer]:
    """Slack's Socket Mode side; the emulator answers apps.connections.open with its URLs."""
    with SocketModeServer(emulator) as server:
        yield server
    assert server.problems == [], f"the app broke the Socket Mode protocol: {server.problems}"


@pytest.fixture
def socket_bot(
    emulator: SlackEmulator,
    slack: SocketModeServer,
    sqlite_database_url: str,
    clock: ClockFile,
    signing_secret: str,
    tmp_path: Path,
) -> Iterator[BotUnderTest]:
    """``python -m bot run`` with SLACK_APP_TOKEN (so Socket Mode), connected, on SQLite."""
    env = bot_env(
        api_url=emulator.base_url,
        bot_token=emulator.workspace.bot_token,
        signing_secret=signing_secret,
        database_url=sqlite_database_url,
        clock_file=clock.path,
        SLACK_APP_TOKEN=slack.app_token,
    )
    workdir = tmp_path / "bot"
    workdir.mkdir()
    process = BotProcess(env, workdir, http=False).start()
    handle = BotUnderTest(
        emulator,
        Driver(emulator, SocketModeTransport(slack), signing_secret),
        clock,
        sqlite_database_url,
        env,
        workdir,
        process,
    )
    try:
        slack.wait_for_connection(timeout=WAIT)
        yield handle
    finally:
        code = process.stop()
    assert code == 0, f"the bot exited with {code} on SIGTERM; log:\n{process.log_text()[-3000:]}"


def connection_of(slack: SocketModeServer) -> SocketConnection:
    return slack.wait_for_connection(timeout=WAIT)


def test_apps_connections_open_takes_only_the_app_level_token(emulator: SlackEmulator, slack: SocketModeServer) -> None:
    """The emulator side on its own: the Bearer xapp token gets a ws URL; other tokens do not."""
    response = WebClient(base_url=emulator.base_url).apps_connections_open(app_token=slack.app_token)
    assert response["ok"] is True
    assert response["url"].startswith(f"ws://127.0.0.1:{slack.port}/link/?ticket=")
    assert slack.tickets and slack.tickets[-1] in response["url"]

    for token, error in (
        (emulator.workspace.bot_token, "not_allowed_token_type"),
        ("xapp-1-A0000000000-0-not-this-app", "invalid_auth"),
    ):
        with pytest.raises(SlackApiError) as raised:
            WebClient(base_url=emulator.base_url).apps_connections_open(app_token=token)
        assert raised.value.response["error"] == error
    # An app-level token is no bot token: Web API methods refuse it.
    with pytest.raises(SlackApiError) as raised:
        WebClient(token=slack.app_token, base_url=emulator.base_url).auth_test()
    assert raised.value.response["error"] == "not_allowed_token_type"
    assert emulator.violations == []


def test_connects_with_the_app_token_gets_hello_and_answers_pings(
    socket_bot: BotUnderTest, slack: SocketModeServer, emulator: SlackEmulator
) -> None:
    opened = emulator.calls("apps.connections.open")
    assert len(opened) == 1, opened
    # The emulator answers ok only to a Bearer token equal to the app-level token (test above).
    assert opened[0].ok and opened[0].status == 200 and opened[0].team_id == emulator.workspace.team_id
    assert opened[0].http_method == "POST"

    connection = connection_of(slack)
    assert connection.ticket == slack.tickets[0] and connection.path.startswith("/link/?ticket=")
    assert connection.hello["type"] == "hello" and connection.hello["connection_info"]["app_id"]
    assert len(slack.connections) == 1

    # slack_sdk's client pings right after the handshake and answers the server's pings.
    slack.wait_for(lambda: connection.client_pings, WAIT, "the app's first ping")
    assert connection.ping(timeout=ACK_DEADLINE) < ACK_DEADLINE

    log = socket_bot.log_text()
    assert "Socket Mode" in log and "listening on http" not in log
    assert slack.app_token not in log and emulator.workspace.bot_token not in log


def test_standup_help_is_acked_within_3s_with_the_usage_in_the_ack(
    socket_bot: BotUnderTest, slack: SocketModeServer, emulator: SlackEmulator
) -> None:
    pat = socket_bot.user("pat")
    ack = pat.command("/standup", "help")
    assert ack.status == 200, ack.body
    assert ack.latency < ACK_DEADLINE, f"acked in {ack.latency:.2f}s; Slack allows 3 s"

    envelope, socket_ack = slack.envelopes[-1], slack.acks[-1]
    assert envelope.type == SLASH_COMMANDS and envelope.accepts_response_payload is True
    assert envelope.payload["command"] == "/standup" and envelope.payload["text"] == "help"
    assert socket_ack.envelope_id == envelope.envelope_id and socket_ack.latency < ACK_DEADLINE
    assert socket_ack.payload is not None, socket_ack.raw
    assert socket_ack.payload.get("response_type") == "ephemeral", socket_ack.payload
    assert "/standup" in socket_ack.payload["text"] and "help" in socket_ack.payload["text"]
    assert ack.json == socket_ack.payload

    # The usage went back in the ack (shown to Pat only); nothing was posted.
    assert [e.text for e in pat.ephemerals] == [socket_ack.payload["text"]]
    assert emulator.calls("chat.postMessage") == [] and emulator.response_posts() == []


def test_unknown_subcommand_gets_the_usage(socket_bot: BotUnderTest, slack: SocketModeServer) -> None:
    pat = socket_bot.user("pat")
    ack = pat.command("/standup", "frobnicate now")
    assert ack.status == 200 and ack.latency < ACK_DEADLINE, ack.body
    payload = slack.acks[-1].payload
    assert payload is not None and payload.get("response_type") == "ephemeral", slack.acks[-1].raw
    assert "frobnicate" in payload["text"] and "/standup " in payload["text"], payload["text"]


def test_app_home_opened_event_publishes_the_home(
    socket_bot: BotUnderTest, slack: SocketModeServer, emulator: SlackEmulator
) -> None:
    pat = socket_bot.user("pat")
    ack = pat.open_home()
    assert ack.status == 200 and ack.latency < ACK_DEADLINE
    envelope, socket_ack = slack.envelopes[-1], slack.acks[-1]
    assert envelope.type == EVENTS_API and envelope.accepts_response_payload is False
    assert envelope.payload["type"] == "event_callback" and envelope.payload["event"]["type"] == "app_home_opened"
    assert socket_ack.envelope_id == envelope.envelope_id and socket_ack.payload is None  # a bare ack

    published = emulator.wait_for_call("views.publish", timeout=WAIT, user_id=pat.id)
    assert published.ok, published.response
    assert pat.home(timeout=WAIT)["type"] == "home"


def test_interactive_envelopes_open_and_submit_a_modal(
    socket_bot: BotUnderTest, slack: SocketModeServer, emulator: SlackEmulator
) -> None:
    """block_actions (a Home button) and view_submission (errors in the ack payload, then close)."""
    ada = socket_bot.user("ada")  # a workspace admin: her Home has the set-up buttons
    ada.open_home()
    ada.home(timeout=WAIT)
    click = ada.click(text="New stand-up", in_home=True)
    assert click.status == 200 and click.latency < ACK_DEADLINE
    assert slack.envelopes[-1].type == INTERACTIVE and slack.envelopes[-1].payload["type"] == "block_actions"
    modal = ada.modal(callback_id="standup_setup", timeout=WAIT)  # views.open made it within the trigger's 3 s

    ws = emulator.workspace
    values: dict[str, Any] = {Block.NAME: "Launch sync", Block.CHANNEL: ws.channel_id("product-marketing")}
    refused = ada.submit(values, view=modal)  # nobody in it
    assert refused.status == 200 and refused.latency < ACK_DEADLINE
    assert slack.envelopes[-1].payload["type"] == "view_submission"
    assert refused.response_action == "errors" and Block.PEOPLE_PRODUCT in refused.errors, refused.body
    assert slack.acks[-1].payload == refused.json  # response_action travelled in the ack payload
    assert emulator.open_modal(ada.id) is not None  # errors keep the modal open

    values.update({Block.PEOPLE_PRODUCT: [ws.user_id("pat")], Block.PEOPLE_MARKETING: [ws.user_id("max")]})
    done = ada.submit(values, view=modal)
    assert done.status == 200 and done.latency < ACK_DEADLINE and not done.errors, done.body
    assert emulator.open_modal(ada.id) is None  # a bare ack closes it
    # Ada is not in the channel, so the confirmation comes as a DM: the listener ran after the ack.
    assert "Launch sync" in ada.wait_for_dm(timeout=WAIT).text


def test_healthz_answers_on_port_in_socket_mode(socket_bot: BotUnderTest) -> None:
    health = httpx.get(f"{socket_bot.url}/healthz", timeout=5)
    assert health.status_code == 200
    assert health.headers["content-type"].startswith("application/json")
    assert health.json() == {"status": "ok", "database": "ok"}
    # Slack reaches the bot over the socket only: the HTTP endpoint for Slack is not served.
    refused = httpx.post(f"{socket_bot.url}/slack/events", content=b"command=%2Fstandup&text=help", timeout=5)
    assert refused.status_code == 404


def test_refresh_requested_reconnects_on_a_new_ticket(
    socket_bot: BotUnderTest, slack: SocketModeServer, emulator: SlackEmulator
) -> None:
    first = connection_of(slack)
    slack.disconnect("refresh_requested")
    second = slack.wait_for_connection(timeout=WAIT, after=1)
    slack.wait_closed(first, timeout=WAIT)  # the client drops the old link once the new one is up
    assert len(emulator.calls("apps.connections.open")) == 2
    assert second.ticket == slack.tickets[1] != first.ticket

    ack = socket_bot.user("pat").command("/standup", "help")
    assert ack.status == 200 and ack.latency < ACK_DEADLINE and "/standup" in ack.text
    assert slack.acks[-1].connection_id == second.id


def test_sigterm_closes_the_socket_and_exits_0(
    socket_bot: BotUnderTest, slack: SocketModeServer, emulator: SlackEmulator
) -> None:
    connection = connection_of(slack)
    assert socket_bot.process is not None
    stopped_at_least = time.time()
    assert socket_bot.process.stop() == 0
    slack.wait_closed(connection, timeout=WAIT)
    assert connection.closed_at is not None and connection.closed_at >= stopped_at_least
    # It closed for good: no reconnect attempt after the signal.
    assert len(emulator.calls("apps.connections.open")) == 1 and len(slack.connections) == 1
    log = socket_bot.log_text()
    assert "received SIGTERM" in log and "Tandem stopped" in log


def test_check_verifies_the_app_token(
    emulator: SlackEmulator, slack: SocketModeServer, sqlite_database_url: str, signing_secret: str, tmp_path: Path
) -> None:
    """`tandem check` with SLACK_APP_TOKEN opens a connection URL with it (apps.connections.open)."""
    env = bot_env(
        api_url=emulator.base_url,
        bot_token=emulator.workspace.bot_token,
        signing_secret=signing_secret,
        database_url=sqlite_database_url,
        SLACK_APP_TOKEN=slack.app_token,
    )
    result = run_tandem("check", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "settings   ok: single workspace (bot token), Socket Mode" in result.stdout
    assert "socket     ok: SLACK_APP_TOKEN opens Socket Mode connections" in result.stdout
    opened = emulator.calls("apps.connections.open")
    assert len(opened) == 1 and opened[0].ok
    assert result.stderr == ""
