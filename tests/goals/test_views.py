"""The goal modals and replies: valid Block Kit (slack_sdk models + Slack's limits), user text
escaped everywhere Slack reads mrkdwn (including the messages' ``text`` fallback)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from bot.goals import modals, replies, views
from bot.goals.data import CheckinView, GoalView
from bot.goals.ids import Action, Block, Callback, CheckinCadence, Confidence, Direction, Kind, Outcome, Status, Unit
from tests.goals.conftest import goal_input
from tests.support import conformance

HOSTILE = "<!channel> <!here|here> <!subteam^S0123|@product> <@U999> *bold* _it_ `code` ~x~ &amp;"
PING = re.compile(r"<!(channel|here|everyone|subteam\^)|<@U999>")
NOW = datetime(2026, 12, 7, 14, 0, tzinfo=UTC)


def goal(**changes: Any) -> GoalView:
    values: dict[str, Any] = {
        "id": 7, "title": HOSTILE, "why": HOSTILE, "kind": Kind.TARGET, "metric_name": HOSTILE,
        "unit": Unit.PERCENT, "unit_label": "", "direction": Direction.UP, "baseline": 4.0, "target": 6.0,
        "due_on": date(2027, 3, 31), "range_low": None, "range_high": None, "status": Status.ACTIVE,
        "channel_id": "C1", "product_owners": ("U1",), "marketing_owners": ("U3",), "visibility_only": False,
        "cadence": CheckinCadence.BIWEEKLY, "weekday": 0, "local_time": time(9, 30), "current": 5.0,
        "current_at": NOW, "last_checkin": CheckinView(5.0, Confidence.AT_RISK, HOSTILE, "U1", NOW),
        "previous_checkin_value": 4.5, "stale": False,
    }  # fmt: skip
    values.update(changes)
    return GoalView(**values)


def mrkdwn_of(payload: Any) -> str:
    """What Slack reads as mrkdwn: message text and mrkdwn objects (plain_text shows literally)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "mrkdwn" or ("text" in node and isinstance(node["text"], str) and "blocks" in node):
                found.append(str(node["text"]))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(payload)
    return "\n".join(found)


def no_pings(payload: Any) -> None:
    text = mrkdwn_of(payload)
    assert not PING.search(text), PING.search(text)
    assert "&lt;!channel&gt;" in text


@pytest.mark.parametrize("unit", [Unit.PERCENT, Unit.CUSTOMIZED, Unit.CURRENCY])
def test_the_goal_message_escapes_its_text_fallback_and_unit_too(unit: Unit) -> None:
    message = views.goal_message(goal(unit=unit, unit_label=HOSTILE))
    assert conformance.check_message(message) == []
    no_pings(message)
    assert "&lt;!channel&gt;" in message["text"]
    if unit is not Unit.PERCENT:  # the unit label is user text, next to every number
        assert "5 &lt;!channel&gt;" in message["blocks"][1]["text"]["text"] or "&lt;!channel&gt;" in message["text"]
    assert not PING.search(views.value_summary(goal(unit=unit, unit_label=HOSTILE)))


@pytest.mark.parametrize("editing", [False, True])
def test_the_goal_modal_is_valid_and_prefilled(editing: bool) -> None:
    data = goal_input(title=HOSTILE, why=HOSTILE, visibility_only=True, due_on=date(2027, 1, 5))
    view = modals.build_goal_modal(data if editing else None, goal_id=4 if editing else 0, channel_id="C1",
                                   today=date(2026, 12, 10))  # fmt: skip
    assert conformance.check_view(view) == []
    blocks = {b.get("block_id"): b for b in view["blocks"] if b.get("block_id")}
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert all(b["element"]["action_id"] == Action.INPUT for b in inputs)
    if editing:
        assert view["callback_id"] == Callback.EDIT and Block.CHANNEL not in blocks and Block.EXTERNAL not in blocks
        assert blocks[Block.TITLE]["element"]["initial_value"] == HOSTILE  # plain text input: shown as typed
        assert blocks[Block.VISIBILITY_ONLY]["element"]["initial_options"]
        assert blocks[Block.DUE]["element"]["initial_date"] == "2027-01-05"
        assert blocks[Block.BASELINE]["element"]["initial_value"] == "4"
        assert "<#C0GOALS001>" in json.dumps(view["blocks"])
    else:
        assert view["callback_id"] == Callback.CREATE
        assert blocks[Block.CHANNEL]["element"]["initial_conversation"] == "C1"
        assert blocks[Block.CADENCE]["element"]["initial_option"]["value"] == "biweekly"
        assert blocks[Block.WEEKDAY]["element"]["initial_option"]["value"] == "3"  # today's weekday
        assert blocks[Block.TIME]["element"]["initial_time"] == "10:00"
        assert Block.EXTERNAL in blocks


def test_close_and_delete_modals() -> None:
    for view in (modals.build_close_modal(goal()), modals.build_delete_modal(goal())):
        assert conformance.check_view(view) == []
        no_pings(view)
    assert (
        conformance.check_view(modals.build_notice_modal("Goal saved", replies.saved_text(goal(), created=True))) == []
    )


def test_the_list_has_a_menu_per_goal() -> None:
    goals = [goal(id=i, status=Status.PAUSED if i % 2 else Status.ACTIVE) for i in range(1, 60)]
    message = replies.build_list_message(goals)
    assert conformance.check_message(message) == []
    no_pings(message)
    menus = [b["accessory"] for b in message["blocks"] if b.get("accessory")]
    assert len(menus) == replies.LIST_LIMIT and all(m["action_id"] == Action.GOAL_MENU for m in menus)
    assert [o["value"] for o in menus[0]["options"]] == ["edit:1", "resume:1", "values:1", "close:1", "delete:1"]
    assert [o["value"] for o in menus[1]["options"]][1] == "pause:2"
    assert "and 14 more" in json.dumps(message["blocks"][-1])
    empty = replies.build_list_message([])
    assert conformance.check_message(empty) == [] and "/goal new" in empty["text"]


def test_outcome_and_deleted_messages() -> None:
    reply = replies.outcome_reply(goal(), Outcome.PARTLY, HOSTILE, "U1")
    assert conformance.check_message(reply) == []
    no_pings(reply)
    button = reply["blocks"][-1]["elements"][0]
    assert (button["action_id"], button["value"]) == (Action.OPEN_RETRO, "7")
    assert "Partly hit" in reply["text"] and not PING.search(reply["text"])
    gone = replies.deleted_message(HOSTILE, "U1", NOW)
    assert conformance.check_message(gone) == []
    no_pings(gone)
    assert "<@U1>" in gone["text"]


def test_closed_goals_read_their_outcome() -> None:
    closed = replace(goal(), status=Status.CLOSED, outcome="missed")
    assert "Closed: Missed" in views.status_line(closed)
    message = views.goal_message(closed)
    assert conformance.check_message(message) == [] and Action.UPDATE not in json.dumps(message)


def test_one_line_answers_escape_titles() -> None:
    for text in (
        replies.paused_text(goal()), replies.resumed_text(goal()), replies.closed_text(goal()),
        replies.deleted_text(HOSTILE), replies.saved_text(goal(), created=False),
    ):  # fmt: skip
        assert not PING.search(text) and "&lt;!channel&gt;" in text
    assert "shared goal" in replies.help_text("usage")
