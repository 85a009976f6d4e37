"""Single-workspace mode (SLACK_BOT_TOKEN of Acme): validly signed requests from another workspace
(Globex: a Slack Connect neighbour clicking our buttons, typing our commands, opening our Home) are
refused before any listener runs: 200 with a short explanation where Slack shows one, no Web API
call, no database write. Acme itself keeps working. Plus the decision for Enterprise Grid installs
and the answers per request kind, as unit tests."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from bot.insights.ids import Action as InsightAction
from bot.insights.ids import Block as InsightBlock
from bot.insights.ids import Callback as InsightCallback
from bot.playground.signed_requests import Ack
from bot.playground.workspace_state import Message, Workspace
from bot.slack.tenancy import NOT_INSTALLED, InstalledWorkspace, foreign_request_answer
from tests.hardening.helpers import row_counts, set_up_insights, wait_outbox_settled
from tests.support.fixtures import BotUnderTest

ACME_SAYS = "Acme-only: Initech will churn unless bulk export ships by March"


def stand_in(ws: Workspace, message: Message) -> Message:
    """Our insight post as a person of ``ws`` sees it in a channel shared with Acme."""
    return Message(
        team_id=ws.team_id,
        channel=ws.channel_id("general"),
        ts=message.ts,
        user=message.user,
        bot_id=message.bot_id,
        blocks=message.blocks,
    )


@pytest.mark.e2e
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_requests_from_another_workspace_are_refused_before_any_listener(bot: BotUnderTest) -> None:
    emulator = bot.emulator
    channel = set_up_insights(bot)
    pat, ada = bot.user("pat"), bot.user("ada")
    pat.command("/insight", ACME_SAYS)
    assert pat.submit(callback_id=InsightCallback.CAPTURE).response_action == "update"
    posted = emulator.wait_for(lambda: emulator.messages_in(channel), timeout=15, what="Acme's post")[0]
    wait_outbox_settled(emulator, bot.database_url)
    ada.click(InsightAction.HEARD_TOO, message=posted)
    acme_modal = ada.modal(callback_id=InsightCallback.PLUS_ONE)
    ada.close_modal(view=acme_modal)

    globex = emulator.add_workspace("Globex")
    g_ada, g_pat = bot.user("ada", globex), bot.user("pat", globex)
    shared = stand_in(globex, posted)
    rows_before, calls_before = row_counts(bot.database_url), len(emulator.calls())

    commands = [
        g_pat.command("/insight", "Globex wants this too"),
        g_pat.command("/insight", "list"),
        g_ada.command("/standup", "new"),
        g_ada.command("/retro"),
    ]
    # A modal of ours submitted from Globex (Slack stamps the view with the workspace it lives in).
    g_view = replace(
        acme_modal, view={**acme_modal.view, "team_id": globex.team_id, "app_installed_team_id": globex.team_id}
    )
    submitted = bot.driver.view_submission(
        user=g_pat.id, view=g_view, values=g_pat.fill(g_view, {InsightBlock.NOTE: "me too"})
    )
    quiet: list[Ack] = [
        g_ada.click(InsightAction.TRIAGE, message=shared),  # the click seen in production
        g_pat.click(InsightAction.HEARD_TOO, message=shared),
        g_pat.shortcut(InsightCallback.MESSAGE_SHORTCUT, shared),
        bot.driver.app_home_opened(user=g_pat.id),
        bot.driver.event(
            {"type": "member_joined_channel", "user": g_pat.id, "channel": globex.channel_id("general")},
            team_id=globex.team_id,
        ),
    ]

    for ack in commands:
        assert ack.status == 200 and ack.text == NOT_INSTALLED, (ack.kind, ack.body)
        assert ack.json == {"response_type": "ephemeral", "text": NOT_INSTALLED}
    assert submitted.status == 200 and submitted.response_action == "update", submitted.body
    assert NOT_INSTALLED in json.dumps(submitted.json)
    for ack in quiet:
        assert (ack.status, ack.body) == (200, ""), (ack.kind, ack.status, ack.body)

    # Nothing ran: no call to Slack with Acme's token, no row written, no modal for Globex people.
    assert emulator.calls()[calls_before:] == []
    assert row_counts(bot.database_url) == rows_before
    assert not emulator.views_opened(g_ada.id) and not emulator.views_opened(g_pat.id)
    refused = [line for line in bot.log_text().splitlines() if "refused a" in line]
    assert len(refused) == len(commands) + 1 + len(quiet), refused
    assert all(globex.team_id in line for line in refused)
    assert ACME_SAYS not in json.dumps([a.body for a in [*commands, submitted, *quiet]])

    # Acme is served as before.
    assert ada.click(InsightAction.TRIAGE, message=posted).status == 200
    assert ada.modal(callback_id=InsightCallback.TRIAGE) is not None
    listed = pat.command("/insight", "list")
    assert listed.status == 200 and listed.text != NOT_INSTALLED and "bulk export" in listed.body


# ---------------------------------------------------------------------- the decision and answers
ACME = InstalledWorkspace(team_id="T0ACME", enterprise_id=None, is_enterprise_install=False)
ACME_IN_GRID = InstalledWorkspace(team_id="T0ACME", enterprise_id="E0ORG", is_enterprise_install=False)
ORG_WIDE = InstalledWorkspace(team_id="", enterprise_id="E0ORG", is_enterprise_install=True)


@pytest.mark.parametrize(
    ("installed", "team_id", "enterprise_id", "served"),
    [
        (ACME, "T0ACME", None, True),
        (ACME, "T0GLOBEX", None, False),
        (ACME, None, None, False),  # no workspace at all: not ours
        (ACME_IN_GRID, "T0ACME", "E0ORG", True),
        # Another workspace of the same Grid org: the app is installed in Acme only.
        (ACME_IN_GRID, "T0SALES", "E0ORG", False),
        # Org-wide install: every workspace of the org, none of another org.
        (ORG_WIDE, "T0SALES", "E0ORG", True),
        (ORG_WIDE, "T0ACME", "E0ORG", True),
        (ORG_WIDE, "T0SALES", "E0OTHER", False),
        (ORG_WIDE, "T0SALES", None, False),
    ],
)
def test_which_requests_an_installation_serves(
    installed: InstalledWorkspace, team_id: str | None, enterprise_id: str | None, served: bool
) -> None:
    assert installed.serves(team_id=team_id, enterprise_id=enterprise_id) is served


def test_the_installation_is_read_from_auth_test() -> None:
    workspace = {"ok": True, "team_id": "T0ACME", "user_id": "U0BOT", "bot_id": "B0", "is_enterprise_install": False}
    assert InstalledWorkspace.from_auth_test(workspace) == ACME
    org = {"ok": True, "team_id": "", "enterprise_id": "E0ORG", "is_enterprise_install": True}
    assert InstalledWorkspace.from_auth_test(org) == ORG_WIDE


def test_the_answer_to_another_workspace_per_request_kind() -> None:
    def answer(body: dict[str, Any]) -> tuple[int, Any]:
        response = foreign_request_answer(body)
        return response.status, json.loads(response.body) if response.body else ""

    assert answer({"command": "/insight", "text": "list"}) == (
        200,
        {"response_type": "ephemeral", "text": NOT_INSTALLED},
    )
    status, submitted = answer({"type": "view_submission", "view": {"id": "V1"}})
    assert status == 200 and submitted["response_action"] == "update"
    assert submitted["view"]["blocks"][0]["text"]["text"] == NOT_INSTALLED and "submit" not in submitted["view"]
    assert answer({"type": "block_suggestion"}) == (200, {"options": []})
    for kind in ("block_actions", "message_action", "shortcut", "view_closed", "event_callback"):
        assert answer({"type": kind}) == (200, "")
