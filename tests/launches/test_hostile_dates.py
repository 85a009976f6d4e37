"""Hostile text in the go/no-go and move modals (tests/hardening/test_hostile_text.py's harness):
the no-go reason and the move's reason, fuzzed with hypothesis. Each example is answered with a
clear field error (nothing saved) or saved exactly as typed (the documented normalisation), and
every mrkdwn string the bot sent since passes the checker: a ``<!channel>`` in a reason never
pings, in the leads' DMs, the launch message, the owners' DMs or the launch's thread."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.launches import plan
from bot.launches.ids import Action, Block, Callback
from tests.hardening.hostile import hostile_text
from tests.hardening.test_hostile_text import (
    CHANNEL,
    FUZZ,
    NOW,
    Hostile,
    assert_clear_error,
    clean,
    latest,
)
from tests.hardening.test_hostile_text import hostile as hostile_fixture
from tests.launches.conftest import ZONES, staggered_input

hostile = hostile_fixture  # the harness's fixture, under the name the tests ask for

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


def seed(h: Hostile, product: str, marketing: str) -> tuple[int, int]:
    """A staggered launch (Beta 2027-01-11, GA 2027-02-01) led by ``product`` and ``marketing``."""
    ws, now = h.bot.emulator.workspace, datetime.fromisoformat(NOW)
    data = staggered_input(product_lead=product, marketing_lead=marketing, channel_id=ws.channel_id(CHANNEL))
    with h.bot.services.db.unit_of_work() as session:
        launch = plan.create_launch(
            session, team_id=ws.team_id, data=data, created_by=product, today=now.date(), now=now, directory=ZONES,
            creator_tz="Europe/Berlin",
        )  # fmt: skip
        return launch.id, launch.phases[0].id


@FUZZ
@given(data=st.data())
def test_no_go_and_move_reasons_with_hostile_text(hostile: Hostile, data: st.DataObject) -> None:
    h = hostile
    pat, mia = h.bot.user("pat"), h.bot.user("mia")
    h.start()
    launch_id, beta = seed(h, pat.id, mia.id)
    h.settle()
    message = h.bot.emulator.messages_in(CHANNEL)[-1]

    # The no-go's reason (the click as the go/no-go DM sends it: value = the phase id).
    no_go = {"type": "button", "action_id": Action.NO_GO, "block_id": Block.DECISION_ACTIONS, "value": str(beta)}
    h.ack(h.bot.driver.block_actions(user=mia.id, actions=[no_go], message=message), "no-go click")
    view = mia.modal(callback_id=Callback.DECISION)
    reason = data.draw(hostile_text(500), label="no-go reason")
    context = f"no-go reason {reason!r}"
    ack = h.ack(mia.submit({Block.DECISION_REASON: reason}, view=view), context)
    h.settle()
    row = latest(h, "SELECT decision, decision_reason FROM launch_phases WHERE id = :i", i=beta)
    assert row is not None
    if ack.errors:
        assert_clear_error(ack, view, context)
        assert tuple(row) == (None, ""), f"{context}: saved despite errors"
    else:
        assert tuple(row) == ("no_go", clean(reason)), context

    # The move's reason, from /launch move <id>: a week later.
    h.ack(pat.command("/launch", f"move {launch_id}", channel=CHANNEL), "launch move")
    view = pat.modal(callback_id=Callback.MOVE)
    why = data.draw(hostile_text(500), label="move reason")
    context = f"move reason {why!r}"
    ack = h.ack(pat.submit({Block.MOVE_DATE: "2027-01-18", Block.MOVE_REASON: why}, view=view), context)
    h.settle()
    moved = latest(h, "SELECT launch_on FROM launch_phases WHERE id = :i", i=beta)
    assert moved is not None
    if ack.errors:
        assert_clear_error(ack, view, context)
        assert str(moved[0]) == "2027-01-11", f"{context}: moved despite errors"
    else:
        assert str(moved[0]) == "2027-01-18", context
        told = h.rows("SELECT user_id FROM launch_notices WHERE launch_id = :l AND key LIKE 'moved:%'", l=launch_id)
        assert sorted(r[0] for r in told) == sorted([pat.id, mia.id]), context  # one DM per owner
    h.finish(context)
