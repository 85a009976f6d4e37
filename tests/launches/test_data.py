"""The plan's pure parts: validation, the checklist templates, relative dates, moving phases."""

from __future__ import annotations

from datetime import date

import pytest

from bot.launches.data import (
    LaunchError,
    PhaseInput,
    default_owner,
    due_date,
    plan_items,
    problems,
    shift_phases,
    t_label,
)
from bot.launches.ids import Block, ItemKind, LaunchKind, Side
from tests.launches.conftest import MARKETING_LEAD, PRODUCT_LEAD, TODAY, launch_input, staggered_input


def test_a_full_launch_gets_the_template_checklist_relative_to_its_date() -> None:
    items = plan_items(launch_input())
    by_key = {i.key: i for i in items}
    assert [(i.key, t_label(i.offset), i.due_on.isoformat()) for i in items] == [
        ("positioning", "T-21", "2026-12-21"),
        ("pricing", "T-14", "2026-12-28"),
        ("enablement", "T-10", "2027-01-01"),
        ("docs", "T-7", "2027-01-04"),
        ("campaign", "T-3", "2027-01-08"),
        ("go_no_go", "T-1", "2027-01-10"),
        ("announcement", "T+0", "2027-01-11"),
        ("metrics", "T+7", "2027-01-18"),
        ("retro", "T+14", "2027-01-25"),
    ]
    assert by_key["enablement"].owner_id == MARKETING_LEAD and by_key["enablement"].side is Side.MARKETING
    assert by_key["docs"].owner_id == PRODUCT_LEAD
    assert by_key["positioning"].side is Side.BOTH and by_key["positioning"].owner_id == PRODUCT_LEAD
    assert by_key["go_no_go"].kind is ItemKind.GO_NO_GO and by_key["retro"].kind is ItemKind.RETRO


def test_a_staggered_launch_gets_per_phase_items_and_the_retro_after_the_last_phase() -> None:
    items = plan_items(staggered_input())
    per_phase = [(i.title, i.phase_index, i.due_on.isoformat()) for i in items if i.key in ("go_no_go", "audience")]
    assert per_phase == [
        ("Beta: audience and messaging refined", 0, "2027-01-06"),
        ("Beta: go/no-go", 0, "2027-01-10"),
        ("GA: audience and messaging refined", 1, "2027-01-27"),
        ("GA: go/no-go", 1, "2027-01-31"),
    ]
    retro = next(i for i in items if i.key == "retro")
    assert (retro.phase_index, retro.due_on) == (1, date(2027, 2, 15))
    positioning = next(i for i in items if i.key == "positioning")
    assert (positioning.phase_index, positioning.due_on) == (0, date(2026, 12, 21))


def test_a_quiet_release_has_its_own_short_checklist() -> None:
    keys = [i.key for i in plan_items(launch_input(kind=LaunchKind.QUIET))]
    assert keys == ["docs", "heads_up", "go_no_go", "release", "metrics", "retro"]


@pytest.mark.parametrize(
    ("changes", "block", "words"),
    [
        ({"name": "  "}, Block.NAME, "name"),
        ({"marketing_lead": ""}, Block.MARKETING_LEAD, "marketing lead"),
        ({"marketing_lead": PRODUCT_LEAD}, Block.MARKETING_LEAD, "someone other"),
        ({"channel_id": ""}, Block.CHANNEL, "channel"),
        ({"phases": (PhaseInput("Launch", date(2026, 12, 6)),)}, Block.LAUNCH_DATE, "has passed"),
        ({"phases": (PhaseInput("Launch", date(2031, 1, 1)),)}, Block.LAUNCH_DATE, "three years"),
        ({"goal_ids": (1, 2, 3, 4, 5, 6)}, Block.GOALS, "at most 5"),
    ],
)
def test_problems_name_the_field_and_say_why(changes: dict[str, object], block: str, words: str) -> None:
    found = problems(launch_input(**changes), today=TODAY)
    assert block in found and words in found[block]


def test_staggered_phases_need_two_in_date_order() -> None:
    one = problems(staggered_input(phases=(PhaseInput("Beta", date(2027, 1, 11)),)), today=TODAY)
    assert "two or more phases" in one[Block.PHASES]
    backwards = (PhaseInput("Beta", date(2027, 2, 1)), PhaseInput("GA", date(2027, 1, 11)))
    assert "in order" in problems(staggered_input(phases=backwards), today=TODAY)[Block.PHASES]
    assert problems(staggered_input(), today=TODAY) == {}


def test_a_passed_date_may_stay_when_editing() -> None:
    passed = launch_input(phases=(PhaseInput("Launch", date(2026, 12, 1)),))
    assert problems(passed, today=TODAY, editing=True) == {}


def test_moving_a_phase_moves_the_later_ones_by_the_same_days() -> None:
    dates = [date(2027, 1, 11), date(2027, 2, 1), date(2027, 2, 15)]
    assert shift_phases(dates, 0, date(2027, 1, 18)) == [date(2027, 1, 18), date(2027, 2, 8), date(2027, 2, 22)]
    assert shift_phases(dates, 1, date(2027, 2, 3)) == [date(2027, 1, 11), date(2027, 2, 3), date(2027, 2, 17)]
    with pytest.raises(LaunchError, match="on or before"):
        shift_phases(dates, 1, date(2027, 1, 11))


def test_relative_days_read_as_t_minus_and_plus() -> None:
    assert (t_label(-21), t_label(0), t_label(14)) == ("T-21", "T+0", "T+14")
    assert due_date(date(2027, 1, 1), -1) == date(2026, 12, 31)
    assert default_owner(Side.MARKETING, "P", "M") == "M" and default_owner(Side.BOTH, "P", "M") == "P"
