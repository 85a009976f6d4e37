"""Two workspaces, one bot (OAuth mode, Acme and Globex installed, as in
tests/hardening/test_tenancy.py): someone in Globex forges the id of Acme's goal in every place an
id travels — the ``/goal`` argument, the list's menu, the edit, close and delete modals'
private_metadata — and lists Globex's goals. Nothing of Acme's leaks or changes, and every call
made for Globex's people goes to Globex."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from bot.goals.ids import Action, Block, Callback
from bot.playground.workspace_state import ViewRecord, Workspace
from tests.goals.test_e2e_goal_command import CHANNEL, goal_values, said, stand_in
from tests.hardening.helpers import scalar, wait_outbox_settled
from tests.hardening.test_tenancy import bot_environment  # noqa: F401  (the OAuth two-workspace bot)
from tests.support.fixtures import BotUnderTest

pytestmark = pytest.mark.e2e

ACME_GOAL = "Acme-only: double enterprise trials before the Initech renewal"


def acme_state(url: str) -> tuple[Any, ...]:
    return tuple(
        scalar(url, sql)
        for sql in (
            "SELECT title || '|' || status || '|' || version || '|' || target FROM goals",
            "SELECT count(*) FROM goal_owners",
            "SELECT count(*) FROM schedules WHERE kind = 'goals.prompt'",
            "SELECT count(*) FROM goals",
        )
    )


def forged(view: ViewRecord, ws: Workspace) -> ViewRecord:
    """Acme's modal as if it lived in Globex: only its private_metadata is Acme's."""
    return replace(view, view={**view.view, "team_id": ws.team_id, "app_installed_team_id": ws.team_id})


def test_globex_cannot_read_or_change_acme_goals(bot: BotUnderTest) -> None:
    emulator = bot.emulator
    acme = emulator.workspace
    globex = next(ws for ws in emulator.workspaces.values() if ws.team_id != acme.team_id)
    bot.set_now("2026-12-07T14:00:00Z")

    pat = bot.user("pat")
    pat.command("/goal", "new", channel=CHANNEL)
    ack = pat.submit(goal_values(acme, **{Block.TITLE: ACME_GOAL}), callback_id=Callback.CREATE)
    assert ack.response_action == "update", ack.body
    posted = emulator.wait_for(lambda: emulator.messages_in(CHANNEL), what="Acme's goal message")[0]
    goal_id = int(scalar(bot.database_url, "SELECT id FROM goals"))
    # Acme's own modals, whose private_metadata names Acme's goal.
    modals: dict[str, ViewRecord] = {}
    for verb, callback in (("edit", Callback.EDIT), ("close", Callback.CLOSE), ("delete", Callback.DELETE)):
        pat.command("/goal", f"{verb} {goal_id}")
        modals[verb] = pat.modal(callback_id=callback)
        pat.close_modal(view=modals[verb])
    wait_outbox_settled(emulator, bot.database_url)
    before = acme_state(bot.database_url)
    calls_before = len(emulator.calls())

    g_pat, g_ada = bot.user("pat", globex), bot.user("ada", globex)  # ada is Globex's admin
    for who in (g_pat, g_ada):
        for verb in ("edit", "pause", "resume", "close", "delete"):
            answer = who.command("/goal", f"{verb} {goal_id}")
            assert "can't find that goal" in said(bot, answer, who.id), (who.name, verb)
        listed = who.command("/goal", "list")
        assert "No shared goals yet" in listed.body and "Initech" not in listed.body
        menu = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "accessory": {
            "type": "overflow", "action_id": Action.GOAL_MENU,
            "options": [{"text": {"type": "plain_text", "text": v}, "value": f"{v}:{goal_id}"}
                        for v in ("edit", "pause", "close", "delete")],
        }}]  # fmt: skip
        for verb in ("pause", "delete"):
            clicked = who.select(Action.GOAL_MENU, f"{verb}:{goal_id}", message=stand_in(globex, menu))
            emulator.wait_for(
                lambda c=clicked: (
                    "can't find that goal"  # type: ignore[misc]
                    in " ".join(str(p.get("text")) for p in emulator.response_posts(c.response_url))
                ),
                what=f"the menu's {verb} answer",
            )

    # Forged modal submissions: errors (or a notice) in the modal, nothing changed.
    edit = forged(modals["edit"], globex)
    ack = bot.driver.view_submission(user=g_ada.id, view=edit, values=g_ada.fill(edit, {Block.TARGET: "99"}))
    assert ack.status == 200 and ack.errors and "can't find that goal" in json.dumps(ack.errors), ack.body
    close = forged(modals["close"], globex)
    ack = bot.driver.view_submission(user=g_ada.id, view=close, values=g_ada.fill(close, {Block.OUTCOME: "hit"}))
    assert ack.status == 200 and "can't find that goal" in json.dumps(ack.errors), ack.body
    delete = forged(modals["delete"], globex)
    ack = bot.driver.view_submission(user=g_ada.id, view=delete, values={})
    assert ack.status == 200 and ack.response_action == "update" and "can't find that goal" in ack.body
    assert ACME_GOAL not in ack.body

    wait_outbox_settled(emulator, bot.database_url)
    assert acme_state(bot.database_url) == before
    later = emulator.calls()[calls_before:]
    assert later and {call.team_id for call in later} == {globex.team_id}, [(c.method, c.team_id) for c in later]
    assert json.dumps(emulator.message(CHANNEL, posted.ts).blocks) == json.dumps(posted.blocks)
