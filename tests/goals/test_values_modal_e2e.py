"""End to end: the "Values: push & pull" modal through the real bot process, as an owner clicks it:
the pull source saved (its bearer token sealed with TANDEM_ENCRYPTION_KEY, a blank field keeps it,
"remove" deletes it), field errors from ``source_problems``, "Test the source now" showing the
value read (or the problem) in the modal, people who do not own the goal refused, and
``tandem rotate-keys`` re-encrypting the stored token.

The modal is opened with ``open_values`` from the test, as the /goal list overflow will.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from cryptography.fernet import Fernet
from slack_sdk import WebClient

from bot.db import Database
from bot.goals.data import GoalNotFound, NotGoalOwner
from bot.goals.ids import Action, Block, Callback
from bot.goals.listeners_values import open_values
from bot.goals.models import Goal
from bot.goals.secrets import unseal
from bot.playground.people import SimulatedUser
from bot.playground.slack_emulator import SlackEmulator
from tests.goals.test_e2e_goal_command import stand_in
from tests.goals.test_values_e2e import NOW, WAIT, create_goal, services_for
from tests.support.botproc import run_tandem
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

KEY = Fernet.generate_key().decode()
NEW_KEY = Fernet.generate_key().decode()


@pytest.fixture
def bot_options() -> dict[str, Any]:
    return {"env": {"TANDEM_ENCRYPTION_KEY": KEY}}


class Source(BaseHTTPRequestHandler):
    """A metrics endpoint: /kpis.json answers {"data": [{"value": 41.5}]} to the right bearer token."""

    seen: list[str | None] = []

    def do_GET(self) -> None:
        Source.seen.append(self.headers.get("Authorization"))
        if self.headers.get("Authorization") != "Bearer metrics-token":
            self.send_response(401)
            self.end_headers()
            return
        body = json.dumps({"data": [{"value": 41.5}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def source() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Source)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def open_modal(emulator: SlackEmulator, bot: BotUnderTest, user: SimulatedUser, goal_id: int) -> None:
    services = services_for(emulator, bot.database_url, bot.clock, None)
    try:
        ws = user.workspace
        open_values(
            WebClient(token=ws.bot_token, base_url=emulator.base_url), services,
            trigger_id=emulator.issue_trigger(ws.team_id, user.id), team_id=ws.team_id, user_id=user.id,
            goal_id=goal_id,
        )  # fmt: skip
    finally:
        services.db.dispose()


def stored(database_url: str, goal_id: int) -> Goal:
    db = Database.from_url(database_url)
    try:
        with db.unit_of_work() as session:
            goal = session.get(Goal, goal_id)
            assert goal is not None
            return goal
    finally:
        db.dispose()


def result_text(view: Any) -> str:
    return "".join(b["text"]["text"] for b in view.blocks if b.get("block_id") == Block.PULL_RESULT)


def test_pull_source_through_the_modal(bot: BotUnderTest, emulator: SlackEmulator, source: str) -> None:
    bot.set_now(NOW)
    goal_id = create_goal(bot.database_url, emulator.workspace)
    pat = bot.user("pat")
    open_modal(emulator, bot, pat, goal_id)
    modal = pat.modal(callback_id=Callback.VALUES)
    text = json.dumps(modal.blocks)
    assert f"&lt;your Tandem's address&gt;/goals/{goal_id}/values" in text  # TANDEM_PUBLIC_URL unset
    assert "TANDEM_PUBLIC_URL" in text and "No token yet" in text

    # A source that is not http(s): the field says why; nothing saved.
    ack = pat.submit({Block.PULL_URL: "ftp://metrics.example/kpis", Block.PULL_POINTER: "/data/0/value"}, view=modal)
    assert ack.errors == {Block.PULL_URL: "The source must be an http:// or https:// address."}
    assert stored(bot.database_url, goal_id).pull_url == ""

    # "Test the source now" with what is typed: the bot fetches it and shows the value in the modal.
    url = f"{source}/kpis.json"
    typed = {Block.PULL_URL: url, Block.PULL_POINTER: "/data/0/value", Block.PULL_TOKEN: "metrics-token"}
    test_button = {"type": "button", "action_id": Action.TEST_SOURCE.value, "block_id": Block.PULL_ACTIONS.value}
    bot.driver.block_actions(user=pat.id, actions=[test_button], view=modal, state=pat.fill(modal, typed))
    updated = emulator.wait_for(lambda: result_text(emulator.view(modal.id)) or None, WAIT, "the test result")
    assert "41.5" in updated and ":white_check_mark:" in updated
    # A wrong pointer: the problem, in the modal.
    wrong = {**typed, Block.PULL_POINTER: "/data/9/value"}
    bot.driver.block_actions(
        user=pat.id, actions=[test_button], view=emulator.view(modal.id), state=pat.fill(modal, wrong)
    )
    emulator.wait_for(
        lambda: "nothing at /data/9/value" in result_text(emulator.view(modal.id)) or None, WAIT, "the problem"
    )

    # Save: the token is stored sealed with TANDEM_ENCRYPTION_KEY.
    ack = pat.submit(typed, view=emulator.view(modal.id))
    assert ack.status == 200 and not ack.errors, ack.body
    goal = stored(bot.database_url, goal_id)
    assert (goal.pull_url, goal.pull_pointer) == (url, "/data/0/value")
    assert (
        goal.pull_token and "metrics-token" not in goal.pull_token and unseal(goal.pull_token, KEY) == "metrics-token"
    )

    # Reopened: the token is never shown; blank keeps it, and the test uses the stored one.
    open_modal(emulator, bot, pat, goal_id)
    again = emulator.wait_for(
        lambda: (
            [v for v in emulator.views_opened(pat.id) if v.callback_id == Callback.VALUES and v.id != modal.id] or None
        ),
        WAIT,
        "the reopened modal",
    )[-1]
    assert "metrics-token" not in json.dumps(again.view) and "A token is stored" in json.dumps(again.blocks)
    Source.seen.clear()
    bot.driver.block_actions(user=pat.id, actions=[test_button], view=again, state=pat.fill(again))
    emulator.wait_for(lambda: "41.5" in result_text(emulator.view(again.id)) or None, WAIT, "the stored token's test")
    assert Source.seen == ["Bearer metrics-token"]
    assert pat.submit({Block.PULL_POINTER: "/data/0/value"}, view=emulator.view(again.id)).status == 200
    assert unseal(stored(bot.database_url, goal_id).pull_token, KEY) == "metrics-token"

    # `tandem rotate-keys` with a new key first re-encrypts it.
    before = stored(bot.database_url, goal_id).pull_token
    rotated = run_tandem("rotate-keys", env={**bot.env, "TANDEM_ENCRYPTION_KEY": f"{NEW_KEY},{KEY}"}, cwd=bot.workdir)
    assert rotated.returncode == 0 and "1 goal pull-source token(s)" in rotated.stdout, rotated.stdout + rotated.stderr
    after = stored(bot.database_url, goal_id).pull_token
    assert after != before and unseal(after, NEW_KEY) == "metrics-token"

    # "Remove the stored token".
    open_modal(emulator, bot, pat, goal_id)
    third = emulator.wait_for(
        lambda: [v for v in emulator.views_opened(pat.id) if v.callback_id == Callback.VALUES][-1:] or None,
        WAIT,
        "the third modal",
    )[-1]
    assert pat.submit({Block.PULL_TOKEN_REMOVE: ["remove"]}, view=third).status == 200
    assert stored(bot.database_url, goal_id).pull_token is None


def test_only_owners_open_the_values_modal(bot: BotUnderTest, emulator: SlackEmulator) -> None:
    bot.set_now(NOW)
    goal_id = create_goal(bot.database_url, emulator.workspace)
    # max is product but not an owner; ada is a workspace admin; a forged id of no goal here.
    with pytest.raises(NotGoalOwner):
        open_modal(emulator, bot, bot.user("max"), goal_id)
    with pytest.raises(GoalNotFound):
        open_modal(emulator, bot, bot.user("pat"), goal_id + 1000)
    globex = emulator.add_workspace("Globex")
    with pytest.raises(GoalNotFound):  # another workspace's person, this workspace's goal id
        open_modal(emulator, bot, bot.user("pat", globex), goal_id)
    open_modal(emulator, bot, bot.user("ada"), goal_id)
    assert bot.user("ada").modal(callback_id=Callback.VALUES).view["private_metadata"] == str(goal_id)
    assert not emulator.views_opened(bot.user("max").id)


def test_the_goal_list_menu_and_goal_values_open_the_modal(bot: BotUnderTest, emulator: SlackEmulator) -> None:
    """Wired into /goal: the list's "Values: push & pull" option and ``/goal values <n>``."""
    bot.set_now(NOW)
    ws = emulator.workspace
    goal_id = create_goal(bot.database_url, ws)
    pat, max_ = bot.user("pat"), bot.user("max")
    listed = pat.command("/goal", "list")
    assert listed.json is not None and f"values:{goal_id}" in json.dumps(listed.json["blocks"])
    chosen = pat.select(Action.GOAL_MENU, f"values:{goal_id}", message=stand_in(ws, listed.json["blocks"]))
    assert chosen.status == 200
    modal = pat.modal(callback_id=Callback.VALUES)
    assert modal.view["private_metadata"] == str(goal_id) and "Make a new token" in json.dumps(modal.blocks)
    assert pat.command("/goal", f"values {goal_id}").status == 200
    emulator.wait_for(
        lambda: len([v for v in emulator.views_opened(pat.id) if v.callback_id == Callback.VALUES]) == 2 or None,
        WAIT,
        "the modal from /goal values",
    )
    # Not an owner: told so, only them; no modal.
    refused = max_.command("/goal", f"values {goal_id}")
    assert refused.status == 200
    emulator.wait_for(
        lambda: any("Only the goal's owners" in str(e) for e in emulator.ephemerals_to(max_.id)) or None,
        WAIT,
        "the refusal",
    )
    assert not emulator.views_opened(max_.id)
