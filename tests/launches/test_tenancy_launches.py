"""Two workspaces, one bot (OAuth mode, Acme and Globex installed): someone in Globex forges the
ids of Acme's launch and goal in every place an id travels — the ``/launch`` argument, the edit
and cancel modals' private_metadata, the goals a new launch picks (in the select and in the
metadata of goals made from the modal), the launch modal a pushed goal form updates — and lists
Globex's launches. Nothing of Acme's leaks or changes, and every call made for Globex's people
goes to Globex."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from bot.goals.ids import Block as GoalBlock
from bot.goals.ids import Callback as GoalCallback
from bot.launches.forms import LaunchMetadata, NewGoalMetadata
from bot.launches.ids import Block, Callback, LaunchKind
from bot.playground.workspace_state import ViewRecord, Workspace
from tests.goals.test_e2e_goal_command import goal_values, said
from tests.hardening.helpers import scalar, wait_outbox_settled
from tests.hardening.test_tenancy import bot_environment  # noqa: F401  (the OAuth two-workspace bot)
from tests.launches.test_e2e_launch_command import CHANNEL, NOW, blocks_by_id, choose_kind, launch_message
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

ACME_LAUNCH = "Acme-only: the Initech migration"
ACME_GOAL = "Acme-only: Initech renewal"


def acme_state(url: str) -> tuple[Any, ...]:
    return tuple(
        scalar(url, sql)
        for sql in (
            "SELECT name || '|' || status || '|' || version || '|' || marketing_lead FROM launches",
            "SELECT count(*) FROM launches",
            "SELECT count(*) FROM launch_goals",
            "SELECT count(*) FROM launch_items",
            "SELECT count(*) FROM schedules WHERE kind LIKE 'launches.%'",
            "SELECT count(*) FROM launch_notices",
            "SELECT count(*) FROM goals",
        )
    )


def as_globex(view: ViewRecord, ws: Workspace, metadata: str | None = None) -> ViewRecord:
    """A modal as if it lived in Globex, with its private_metadata (Acme's, or forged)."""
    api = {**view.view, "team_id": ws.team_id, "app_installed_team_id": ws.team_id}
    if metadata is not None:
        api["private_metadata"] = metadata
    return replace(view, view=api)


def full_launch(ws: Workspace, name: str) -> dict[str, Any]:
    return {
        Block.NAME: name, Block.WHAT: "Moving Initech to the new plan.", Block.LAUNCH_DATE: "2027-01-11",
        Block.PRODUCT_LEAD: ws.user_id("pat"), Block.MARKETING_LEAD: ws.user_id("mia"),
        Block.CHANNEL: ws.channel_id(CHANNEL),
    }  # fmt: skip


def test_globex_cannot_read_or_change_acme_launches(bot: BotUnderTest) -> None:
    emulator, url = bot.emulator, bot.database_url
    acme = emulator.workspace
    globex = next(ws for ws in emulator.workspaces.values() if ws.team_id != acme.team_id)
    bot.set_now(NOW)

    pat = bot.user("pat")
    pat.command("/goal", "new", channel=CHANNEL)
    ack = pat.submit(goal_values(acme, **{GoalBlock.TITLE: ACME_GOAL}), callback_id=GoalCallback.CREATE)
    assert ack.response_action == "update", ack.body
    goal_id = int(scalar(url, "SELECT id FROM goals"))
    pat.command("/launch", "new", channel=CHANNEL)
    ack = pat.submit({**full_launch(acme, ACME_LAUNCH), Block.GOALS: [str(goal_id)]}, callback_id=Callback.CREATE)
    assert ack.response_action == "update", ack.body
    launch_id = int(scalar(url, "SELECT id FROM launches"))
    posted = launch_message(bot)
    # Acme's own modals, whose private_metadata names Acme's launch.
    modals: dict[str, ViewRecord] = {}
    for verb, callback in (("edit", Callback.EDIT), ("cancel", Callback.CANCEL)):
        pat.command("/launch", f"{verb} {launch_id}")
        modals[verb] = pat.modal(callback_id=callback)
        pat.close_modal(view=modals[verb])
    wait_outbox_settled(emulator, url)
    before = acme_state(url)
    calls_before = len(emulator.calls())

    g_pat, g_ada = bot.user("pat", globex), bot.user("ada", globex)  # ada is Globex's admin
    for who in (g_pat, g_ada):
        for verb in ("edit", "cancel"):
            answer = who.command("/launch", f"{verb} {launch_id}")
            assert "can't find that launch" in said(bot, answer, who.id), (who.name, verb)
        listed = who.command("/launch", "list")
        assert "No launches yet" in listed.body and "Initech" not in listed.body

    # Forged edit and cancel submissions: an error (or a notice) in the modal, nothing changed.
    edit = as_globex(modals["edit"], globex)
    ack = bot.driver.view_submission(
        user=g_ada.id, view=edit, values=g_ada.fill(edit, {Block.MARKETING_LEAD: globex.user_id("asha")})
    )
    assert ack.status == 200 and "can't find that launch" in json.dumps(ack.errors), ack.body
    cancel = as_globex(modals["cancel"], globex)
    ack = bot.driver.view_submission(user=g_ada.id, view=cancel, values={})
    assert ack.status == 200 and ack.response_action == "update" and "can't find that launch" in ack.body
    assert "Initech" not in ack.body

    # A Globex launch that picks Acme's goal: offered nowhere, refused in the select and in the metadata.
    g_ada.command("/launch", "new", channel=CHANNEL)
    view = g_ada.modal(callback_id=Callback.CREATE)
    assert "Initech" not in json.dumps(view.blocks) and Block.GOALS not in blocks_by_id(view)
    forged_meta = LaunchMetadata(new_goal_ids=[goal_id]).encode()
    rebuilt = choose_kind(bot, g_ada, as_globex(view, globex, forged_meta), "quiet", {})
    assert "Initech" not in json.dumps(rebuilt.blocks) and Block.NEW_GOALS not in blocks_by_id(rebuilt)
    forged = as_globex(rebuilt, globex, LaunchMetadata(kind="quiet", new_goal_ids=[goal_id]).encode())
    ack = bot.driver.view_submission(
        user=g_ada.id, view=forged, values=g_ada.fill(forged, full_launch(globex, "Globex launch"))
    )
    assert ack.status == 200 and "no longer exists" in json.dumps(ack.errors), ack.body
    # A goal form pushed "on" Acme's launch modal: refused, nothing saved, Acme's modal untouched.
    goal_meta = NewGoalMetadata(
        parent_view_id=modals["edit"].id, parent=LaunchMetadata(launch_id=launch_id), kind=LaunchKind.FULL.value
    ).encode()
    g_ada.click(text="Add a new goal", in_modal=True)
    pushed = g_ada.modal(callback_id=Callback.NEW_GOAL)
    pushed = as_globex(pushed, globex, goal_meta)
    ack = bot.driver.view_submission(
        user=g_ada.id, view=pushed, values=g_ada.fill(pushed, goal_values(globex, **{GoalBlock.TITLE: "Globex goal"}))
    )
    assert ack.status == 200 and "can't find that launch" in json.dumps(ack.errors), ack.body
    # The same form on a Globex launch modal (no launch underneath yet): the goal is Globex's.
    new_meta = NewGoalMetadata(parent_view_id=view.id, parent=LaunchMetadata(kind="quiet")).encode()
    pushed = as_globex(pushed, globex, new_meta)
    ack = bot.driver.view_submission(
        user=g_ada.id, view=pushed, values=g_ada.fill(pushed, goal_values(globex, **{GoalBlock.TITLE: "Globex goal"}))
    )
    assert ack.status == 200 and not ack.errors, ack.body
    assert scalar(url, "SELECT team_id FROM goals WHERE title = 'Globex goal'") == globex.team_id
    assert int(scalar(url, "SELECT count(*) FROM launches")) == 1

    wait_outbox_settled(emulator, url)
    after = acme_state(url)
    assert after[:-1] == before[:-1] and after[-1] == before[-1] + 1  # one goal more: Globex's
    later = emulator.calls()[calls_before:]
    assert later and {call.team_id for call in later} == {globex.team_id}, [(c.method, c.team_id) for c in later]
    assert json.dumps(emulator.message(CHANNEL, posted.ts).blocks) == json.dumps(posted.blocks)
