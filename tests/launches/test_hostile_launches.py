"""Hostile text in the launch modal (tests/hardening/test_hostile_text.py's harness): the name,
what ships, and a staggered launch's phase names and audiences, fuzzed with hypothesis. Each
example is answered with a clear field error (nothing saved) or saved exactly as typed (the
documented normalisation), and every mrkdwn string the bot sent since passes the checker: a
``<!channel>`` in a launch's name never pings, in its channel message, the message's ``text``
fallback, ``/launch list`` or the edit that follows."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.launches.forms import phase_block
from bot.launches.ids import Block, Callback
from tests.hardening.hostile import soup
from tests.hardening.test_hostile_text import (
    CHANNEL,
    FUZZ,
    Hostile,
    assert_clear_error,
    clean,
    fuzz_inputs,
    saved,
)
from tests.hardening.test_hostile_text import hostile as hostile_fixture
from tests.launches.test_e2e_launch_command import choose_kind

hostile = hostile_fixture  # the harness's fixture, under the name the tests ask for

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

# Each example plans a launch (a checklist and its timers) through the real app.
LAUNCH_FUZZ = settings(FUZZ, max_examples=10)
ROWS = [phase_block(row, part) for row in (1, 2) for part in ("name", "audience")]


def latest_launch(h: Hostile, team_id: str) -> tuple[int, str, str] | None:
    rows = h.rows("SELECT id, name, what FROM launches WHERE team_id = :t ORDER BY id DESC", t=team_id)
    return (rows[0][0], rows[0][1], rows[0][2]) if rows else None


@LAUNCH_FUZZ
@given(data=st.data())
def test_launch_modal_with_hostile_text(hostile: Hostile, data: st.DataObject) -> None:
    h, ws = hostile, hostile.bot.emulator.workspace
    pat = h.bot.user("pat")
    h.start()
    h.ack(pat.command("/launch", "new", channel=CHANNEL), "/launch new")
    view = pat.modal(callback_id=Callback.CREATE)
    view = choose_kind(h.bot, pat, view, "staggered", {})
    blocks = [Block.NAME, Block.WHAT, *ROWS]
    typed = fuzz_inputs(data, view, blocks)
    context = f"launch new {typed!r}"
    before = latest_launch(h, ws.team_id)
    ack = h.ack(
        pat.submit(
            {
                **typed,
                phase_block(1, "date"): "2027-01-11",
                phase_block(2, "date"): "2027-02-01",
                Block.PRODUCT_LEAD: pat.id,
                Block.MARKETING_LEAD: ws.user_id("mia"),
                Block.CHANNEL: ws.channel_id(CHANNEL),
            },
            view=view,
        ),
        context,
    )
    h.settle()
    row = latest_launch(h, ws.team_id)
    if ack.errors:
        assert_clear_error(ack, view, context)
        assert row == before, f"{context}: saved despite errors"
    else:
        saved("launch new")
        assert row is not None and row != before, f"{context}: no record"
        assert row[1:] == (clean(typed[Block.NAME]), clean(typed[Block.WHAT])), context
        phases = h.rows("SELECT name, audience FROM launch_phases WHERE launch_id = :l ORDER BY position", l=row[0])
        expected = [(clean(typed[phase_block(r, "name")]), clean(typed[phase_block(r, "audience")])) for r in (1, 2)]
        assert [tuple(p) for p in phases] == expected, context
        h.ack(pat.command("/launch", "list", channel=CHANNEL), context)
        # The edit modal shows it all again; a hostile new name is escaped in the updated message.
        h.ack(pat.command("/launch", f"edit {row[0]}", channel=CHANNEL), context)
        edit = pat.modal(callback_id=Callback.EDIT)
        renamed = data.draw(soup(120), label="new name")
        edited = h.ack(pat.submit({Block.NAME: renamed}, view=edit), context)
        h.settle()
        if edited.errors:
            assert_clear_error(edited, edit, f"{context} renamed {renamed!r}")
        else:
            assert latest_launch(h, ws.team_id) == (row[0], clean(renamed), row[2]), context
    h.finish(context)
