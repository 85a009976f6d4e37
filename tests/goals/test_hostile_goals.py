"""Hostile text in the goal modals (tests/hardening/test_hostile_text.py's harness): every text
input of the new-goal modal and the close modal's learning, fuzzed with hypothesis. Each example
is answered with a clear field error (nothing saved) or saved exactly as typed (the documented
normalisation), and every mrkdwn string the bot sent since passes the checker: a ``<!channel>``
in a title never pings, in the channel message, its ``text`` fallback, the list or the thread."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.goals.forms import parse_number
from bot.goals.ids import Block, Callback
from tests.hardening.hostile import hostile_text, soup
from tests.hardening.test_hostile_text import (
    CHANNEL,
    FUZZ,
    Hostile,
    assert_clear_error,
    clean,
    fuzz_inputs,
    latest,
    max_length,
    saved,
    text_inputs,
)
from tests.hardening.test_hostile_text import hostile as hostile_fixture

hostile = hostile_fixture  # the harness's fixture, under the name the tests ask for

pytestmark = [pytest.mark.e2e, pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]

# Each example saves a goal and closes it through the real app: fewer examples than the others.
GOAL_FUZZ = settings(FUZZ, max_examples=10)
# Mostly numbers as people type them (every target above every baseline), sometimes anything.
BASELINES = st.sampled_from(("4", " 4 ", "4.0%", "$4", "3,5", "2"))
TARGETS = st.sampled_from(("6", "12.5%", "1,200", "$40", "12,5", "9"))


def readable(text: str) -> bool:
    try:
        return parse_number(text) is not None
    except ValueError:
        return False


@GOAL_FUZZ
@given(data=st.data())
def test_goal_modal_with_hostile_text(hostile: Hostile, data: st.DataObject) -> None:
    h, ws = hostile, hostile.bot.emulator.workspace
    pat = h.bot.user("pat")
    h.start()
    h.ack(pat.command("/goal", "new", channel=CHANNEL), "/goal new")
    view = pat.modal(callback_id=Callback.CREATE)
    blocks = [Block.TITLE, Block.WHY, Block.METRIC, Block.UNIT_LABEL]
    assert set(blocks) <= set(text_inputs(view))
    typed = fuzz_inputs(data, view, blocks)
    wild = data.draw(st.sampled_from(("none", "none", "baseline", "target")), label="wild number")
    baseline = data.draw(hostile_text(40) if wild == "baseline" else BASELINES, label="baseline")
    target = data.draw(hostile_text(40) if wild == "target" else TARGETS, label="target")
    unit = data.draw(st.sampled_from(("percent", "count", "currency", "custom")), label="unit")
    context = f"goal new {typed!r} baseline {baseline!r} target {target!r} unit {unit}"
    before = latest(h, "SELECT id FROM goals WHERE team_id = :t", t=ws.team_id)
    ack = h.ack(
        pat.submit(
            {
                **typed,
                Block.BASELINE: baseline,
                Block.TARGET: target,
                Block.UNIT: unit,
                Block.DIRECTION: "up",
                Block.DUE: "2027-03-31",
                Block.PRODUCT_OWNERS: [pat.id],
                Block.MARKETING_OWNERS: [ws.user_id("asha")],
                Block.CHANNEL: ws.channel_id(CHANNEL),
            },
            view=view,
        ),
        context,
    )
    h.settle()
    row = latest(h, "SELECT id, title, why, metric_name, unit_label FROM goals WHERE team_id = :t", t=ws.team_id)
    if ack.errors:
        assert_clear_error(ack, view, context)
        assert (row and row[0]) == (before and before[0]), f"{context}: saved despite errors"
        if not (readable(baseline) and readable(target)):  # a number that is not one: said on its field
            assert {Block.BASELINE, Block.TARGET} & set(ack.errors), context
    else:
        saved("goal new")
        assert row is not None and (before is None or row[0] != before[0]), f"{context}: no record"
        assert tuple(row[1:]) == tuple(clean(typed[b]) for b in blocks), context
        # The list and the close (a hostile learning in the thread): escaped too.
        h.ack(pat.command("/goal", "list", channel=CHANNEL), context)
        h.ack(pat.command("/goal", f"close {row[0]}", channel=CHANNEL), context)
        close = pat.modal(callback_id=Callback.CLOSE)
        learning = data.draw(hostile_text(max_length(close, Block.LEARNING)), label="learning")
        closed = h.ack(pat.submit({Block.OUTCOME: "hit", Block.LEARNING: learning}, view=close), context)
        h.settle()
        if closed.errors:
            assert_clear_error(closed, close, f"{context} learning {learning!r}")
        else:
            stored = latest(h, "SELECT learning FROM goals WHERE id = :i", i=row[0])
            assert stored is not None and stored[0] == clean(learning), context
    h.finish(context)


@GOAL_FUZZ
@given(title=soup(150))
def test_goal_titles_never_ping_in_the_list(hostile: Hostile, title: str) -> None:
    h, ws = hostile, hostile.bot.emulator.workspace
    pat = h.bot.user("pat")
    h.start()
    pat.command("/goal", "new", channel=CHANNEL)
    ack = h.ack(
        pat.submit(
            {
                Block.TITLE: title, Block.METRIC: "Signups", Block.BASELINE: "10", Block.TARGET: "20",
                Block.DUE: "2027-01-31", Block.PRODUCT_OWNERS: [pat.id], Block.MARKETING_OWNERS: [ws.user_id("mia")],
                Block.CHANNEL: ws.channel_id(CHANNEL),
            },
            callback_id=Callback.CREATE,
        ),
        title,
    )  # fmt: skip
    assert not ack.errors, ack.errors
    h.ack(pat.command("/goal", "list", channel=CHANNEL), title)
    h.finish(f"title {title!r}")
