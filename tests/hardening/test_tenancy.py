"""Two workspaces, one bot: the real bot in OAuth mode with two installations (Acme and Globex)
saved through ``make_installation_store`` into the migrated database. Someone in Globex forges
ids of Acme's insight (a button value, a modal's private_metadata) and lists and exports Globex's
insights: nothing of Acme's leaks, nothing of Acme's changes, and no call is made to Acme."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.oauth.installation_store import Installation

from bot.db import Database
from bot.insights.ids import Action as InsightAction
from bot.insights.ids import Block as InsightBlock
from bot.insights.ids import Callback as InsightCallback
from bot.playground.slack_emulator import SlackEmulator
from bot.playground.workspace_state import APP_ID, Message, Workspace
from bot.slack.installations import make_installation_store
from tests.hardening.helpers import scalar, set_up_insights, wait_outbox_settled
from tests.support.botproc import bot_env
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

CLIENT_ID = "1111.2222"
ACME_SAYS = "Acme-only secret: Initech will churn unless bulk export ships by March"


def install(store: Any, ws: Workspace) -> None:
    store.save(
        Installation(
            app_id=APP_ID,
            enterprise_id=None,
            team_id=ws.team_id,
            team_name=ws.name,
            bot_token=ws.bot_token,
            bot_id=ws.bot_id,
            bot_user_id=ws.bot_user_id,
            bot_scopes="commands,chat:write,users:read,usergroups:read,channels:read,groups:read",
            user_id=ws.user_id("ada"),
            installed_at=datetime.now(UTC).timestamp(),
        )
    )


@pytest.fixture
def bot_environment(emulator: SlackEmulator, database_url: str, clock: Any, signing_secret: str) -> dict[str, str]:
    """OAuth mode (no SLACK_BOT_TOKEN) with Acme and Globex installed."""
    globex = emulator.add_workspace("Globex")
    db = Database.from_url(database_url)
    try:
        store = make_installation_store(CLIENT_ID, db.engine)
        install(store, emulator.workspace)
        install(store, globex)
    finally:
        db.dispose()
    return bot_env(
        api_url=emulator.base_url,
        bot_token=None,
        signing_secret=signing_secret,
        database_url=database_url,
        clock_file=clock.path,
        SLACK_CLIENT_ID=CLIENT_ID,
        SLACK_CLIENT_SECRET="oauth-client-secret-for-tests",
    )


def stand_in(ws: Workspace, blocks: list[dict[str, Any]]) -> Message:
    """A bot message in Globex's #general carrying Acme's buttons (what a forger can send)."""
    return Message(
        team_id=ws.team_id,
        channel=ws.channel_id("general"),
        ts="1.000001",
        user=ws.bot_user_id,
        bot_id=ws.bot_id,
        blocks=blocks,
    )


def acme_state(url: str, insight_id: int) -> tuple[Any, ...]:
    db = Database.from_url(url)
    try:
        with db.engine.connect() as c:
            row = c.exec_driver_sql(
                "SELECT status, status_note, version, text, updated_at FROM insights WHERE id = ?"
                if url.startswith("sqlite")
                else "SELECT status, status_note, version, text, updated_at FROM insights WHERE id = %s",
                (insight_id,),
            ).one()
            votes = c.exec_driver_sql("SELECT count(*) FROM insight_votes").scalar()
        return (*row, votes)
    finally:
        db.dispose()


def test_globex_cannot_read_or_change_acme_insights(bot: BotUnderTest) -> None:
    emulator = bot.emulator
    acme = emulator.workspace
    globex = next(ws for ws in emulator.workspaces.values() if ws.team_id != acme.team_id)

    # Acme captures an insight; it is posted in Acme's insights channel with its buttons.
    channel = set_up_insights(bot)
    pat = bot.user("pat")
    pat.command("/insight", ACME_SAYS)
    assert pat.submit(callback_id=InsightCallback.CAPTURE).response_action == "update"
    posted = emulator.wait_for(lambda: emulator.messages_in(channel), timeout=15, what="Acme's post")[0]
    wait_outbox_settled(emulator, bot.database_url)
    insight_id = int(scalar(bot.database_url, "SELECT id FROM insights"))
    # Acme's own "Heard this too" modal: its private_metadata names Acme's insight.
    pat.click(InsightAction.HEARD_TOO, message=posted)
    acme_plus_one = pat.modal(callback_id=InsightCallback.PLUS_ONE)
    pat.close_modal(view=acme_plus_one)
    before = acme_state(bot.database_url, insight_id)
    calls_before = len(emulator.calls())

    # Globex: its admin sets up insights too, then everyone there tries Acme's ids.
    set_up_insights(bot, globex)
    g_ada, g_pat = bot.user("ada", globex), bot.user("pat", globex)
    forged = stand_in(globex, posted.blocks)
    g_pat.click(InsightAction.HEARD_TOO, message=forged)
    notice = g_pat.modal(callback_id=InsightCallback.DONE)
    assert ACME_SAYS not in json.dumps(notice.view)
    # Slack stamps a view with the workspace it lives in; only private_metadata is Acme's here.
    # (Bolt picks the installation by view.app_installed_team_id, the listeners read body.team.)
    forged_view = replace(
        acme_plus_one,
        view={**acme_plus_one.view, "team_id": globex.team_id, "app_installed_team_id": globex.team_id},
    )
    ack = bot.driver.view_submission(
        user=g_pat.id, view=forged_view, values=g_pat.fill(forged_view, {InsightBlock.NOTE: "me too"})
    )
    assert ack.status == 200 and ack.errors, ack.body  # "not found", as an error in the modal
    g_ada.click(InsightAction.TRIAGE, message=forged)
    assert ACME_SAYS not in json.dumps(g_ada.modal(callback_id=InsightCallback.DONE).view)

    listed = g_pat.command("/insight", "list")
    searched = g_pat.command("/insight", "search Initech churn")  # words of Acme's insight
    assert listed.status == 200 and "Initech" not in listed.body and "bulk export" not in listed.body, listed.body
    assert searched.status == 200 and "bulk export" not in searched.body, searched.body
    assert searched.text.startswith("No customer insights matching"), searched.text

    exported = bot.tandem("export", "insights", "--format", "json", "--team", globex.team_id)
    assert exported.returncode == 0, exported.stderr
    assert "Initech" not in exported.stdout and json.loads(exported.stdout or "[]") == []

    # Nothing of Acme's changed, and every call made for Globex's people went to Globex.
    assert acme_state(bot.database_url, insight_id) == before
    assert int(scalar(bot.database_url, "SELECT count(*) FROM insights")) == 1
    later = emulator.calls()[calls_before:]
    assert later and {call.team_id for call in later} == {globex.team_id}, [(c.method, c.team_id) for c in later]
    assert json.dumps(emulator.message(channel, posted.ts).blocks) == json.dumps(posted.blocks)
