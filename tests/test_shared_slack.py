"""Fast unit tests of the shared Slack pieces: UserError, the modal state readers, the answers."""

from __future__ import annotations

from datetime import date, time
from typing import Any

import pytest

from bot.slack import forms
from bot.slack.answers import answering, answering_submission, modal_errors
from bot.slack.errors import NotAllowed, NotFound, UserError

STATE: dict[str, Any] = {
    "name": {"name_input": {"type": "plain_text_input", "value": "  Launch\x00 sync \n"}},
    "empty": {"name_input": {"type": "plain_text_input", "value": None}},
    "kind": {"kind_select": {"type": "static_select", "selected_option": {"text": {}, "value": "weekly"}}},
    "days": {"days": {"type": "checkboxes", "selected_options": [{"value": "0"}, {"value": "4"}]}},
    "owner": {"u": {"type": "users_select", "selected_user": "U1"}},
    "people": {"p": {"type": "multi_users_select", "selected_users": ["U1", "U2"]}},
    "channel": {"c": {"type": "conversations_select", "selected_conversation": "C1"}},
    "legacy_channel": {"c": {"type": "channels_select", "selected_channel": "C9"}},
    "channels": {"c": {"type": "multi_conversations_select", "selected_conversations": ["C1", "C2"]}},
    "when": {"d": {"type": "datepicker", "selected_date": "2026-03-08"}},
    "bad_when": {"d": {"type": "datepicker", "selected_date": "2026-02-30"}},
    "at": {"t": {"type": "timepicker", "selected_time": "09:30"}},
    "count": {"n": {"type": "plain_text_input", "value": " 12 "}},
    "two": {"a": {"value": "x"}, "b": {"value": "y"}},
}


def test_text_is_cleaned_and_missing_reads_empty() -> None:
    assert forms.text(STATE, "name") == "Launch sync"
    assert forms.text(STATE, "name", "name_input") == "Launch sync"
    assert forms.text(STATE, "name", "other") == ""
    assert forms.text(STATE, "empty") == ""
    assert forms.text(STATE, "absent") == ""


def test_a_block_with_two_elements_needs_the_action_id() -> None:
    assert forms.text(STATE, "two") == ""
    assert forms.text(STATE, "two", "b") == "y"


def test_selections() -> None:
    assert forms.selected(STATE, "kind") == "weekly"
    assert forms.selected(STATE, "absent") is None
    assert forms.selected_values(STATE, "days") == ["0", "4"]
    assert forms.selected_values(STATE, "absent") == []
    assert forms.user(STATE, "owner") == "U1"
    assert forms.users(STATE, "people") == ["U1", "U2"]
    assert forms.conversation(STATE, "channel") == "C1"
    assert forms.conversation(STATE, "legacy_channel") == "C9"
    assert forms.conversations(STATE, "channels") == ["C1", "C2"]
    assert forms.conversation(STATE, "absent") is None


def test_dates_times_and_numbers_parse_or_blame_their_field() -> None:
    assert forms.date_value(STATE, "when") == date(2026, 3, 8)
    assert forms.date_value(STATE, "absent") is None
    assert forms.time_value(STATE, "at") == time(9, 30)
    assert forms.number(STATE, "count", minimum=0, maximum=60) == 12
    assert forms.number(STATE, "absent") is None
    with pytest.raises(UserError) as bad_date:
        forms.date_value(STATE, "bad_when")
    assert bad_date.value.block_id == "bad_when"
    with pytest.raises(UserError) as too_big:
        forms.number(STATE, "count", maximum=10)
    assert too_big.value.block_id == "count"
    with pytest.raises(UserError, match="whole number"):
        forms.number(STATE, "name")


def test_state_of_reads_the_view() -> None:
    assert forms.state_of({"state": {"values": STATE}}) is STATE
    assert forms.state_of({}) == {}


def test_user_errors_carry_their_field() -> None:
    error = NotFound("No digest in <#C1>.", block_id="digest_channel")
    assert isinstance(error, UserError) and str(error) == "No digest in <#C1>."
    assert error.block_id == "digest_channel"
    assert NotAllowed("Only the owner can.").block_id is None


VIEW: dict[str, Any] = {
    "blocks": [
        {"type": "section", "block_id": "intro"},
        {"type": "input", "block_id": "title"},
        {"type": "input", "block_id": "channel"},
    ]
}


def test_modal_errors_pick_the_field_then_the_fallback_then_the_first_input() -> None:
    assert modal_errors(UserError("x", block_id="channel"), VIEW) == {"channel": "x"}
    assert modal_errors(UserError("x"), VIEW, "channel") == {"channel": "x"}
    assert modal_errors(UserError("x"), VIEW) == {"title": "x"}
    # A block id the view does not have would make Slack reject the whole answer.
    assert modal_errors(UserError("x", block_id="gone"), VIEW) == {"title": "x"}


def test_answering_a_command_says_one_ephemeral_line() -> None:
    said: list[dict[str, Any]] = []
    with answering(lambda **kw: said.append(kw)) as answer:
        raise NotAllowed("Only the owner can pause it.")
    assert answer.failed
    assert said == [{"response_type": "ephemeral", "text": "Only the owner can pause it."}]
    with answering(lambda **kw: said.append(kw)) as fine:
        pass
    assert not fine.failed and len(said) == 1


def test_answering_a_submission_shows_the_error_on_the_form() -> None:
    acks: list[dict[str, Any]] = []
    with answering_submission(lambda **kw: acks.append(kw), VIEW, fallback_block="channel") as answer:
        raise UserError("Pick a channel the bot is in.")
    assert answer.failed
    assert acks == [{"response_action": "errors", "errors": {"channel": "Pick a channel the bot is in."}}]


def test_other_errors_are_not_swallowed() -> None:
    with pytest.raises(KeyError), answering(lambda **kw: None):
        raise KeyError("bug")
