"""Reading the goal modals: lenient numbers, every field of the new/edit modal, the close modal,
the ``/goal`` arguments and the menu's option values."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from bot.goals import forms, modals
from bot.goals.data import GoalError, problems
from bot.goals.ids import Action, Block, CheckinCadence, Direction, Kind, Outcome, Unit
from tests.goals.conftest import TODAY, goal_input


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12.5", 12.5), ("1,200", 1200.0), ("12.5%", 12.5), (" 4 ", 4.0), ("-3", -3.0), ("+7", 7.0),
        ("1,200,000.50", 1200000.5), ("12,5", 12.5), ("$40", 40.0), ("€1,200", 1200.0), ("1 200", 1200.0),
        ("1\u00a0200", 1200.0), (".5", 0.5), ("1e3", 1000.0), ("", None), ("   ", None),
    ],
)  # fmt: skip
def test_numbers_are_read_leniently(typed: str, value: float | None) -> None:
    assert forms.parse_number(typed) == value


@pytest.mark.parametrize("typed", ["six", "12.5.1", "1,2,3", "nan", "inf", "--3", "12 %%", "0x10", "1,2345,6"])
def test_what_is_not_a_number_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        forms.parse_number(typed)


def state(values: dict[str, Any]) -> dict[str, Any]:
    """Slack's ``view.state.values`` for the goal modal, every input under ``Action.INPUT``."""
    out: dict[str, Any] = {}
    for block, value in values.items():
        out[block] = {Action.INPUT: value}
    return out


def full_state(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        Block.TITLE: {"type": "plain_text_input", "value": "  Lift trial-to-paid\x07 "},
        Block.WHY: {"type": "plain_text_input", "value": None},
        Block.METRIC: {"type": "plain_text_input", "value": "Trial-to-paid"},
        Block.UNIT: {"type": "static_select", "selected_option": {"value": "currency"}},
        Block.UNIT_LABEL: {"type": "plain_text_input", "value": "EUR"},
        Block.BASELINE: {"type": "plain_text_input", "value": "1,200"},
        Block.DIRECTION: {"type": "radio_buttons", "selected_option": {"value": "down"}},
        Block.KIND: {"type": "radio_buttons", "selected_option": {"value": "target"}},
        Block.TARGET: {"type": "plain_text_input", "value": "900"},
        Block.DUE: {"type": "datepicker", "selected_date": "2027-03-31"},
        Block.RANGE_LOW: {"type": "plain_text_input", "value": None},
        Block.RANGE_HIGH: {"type": "plain_text_input", "value": ""},
        Block.PRODUCT_OWNERS: {"type": "multi_users_select", "selected_users": ["U1", "U1", "U2"]},
        Block.MARKETING_OWNERS: {"type": "multi_users_select", "selected_users": ["U3"]},
        Block.VISIBILITY_ONLY: {"type": "checkboxes", "selected_options": []},
        Block.CHANNEL: {"type": "conversations_select", "selected_conversation": "C1"},
        Block.EXTERNAL: {"type": "checkboxes", "selected_options": [{"value": "post_in_external_channel"}]},
        Block.CADENCE: {"type": "static_select", "selected_option": {"value": "monthly"}},
        Block.WEEKDAY: {"type": "static_select", "selected_option": {"value": "3"}},
        Block.TIME: {"type": "timepicker", "selected_time": "16:45"},
    }
    values.update(changes)
    return state(values)


def test_the_goal_modal_reads_into_a_goal() -> None:
    form, errors = forms.parse_goal(full_state())
    assert errors == {}
    data = form.data
    assert (data.title, data.why, data.metric_name) == ("Lift trial-to-paid", "", "Trial-to-paid")
    assert (data.unit, data.unit_label, data.direction, data.kind) == (
        Unit.CURRENCY,
        "EUR",
        Direction.DOWN,
        Kind.TARGET,
    )
    assert (data.baseline, data.target, data.due_on, data.range_low, data.range_high) == (
        1200.0, 900.0, date(2027, 3, 31), None, None,
    )  # fmt: skip
    assert data.product_owners == ("U1", "U2") and data.marketing_owners == ("U3",)
    assert (data.channel_id, data.cadence, data.weekday, data.local_time) == (
        "C1", CheckinCadence.MONTHLY, 3, time(16, 45),
    )  # fmt: skip
    assert form.external_ok and not data.visibility_only
    assert problems(data, today=TODAY) == {}


def test_unreadable_fields_are_all_reported_on_their_blocks() -> None:
    _, errors = forms.parse_goal(
        full_state(**{
            Block.BASELINE: {"type": "plain_text_input", "value": "about 4"},
            Block.TARGET: {"type": "plain_text_input", "value": "1e999"},
            Block.RANGE_LOW: {"type": "plain_text_input", "value": "9" * 20},
            Block.CHANNEL: {"type": "conversations_select", "selected_conversation": None},
            Block.DUE: {"type": "datepicker", "selected_date": "31/03/2027"},
        })
    )  # fmt: skip
    assert set(errors) == {Block.BASELINE, Block.TARGET, Block.RANGE_LOW, Block.CHANNEL, Block.DUE}
    assert errors[Block.BASELINE] == forms.NOT_A_NUMBER and errors[Block.RANGE_LOW] == forms.TOO_BIG
    _, errors = forms.parse_goal(full_state(**{Block.BASELINE: {"type": "plain_text_input", "value": ""}}))
    assert "baseline" in errors[Block.BASELINE]


def test_editing_keeps_the_goals_channel() -> None:
    form, errors = forms.parse_goal(full_state(**{Block.CHANNEL: {}}), channel_id="C9")
    assert errors == {} and form.data.channel_id == "C9"


def test_a_modal_built_from_a_goal_reads_back_as_that_goal() -> None:
    """The edit modal's initial values, filled in as Slack would, give the goal back unchanged."""
    goal = goal_input(unit=Unit.CUSTOMIZED, unit_label="signups", baseline=1200.5, target=4000.0, weekday=4)
    view = modals.build_goal_modal(goal, goal_id=3)
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        if element["type"] == "plain_text_input":
            read = {"value": element.get("initial_value")}
        elif element["type"] in ("static_select", "radio_buttons"):
            read = {"selected_option": element.get("initial_option")}
        elif element["type"] == "multi_users_select":
            read = {"selected_users": element.get("initial_users", [])}
        elif element["type"] == "checkboxes":
            read = {"selected_options": element.get("initial_options", [])}
        elif element["type"] == "datepicker":
            read = {"selected_date": element.get("initial_date")}
        else:
            read = {"selected_time": element.get("initial_time")}
        values[block["block_id"]] = {element["action_id"]: {"type": element["type"], **read}}
    meta = forms.GoalMetadata.decode(view["private_metadata"])
    assert meta.goal_id == 3 and meta.channel_id == goal.channel_id
    form, errors = forms.parse_goal(values, channel_id=meta.channel_id)
    assert errors == {} and form.data == goal


def test_close_modal_needs_an_outcome() -> None:
    form, errors = forms.parse_close(state({Block.LEARNING: {"value": " Pair earlier "}}))
    assert set(errors) == {Block.OUTCOME} and form.learning == "Pair earlier"
    form, errors = forms.parse_close(state({Block.OUTCOME: {"selected_option": {"value": "missed"}}}))
    assert errors == {} and form.outcome is Outcome.MISSED and form.learning == ""
    _, errors = forms.parse_close(state({Block.OUTCOME: {"selected_option": {"value": "won"}}}))
    assert set(errors) == {Block.OUTCOME}


@pytest.mark.parametrize(("argument", "goal_id"), [("3", 3), ("#12", 12), (" goal 7 ", 7)])
def test_goal_ids_as_typed(argument: str, goal_id: int) -> None:
    assert forms.parse_goal_id(argument, "edit") == goal_id


@pytest.mark.parametrize("argument", ["", "three", "3 4", "-3", "1" * 12, "<!channel>"])
def test_missing_or_garbled_ids_say_how(argument: str) -> None:
    with pytest.raises(GoalError) as caught:
        forms.parse_goal_id(argument, "pause")
    assert "`/goal pause 3`" in str(caught.value)


def test_menu_values() -> None:
    assert forms.parse_menu_choice("resume:12") == ("resume", 12)
    assert forms.parse_menu_choice("edit:x") is None and forms.parse_menu_choice(None) is None
    assert forms.parse_menu_choice(":3") is None
