"""The launch modal's state -> data (pure): the draft read leniently, every problem on its own
field (each phase row's on that row), editing keeping the kind, channel and dates, the
``/launch`` arguments and the modals' metadata."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.launches.data import MAX_GOALS, LaunchError
from bot.launches.forms import (
    Draft,
    LaunchMetadata,
    NewGoalMetadata,
    PhaseDraft,
    draft_of,
    edit_metadata,
    parse_button_id,
    parse_launch,
    parse_launch_id,
    phase_block,
    read_draft,
)
from bot.launches.ids import Action, Block, LaunchKind
from bot.slack.channels import CONFIRM_VALUE
from bot.slack.metadata import PRIVATE_METADATA_LIMIT, MetadataError
from tests.launches.conftest import CHANNEL, MARKETING_LEAD, PRODUCT_LEAD, TODAY, staggered_input

NEW = LaunchMetadata()


def state(**values: Any) -> dict[str, Any]:
    """A view state: ``name="x"`` for text, dates as ``date``, users/channels by block."""
    found: dict[str, Any] = {}
    for block, value in values.items():
        if isinstance(value, date):
            element: dict[str, Any] = {"type": "datepicker", "selected_date": value.isoformat()}
        elif block in (Block.PRODUCT_LEAD, Block.MARKETING_LEAD):
            element = {"type": "users_select", "selected_user": value}
        elif block == Block.CHANNEL:
            element = {"type": "conversations_select", "selected_conversation": value}
        elif block == Block.KIND:
            element = {"type": "static_select", "selected_option": {"value": value}}
        elif block == Block.GOALS:
            element = {"type": "multi_static_select", "selected_options": [{"value": v} for v in value]}
        elif block == Block.EXTERNAL:
            element = {"type": "checkboxes", "selected_options": [{"value": CONFIRM_VALUE}] if value else []}
        else:
            element = {"type": "plain_text_input", "value": value}
        action = Action.KIND if block == Block.KIND else Action.INPUT
        found[block] = {action: element}
    return found


def full(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        Block.NAME: "  Shared inbox ", Block.WHAT: "For support teams", Block.KIND: "full",
        Block.LAUNCH_DATE: date(2027, 1, 11), Block.PRODUCT_LEAD: PRODUCT_LEAD,
        Block.MARKETING_LEAD: MARKETING_LEAD, Block.CHANNEL: CHANNEL,
    }  # fmt: skip
    values.update(changes)
    return state(**{k: v for k, v in values.items() if v is not None})


def rows(*phases: tuple[str, date | None, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for row, (name, day, audience) in enumerate(phases, start=1):
        values[phase_block(row, "name")] = name
        if day is not None:
            values[phase_block(row, "date")] = day
        values[phase_block(row, "audience")] = audience
    return state(**values)


def staggered(*phases: tuple[str, date | None, str]) -> dict[str, Any]:
    return {**full(**{Block.KIND: "staggered", Block.LAUNCH_DATE: None}), **rows(*phases)}


def parsed(values: dict[str, Any], meta: LaunchMetadata = NEW) -> tuple[Any, dict[str, str]]:
    draft, unreadable = read_draft(values, kind=LaunchKind(meta.kind) if meta.launch_id else None)
    form, errors = parse_launch(draft, meta, today=TODAY)
    return form, {**errors, **unreadable}


def test_a_full_launch_reads_into_one_phase() -> None:
    form, errors = parsed(full(**{Block.GOALS: ["3", "3", "x", "12345678901"], Block.EXTERNAL: True}))
    assert errors == {}
    data = form.data
    assert (data.name, data.kind, data.launch_on, data.channel_id) == ("Shared inbox", LaunchKind.FULL,
                                                                       date(2027, 1, 11), CHANNEL)  # fmt: skip
    assert [(p.name, p.audience) for p in data.phases] == [("Launch", "")]
    assert data.goal_ids == (3,) and form.external_ok


def test_goals_made_in_the_modal_count_once_with_the_picked_ones() -> None:
    form, errors = parsed(full(**{Block.GOALS: ["3"]}), LaunchMetadata(new_goal_ids=[8, 3]))
    assert errors == {} and form.data.goal_ids == (3, 8)
    _, errors = parsed(full(**{Block.GOALS: [str(i) for i in range(MAX_GOALS)]}), LaunchMetadata(new_goal_ids=[99]))
    assert set(errors) == {Block.GOALS}


@pytest.mark.parametrize(
    ("changes", "block", "words"),
    [
        ({Block.LAUNCH_DATE: None}, Block.LAUNCH_DATE, "Pick the launch date"),
        ({Block.LAUNCH_DATE: date(2026, 12, 1)}, Block.LAUNCH_DATE, "has passed"),
        ({Block.LAUNCH_DATE: date(2031, 1, 1)}, Block.LAUNCH_DATE, "three years"),
        ({Block.NAME: " "}, Block.NAME, "name"),
        ({Block.MARKETING_LEAD: None}, Block.MARKETING_LEAD, "marketing lead"),
        ({Block.MARKETING_LEAD: PRODUCT_LEAD}, Block.MARKETING_LEAD, "someone other"),
        ({Block.CHANNEL: None}, Block.CHANNEL, "channel"),
    ],
)
def test_each_problem_is_on_its_field(changes: dict[str, Any], block: str, words: str) -> None:
    _, errors = parsed(full(**changes))
    assert set(errors) == {block} and words in errors[block]


def test_a_garbled_date_is_said_on_its_field() -> None:
    values = full()
    values[Block.LAUNCH_DATE][Action.INPUT]["selected_date"] = "2027-02-30"
    _, errors = parsed(values)
    assert set(errors) == {Block.LAUNCH_DATE} and "doesn't look right" in errors[Block.LAUNCH_DATE]


def test_staggered_rows_skip_the_empty_ones() -> None:
    values = staggered(("Beta", date(2027, 1, 11), "partners"), ("", None, ""), ("GA", date(2027, 2, 1), ""))
    form, errors = parsed(values)
    assert errors == {}
    assert [(p.name, p.launch_on, p.audience) for p in form.data.phases] == [
        ("Beta", date(2027, 1, 11), "partners"),
        ("GA", date(2027, 2, 1), ""),
    ]
    assert form.data.launch_on == date(2027, 1, 11)


@pytest.mark.parametrize(
    ("phases", "expected"),
    [
        ((("Beta", date(2027, 1, 11), ""),), {phase_block(2, "name"): "two phases or more"}),
        ((("", None, ""), ("", None, "")), {phase_block(1, "name"): "two phases or more"}),
        ((("Beta", None, "partners"), ("GA", date(2027, 2, 1), "")), {phase_block(1, "date"): "phase 1's date"}),
        ((("", date(2027, 1, 11), ""), ("GA", date(2027, 2, 1), "")), {phase_block(1, "name"): "phase 1 a name"}),
        ((("Beta", date(2027, 1, 11), ""), ("GA", date(2027, 1, 11), "")), {phase_block(2, "date"): "comes after"}),
        ((("Beta", date(2027, 1, 11), ""), ("GA", date(2026, 12, 1), "")), {phase_block(2, "date"): "has passed"}),
        ((("Beta", date(2027, 1, 11), ""), ("GA", date(2031, 1, 1), "")), {phase_block(1, "date"): "three years"}),
    ],
)
def test_each_row_problem_is_on_that_row(phases: tuple[Any, ...], expected: dict[str, str]) -> None:
    _, errors = parsed(staggered(*phases))
    assert set(errors) == set(expected), errors
    for block, words in expected.items():
        assert words in errors[block]


def test_editing_keeps_the_kind_channel_and_dates() -> None:
    data = staggered_input()
    meta = edit_metadata(4, data)
    assert meta.kind == "staggered" and meta.phase_dates == ["2027-01-11", "2027-02-01"]
    # The edit modal has no kind select, channel or date pickers: names and audiences only.
    values = {**full(**{Block.KIND: None, Block.CHANNEL: None, Block.LAUNCH_DATE: None}),
              **rows(("Private beta", None, "10 partners"), ("GA", None, ""))}  # fmt: skip
    form, errors = parsed(values, meta)
    assert errors == {}
    assert (form.data.kind, form.data.channel_id) == (LaunchKind.STAGGERED, CHANNEL)
    assert [(p.name, p.launch_on) for p in form.data.phases] == [
        ("Private beta", date(2027, 1, 11)),
        ("GA", date(2027, 2, 1)),
    ]
    # Dates in the past are fine when editing (the launch may be under way).
    old = LaunchMetadata(launch_id=4, kind="full", channel_id=CHANNEL, phase_dates=["2026-11-01"])
    form, errors = parsed(full(**{Block.KIND: None, Block.LAUNCH_DATE: None}), old)
    assert errors == {} and form.data.phases[0].launch_on == date(2026, 11, 1)


def test_a_saved_launch_as_a_draft() -> None:
    draft = draft_of(staggered_input(goal_ids=(5,)))
    assert draft.kind is LaunchKind.STAGGERED and draft.goal_ids == (5,)
    assert draft.phases[1] == PhaseDraft("GA", date(2027, 2, 1), "every Team plan workspace")
    assert Draft().kind is LaunchKind.FULL


def test_launch_ids_from_commands_and_buttons() -> None:
    assert [parse_launch_id(t, "edit") for t in ("3", " #3 ", "launch 3")] == [3, 3, 3]
    for bad in ("", "three", "-3", "1234567890", "3 4"):
        with pytest.raises(LaunchError, match="/launch edit 3"):
            parse_launch_id(bad, "edit")
    assert [parse_button_id(v) for v in ("7", None, "", "x", "1" * 10)] == [7, None, None, None, None]


def test_metadata_round_trips_and_refuses_garbage() -> None:
    meta = LaunchMetadata(launch_id=4, kind="staggered", channel_id=CHANNEL, phase_dates=["2027-01-11"] * 6,
                          new_goal_ids=list(range(1000000, 1000000 + MAX_GOALS)))  # fmt: skip
    nested = NewGoalMetadata(parent_view_id="V0123456789ABCDEF", parent=meta, kind="staggered")
    assert NewGoalMetadata.decode(nested.encode()) == nested
    assert len(nested.encode()) < PRIVATE_METADATA_LIMIT
    assert LaunchMetadata.decode(None) == NEW
    with pytest.raises(MetadataError):
        LaunchMetadata.decode('{"launch_id": "x"}')
    with pytest.raises(MetadataError):
        NewGoalMetadata.decode("{}")
