"""End to end: ``POST /goals/<id>/values`` through the real bot process (HTTP mode on both
databases, Socket Mode on the /healthz port), with the token made the way an owner makes it: the
values modal's "Make a new token" button, clicked through the emulator.

The modal is opened with ``open_values`` from the test (the ``/goal list`` overflow that calls it
belongs to the /goal command, wired when the branches merge); everything after is the bot's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from slack_sdk import WebClient
from sqlalchemy import func, select

from bot.db import Database
from bot.goals import setup
from bot.goals.ids import Action, Callback
from bot.goals.listeners_values import open_values
from bot.goals.models import Goal, GoalValue
from bot.goals.values import issue_token
from bot.playground.people import SimulatedUser
from bot.playground.signed_requests import Driver
from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import Workspace
from bot.runtime import build_services
from bot.services import Services
from bot.settings import Settings
from bot.slack.delivery_models import OutboxMessage
from tests.goals.conftest import FakeDirectory, goal_input
from tests.support.botproc import BotProcess, ClockFile, bot_env
from tests.support.fixtures import BotUnderTest
from tests.support.socket_mode import SocketModeServer, SocketModeTransport

pytestmark = pytest.mark.e2e

WAIT = 20.0
NOW = "2026-12-07T08:00:00+00:00"


def create_goal(database_url: str, ws: Workspace, *, post: bool = True) -> int:
    db = Database.from_url(database_url)
    try:
        with db.unit_of_work() as session:
            data = goal_input(
                product_owners=(ws.user_id("pat"),),
                marketing_owners=(ws.user_id("asha"),),
                channel_id=ws.channel_id("product-marketing"),
            )
            goal = setup.create_goal(
                session, team_id=ws.team_id, data=data, created_by=ws.user_id("pat"),
                today=date(2026, 12, 7), now=datetime.fromisoformat(NOW), directory=FakeDirectory(),
                creator_tz="UTC",
            )  # fmt: skip
            if not post:  # another workspace's goal: this bot (Acme's token) cannot post there
                session.query(OutboxMessage).filter(OutboxMessage.team_id == ws.team_id).delete()
            return goal.id
    finally:
        db.dispose()


def services_for(emulator: SlackEmulator, database_url: str, clock: ClockFile, public_url: str | None) -> Services:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=SecretStr(emulator.workspace.bot_token),
        slack_signing_secret=SecretStr("unused-here"),
        slack_api_url=emulator.base_url,
        database_url=database_url,
        tandem_clock_file=clock.path,
        tandem_public_url=public_url,
        slack_app_token=None,
        slack_client_id=None,
        slack_client_secret=None,
    )
    return build_services(settings)


def make_token(emulator: SlackEmulator, bot: BotUnderTest, user: SimulatedUser, goal_id: int) -> str:
    """As an owner: open the values modal, click "Make a new token", read the token shown once."""
    services = services_for(emulator, bot.database_url, bot.clock, "https://tandem.example.com")
    try:
        ws = user.workspace
        client = WebClient(token=ws.bot_token, base_url=emulator.base_url)
        open_values(
            client, services, trigger_id=emulator.issue_trigger(ws.team_id, user.id), team_id=ws.team_id,
            user_id=user.id, goal_id=goal_id,
        )  # fmt: skip
    finally:
        services.db.dispose()
    modal = user.modal(callback_id=Callback.VALUES)
    text = json.dumps(modal.blocks)
    assert f"https://tandem.example.com/goals/{goal_id}/values" in text and "curl -X POST" in text
    before = len(emulator.views_opened(user.id))
    ack = user.click(Action.NEW_TOKEN, in_modal=True)
    assert ack.status == 200
    shown = emulator.wait_for(
        lambda: [v for v in emulator.views_opened(user.id)[before:] if v.callback_id == Callback.TOKEN] or None,
        WAIT,
        "the token modal",
    )[-1]
    code = [b["text"]["text"] for b in shown.blocks if b.get("type") == "section" and "```" in b["text"]["text"]]
    token = code[0].strip("`")
    assert len(token) >= 43 and token in code[1]  # the curl example carries it too
    return token


def goal_message(emulator: SlackEmulator, needle: str) -> Any:
    def find() -> Any:
        for message in emulator.messages_in("product-marketing"):
            if "Lift trial-to-paid" in message.text and needle in json.dumps(message.blocks):
                return message
        return None

    return emulator.wait_for(find, WAIT, f"the goal message showing {needle}")


def value_count(database_url: str) -> int:
    db = Database.from_url(database_url)
    try:
        with db.unit_of_work() as session:
            return int(session.scalar(select(func.count()).select_from(GoalValue)) or 0)
    finally:
        db.dispose()


def post(base: str, goal_id: int | str, token: str | None, body: Any, **headers: str) -> httpx.Response:
    sent = dict(headers)
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    sent.setdefault("Content-Type", "application/json")
    return httpx.post(f"{base}/goals/{goal_id}/values", content=content, headers=sent, timeout=10)


def test_push_a_value_through_the_real_bot(bot: BotUnderTest, emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    bot.set_now(NOW)
    goal_id = create_goal(bot.database_url, ws)
    goal_message(emulator, "no value yet")  # the bot's drainer posted the goal's message
    pat = bot.user("pat")
    token = make_token(emulator, bot, pat, goal_id)

    # A good token: stored (201 with the id), and the goal's one message updated in place.
    body = {"value": 12.5, "at": "2026-12-07T07:00:00Z", "note": "from the CRM"}
    first = post(bot.url, goal_id, token, body)
    assert first.status_code == 201, first.text
    stored = first.json()
    assert stored["goal_id"] == goal_id and stored["replayed"] is False and isinstance(stored["id"], int)
    message = goal_message(emulator, "12.5%")
    assert message.edits, "updated in place, not posted again"
    assert len([m for m in emulator.messages_in("product-marketing") if "Lift trial-to-paid" in m.text]) == 1

    # The same request again (a retry): one value, the same id.
    again = post(bot.url, goal_id, token, body)
    assert again.status_code == 200 and again.json() == {**stored, "replayed": True}
    keyed = post(bot.url, goal_id, token, {"value": 13}, **{"Idempotency-Key": "nightly-2026-12-07"})
    assert keyed.status_code == 201
    assert post(bot.url, goal_id, token, {"value": 13}, **{"Idempotency-Key": "nightly-2026-12-07"}).status_code == 200
    assert value_count(bot.database_url) == 2
    goal_message(emulator, "13%")

    # A bad or missing token, or a goal that does not exist: 401, the same answer, nothing stored.
    answers = [
        post(bot.url, goal_id, token[:-2] + "xx", body),
        post(bot.url, goal_id, None, body),
        post(bot.url, goal_id, None, body, Authorization=f"Basic {token}"),
        post(bot.url, goal_id + 1000, token, body),
        post(bot.url, goal_id, token[:-2] + "xx", b"not json"),  # a wrong token is 401 before the body
    ]
    for answer in answers:
        assert answer.status_code == 401, answer.text
        assert answer.json() == {"error": "unauthorized"} and answer.headers["WWW-Authenticate"] == "Bearer"
    assert value_count(bot.database_url) == 2

    # Malformed: 400 with the reason, nothing stored.
    for bad, reason in (
        (b"{value: 1}", "not JSON"),
        ({"value": "12"}, "JSON number"),
        ({"value": 1, "at": "2026-12-07 07:00"}, "UTC offset"),
        ({"value": 1, "at": "2026-12-08T09:00:00Z"}, "in the future"),
        (b'{"value": NaN}', "finite number"),
    ):
        answer = post(bot.url, goal_id, token, bad)
        assert answer.status_code == 400 and reason in answer.json()["error"], answer.text
    too_big = post(bot.url, goal_id, token, {"value": 1, "note": "x" * 20_000})
    assert too_big.status_code == 413 and "error" in too_big.json()
    assert httpx.get(f"{bot.url}/goals/{goal_id}/values").status_code == 405
    assert httpx.post(f"{bot.url}/goals/x/values").status_code == 404
    assert value_count(bot.database_url) == 2

    # A new token stops the old one.
    newer = make_token(emulator, bot, pat, goal_id)
    assert post(bot.url, goal_id, token, {"value": 14}).status_code == 401
    assert post(bot.url, goal_id, newer, {"value": 14}).status_code == 201
    assert "Traceback" not in bot.log_text() and token not in bot.log_text() and newer not in bot.log_text()


def test_a_token_opens_only_its_own_goal_across_workspaces(bot: BotUnderTest, emulator: SlackEmulator) -> None:
    acme = emulator.workspace
    globex = emulator.add_workspace("Globex")
    bot.set_now(NOW)
    ours = create_goal(bot.database_url, acme)
    theirs = create_goal(bot.database_url, globex, post=False)
    db = Database.from_url(bot.database_url)
    try:
        with db.unit_of_work() as session:
            goal = session.get(Goal, theirs)
            assert goal is not None
            their_token = issue_token(session, goal, datetime.fromisoformat(NOW))
    finally:
        db.dispose()
    our_token = make_token(emulator, bot, bot.user("pat"), ours)
    # Our token on their goal's id, their token on ours: 401 like any wrong token, nothing stored.
    for goal_id, token in ((theirs, our_token), (ours, their_token)):
        answer = post(bot.url, goal_id, token, {"value": 1})
        assert answer.status_code == 401 and answer.json() == {"error": "unauthorized"}
    assert value_count(bot.database_url) == 0
    # Each token works for its own goal; the value lands in that goal's workspace.
    assert post(bot.url, theirs, their_token, {"value": 2}).status_code == 201
    db = Database.from_url(bot.database_url)
    try:
        with db.unit_of_work() as session:
            [row] = session.scalars(select(GoalValue)).all()
            assert (row.goal_id, row.team_id, row.source) == (theirs, globex.team_id, "push")
    finally:
        db.dispose()


# --- Socket Mode: the endpoint on the port that serves /healthz ---------------------------------


@pytest.fixture
def socket_slack(emulator: SlackEmulator) -> Iterator[SocketModeServer]:
    with SocketModeServer(emulator) as server:
        yield server
    assert server.problems == []


@pytest.fixture
def socket_bot(
    emulator: SlackEmulator,
    socket_slack: SocketModeServer,
    sqlite_database_url: str,
    clock: ClockFile,
    signing_secret: str,
    tmp_path: Path,
) -> Iterator[BotUnderTest]:
    env = bot_env(
        api_url=emulator.base_url,
        bot_token=emulator.workspace.bot_token,
        signing_secret=signing_secret,
        database_url=sqlite_database_url,
        clock_file=clock.path,
        SLACK_APP_TOKEN=socket_slack.app_token,
    )
    workdir = tmp_path / "bot"
    workdir.mkdir()
    process = BotProcess(env, workdir, http=False).start()
    handle = BotUnderTest(
        emulator,
        Driver(emulator, SocketModeTransport(socket_slack), signing_secret),
        clock,
        sqlite_database_url,
        env,
        workdir,
        process,
    )
    try:
        socket_slack.wait_for_connection(timeout=WAIT)
        yield handle
    finally:
        code = process.stop()
    assert code == 0, process.log_text()[-3000:]


def test_push_in_socket_mode_on_the_health_port(socket_bot: BotUnderTest, emulator: SlackEmulator) -> None:
    ws = emulator.workspace
    socket_bot.set_now(NOW)
    goal_id = create_goal(socket_bot.database_url, ws)
    goal_message(emulator, "no value yet")
    token = make_token(emulator, socket_bot, socket_bot.user("pat"), goal_id)  # the click goes over the socket
    assert httpx.post(f"{socket_bot.url}/slack/events").status_code == 404  # Slack is on the socket
    answer = post(socket_bot.url, goal_id, token, {"value": 42, "note": "cron"})
    assert answer.status_code == 201, answer.text
    goal_message(emulator, "42%")
    assert post(socket_bot.url, goal_id, token, {"value": 42, "note": "cron"}).status_code == 200  # within 10 min
    assert post(socket_bot.url, goal_id, "wrong", {"value": 42}).status_code == 401
    assert post(socket_bot.url, goal_id, token, {"value": "42"}).status_code == 400
    assert value_count(socket_bot.database_url) == 1
