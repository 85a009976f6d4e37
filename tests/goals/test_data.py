"""The yardstick (pure): validation of a goal as typed, progress, formatting, trend direction."""

from __future__ import annotations

from datetime import date

import pytest

from bot.goals.data import SourceInput, format_delta, format_value, in_range, problems, progress, source_problems
from bot.goals.ids import Direction, Kind, Unit
from tests.goals.conftest import TODAY, goal_input


def test_a_well_formed_goal_has_no_problems() -> None:
    assert problems(goal_input(), today=TODAY) == {}


@pytest.mark.parametrize(
    ("changes", "block", "words"),
    [
        ({"target": 4.0}, "goal_target", "equals the baseline"),
        ({"target": 3.0}, "goal_target", "but the direction is up"),
        ({"direction": Direction.DOWN}, "goal_target", "but the direction is down"),
        ({"due_on": date(2026, 12, 6)}, "goal_due", "in the past"),
        ({"due_on": None}, "goal_due", "due date"),
        ({"target": None}, "goal_target", "needs a target"),
        ({"product_owners": ()}, "goal_product_owners", "owner from product"),
        ({"marketing_owners": ()}, "goal_marketing_owners", "owner from marketing"),
        ({"product_owners": (), "marketing_owners": ()}, "goal_product_owners", "at least one owner"),
        ({"marketing_owners": ("U0PRODUCT1",)}, "goal_marketing_owners", "both sides"),
        ({"unit": Unit.CURRENCY}, "goal_unit_label", "currency"),
        ({"kind": Kind.KPI, "target": None, "due_on": None}, "goal_range_low", "healthy range"),
        ({"kind": Kind.KPI, "range_low": 5.0, "range_high": 5.0}, "goal_range_high", "above the lowest"),
        ({"title": "  "}, "goal_title", "specifically"),
    ],
)
def test_contradictions_are_field_errors(changes: dict[str, object], block: str, words: str) -> None:
    found = problems(goal_input(**changes), today=TODAY)
    assert block in found and words in found[block], found


def test_one_sided_owners_are_fine_for_a_kpi_shared_for_visibility() -> None:
    assert problems(goal_input(marketing_owners=(), visibility_only=True), today=TODAY) == {}


def test_editing_keeps_a_due_date_that_has_passed() -> None:
    assert problems(goal_input(due_on=date(2026, 12, 1)), today=TODAY, editing=True) == {}


def test_progress_both_directions() -> None:
    assert progress(baseline=4, target=6, current=5) == pytest.approx(0.5)
    assert progress(baseline=100, target=50, current=75) == pytest.approx(0.5)  # lower is better
    assert progress(baseline=4, target=6, current=3) == pytest.approx(-0.5)
    assert in_range(5, 4, None) and not in_range(3, 4, 6)


def test_values_read_with_their_units() -> None:
    assert format_value(12.5, Unit.PERCENT) == "12.5%"
    assert format_value(1234, Unit.COUNT) == "1,234"
    assert format_value(1200, Unit.CURRENCY, "EUR") == "EUR 1,200"
    assert format_value(-40.5, Unit.CURRENCY, "$") == "-$40.5"
    assert format_value(3, Unit.CUSTOMIZED, "signups") == "3 signups"
    assert format_delta(-2.25, Unit.PERCENT) == "-2.25%"
    assert format_delta(0, Unit.COUNT) == "±0"


def test_pull_source_problems() -> None:
    assert source_problems(SourceInput("", "")) == {}
    assert "http" in source_problems(SourceInput("ftp://x", "/a"))["goal_pull_url"]
    assert "pointer" in source_problems(SourceInput("https://x", ""))["goal_pull_pointer"]
    assert "starts with /" in source_problems(SourceInput("https://x", "a/b"))["goal_pull_pointer"]
