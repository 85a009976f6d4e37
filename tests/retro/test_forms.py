"""Fast tests of the retro modals' readers and the setup's validation (no database, no Slack)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from bot.retro import forms
from bot.retro.data import RetroError, SeriesSetup
from bot.retro.ids import Anonymity, Block, RetroTemplate, Side, StartMode, Strand
from bot.retro.templates import TEMPLATES
from bot.slack.errors import UserError

NOW = datetime(2026, 3, 23, 12, 0, tzinfo=UTC)


def _state(**elements: dict[str, Any]) -> dict[str, Any]:
    """Modal state as Slack sends it: every retro input's action id is its block id."""
    return {block: {block: element} for block, element in elements.items()}


def _option(value: str) -> dict[str, Any]:
    return {"selected_option": {"value": value}}


def test_parse_setup_reads_every_field() -> None:
    state = _state(
        retro_title={"value": "  Launch\x07 review "},
        retro_channel={"selected_conversation": "C0SHARED01"},
        retro_template=_option(RetroTemplate.CUSTOM.value),
        retro_prompts={"value": "What surprised us?\nWhat do we keep?"},
        retro_when=_option(StartMode.RECURRING.value),
        retro_date={"selected_date": "2026-04-02"},
        retro_time={"selected_time": "10:30"},
        retro_timezone={"value": " Europe/Berlin "},
        retro_repeat=_option("2"),
        retro_collect=_option("48"),
        retro_anonymity=_option(Anonymity.ALWAYS.value),
        retro_votes=_option("5"),
        retro_insights={"selected_options": [{"value": "yes"}]},
    )
    setup = forms.parse_setup(state)
    assert setup == SeriesSetup(
        title="Launch review",
        channel_id="C0SHARED01",
        start_mode=StartMode.RECURRING,
        template=RetroTemplate.CUSTOM,
        prompts=["What surprised us?", "What do we keep?"],
        anonymity=Anonymity.ALWAYS,
        votes_per_person=5,
        collect_minutes=48 * 60,
        start_date=date(2026, 4, 2),
        local_time=time(10, 30),
        timezone="Europe/Berlin",
        repeat_weeks=2,
        include_insights=True,
    )
    assert forms.validate_setup(setup, NOW) == {}


def test_parse_setup_defaults_for_what_was_left_empty() -> None:
    setup = forms.parse_setup(_state(retro_title={"value": "Retro"}, retro_channel={"selected_conversation": "C1"}))
    assert setup.template is RetroTemplate.WELL_NOT_TRY
    assert setup.prompts == list(TEMPLATES[RetroTemplate.WELL_NOT_TRY].prompts)
    assert (setup.start_mode, setup.anonymity, setup.votes_per_person) == (StartMode.NOW, Anonymity.OPTIONAL, 3)
    assert (setup.collect_minutes, setup.local_time, setup.timezone) == (24 * 60, time(15, 0), "UTC")
    assert not setup.include_insights and not setup.external_ok


@pytest.mark.parametrize(
    ("elements", "block", "message"),
    [
        ({}, Block.CHANNEL, "Pick the channel"),
        (
            {"retro_template": _option(RetroTemplate.CUSTOM.value), "retro_prompts": {"value": " "}},
            Block.PROMPTS,
            "prompt",
        ),
        ({"retro_days_after_launch": {"value": "a week"}}, Block.DAYS_AFTER_LAUNCH, "whole number of days"),
        ({"retro_launch_date": {"selected_date": "2026-02-30"}}, Block.LAUNCH_DATE, "doesn't look right"),
    ],
)
def test_parse_setup_names_the_field_it_cannot_read(elements: dict[str, Any], block: str, message: str) -> None:
    state = {"retro_title": {"retro_title": {"value": "Retro"}}}
    if block != Block.CHANNEL:
        state["retro_channel"] = {"retro_channel": {"selected_conversation": "C1"}}
    state.update({name: {name: element} for name, element in elements.items()})
    # RetroError, or the shared readers' UserError (its base) for a date or number: both name the field.
    with pytest.raises(UserError, match=message) as raised:
        forms.parse_setup(state)
    assert raised.value.block_id == block


def _setup(**changes: Any) -> SeriesSetup:
    base: dict[str, Any] = {
        "title": "Retro",
        "channel_id": "C1",
        "start_mode": StartMode.ON_DATE,
        "template": RetroTemplate.WELL_NOT_TRY,
        "prompts": ["Went well"],
        "anonymity": Anonymity.OPTIONAL,
        "votes_per_person": 3,
        "collect_minutes": 60,
        "start_date": date(2026, 3, 30),
    }
    return SeriesSetup(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": "  "}, {Block.TITLE: "Give the retro a title."}),
        ({"votes_per_person": 11}, {Block.VOTES: "Pick 1 to 10 votes per person."}),
        ({"timezone": "Mars/Olympus"}, Block.TIMEZONE),
        ({"start_date": date(2026, 3, 20)}, Block.DATE),
        ({"start_date": None, "launch_date": date(2026, 3, 1), "days_after_launch": 3}, Block.LAUNCH_DATE),
        ({"launch_date": date(2026, 3, 25)}, Block.DATE),
        ({"start_mode": StartMode.RECURRING, "repeat_weeks": 53}, {Block.REPEAT: "Repeat every 1 to 52 weeks."}),
    ],
)
def test_validate_setup_names_the_first_field_to_fix(changes: dict[str, Any], expected: Any) -> None:
    errors = forms.validate_setup(_setup(**changes), NOW)
    if isinstance(expected, dict):
        assert errors == expected
    else:
        assert list(errors) == [expected]


def test_a_one_off_that_already_ran_may_keep_its_date_on_edit() -> None:
    ran = _setup(start_date=date(2026, 3, 20))
    assert forms.validate_setup(ran, NOW, past_date_ok=True) == {}
    assert forms.validate_setup(_setup(start_mode=StartMode.NOW, start_date=date(2020, 1, 1)), NOW) == {}


def test_parse_rating_and_its_missing_fields() -> None:
    full = _state(
        retro_side=_option(Side.MARKETING.value),
        retro_trust=_option("4"),
        retro_ownership=_option("3"),
        retro_planning=_option("2"),
        retro_focus=_option(Strand.PLANNING.value),
    )
    assert forms.parse_rating(full) == (
        Side.MARKETING,
        {Strand.TRUST: 4, Strand.OWNERSHIP: 3, Strand.PLANNING: 2},
        Strand.PLANNING,
    )
    for block in (Block.SIDE, Block.OWNERSHIP, Block.FOCUS):
        with pytest.raises(RetroError) as raised:
            forms.parse_rating({name: value for name, value in full.items() if name != block})
        assert raised.value.block_id == block


def test_parse_item_and_action_item() -> None:
    item = _state(
        retro_item_prompt=_option("1"),
        retro_item_text={"value": " We shipped late "},
        retro_item_anonymous={"selected_options": [{"value": "yes"}]},
    )
    assert forms.parse_item(item) == (1, "We shipped late", True)
    with pytest.raises(RetroError) as raised:
        forms.parse_item(_state(retro_item_text={"value": "x"}))
    assert raised.value.block_id == Block.ITEM_PROMPT
    action = _state(
        retro_action_source=_option("42"),
        retro_action_text={"value": ""},
        retro_action_owner={"selected_user": "UOWNER0001"},
        retro_action_due={"selected_date": "2026-04-01"},
    )
    assert forms.parse_action_item(action) == (42, "", "UOWNER0001", date(2026, 4, 1))
    assert forms.parse_action_item({}) == (None, "", "", None)
