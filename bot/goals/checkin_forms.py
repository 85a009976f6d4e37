"""The check-in modal's state -> ``CheckinInput``, with friendly field errors, and its typed
``private_metadata``. Pure: no database, no Slack client."""

from __future__ import annotations

import math
import re

from bot.goals.data import NOTE_MAX, VALUE_LIMIT, CheckinInput, Errors
from bot.goals.ids import Block, Confidence
from bot.slack import forms as slack_forms
from bot.slack.metadata import ViewMetadata

NOT_A_NUMBER = "That isn't a number I can read. Type just the number, like 12.5 or 1,200."
TOO_BIG = "That number is too large to be a measurement. Check it and try again."
PICK_CONFIDENCE = "Pick how confident you are: on track, at risk or off track."

_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_PLAIN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")


class CheckinMetadata(ViewMetadata):
    goal_id: int


def parse_value(raw: str, unit_label: str = "") -> float | None:
    """A number as people type it: ``12.5``, ``12.5%``, ``1,200``, ``12,5``, ``$40``, ``EUR 1,200``,
    ``12 signups``. None when it is not one number."""
    text = raw.strip()
    label = unit_label.strip()
    if label:
        text = text.replace(label, "")
    text = re.sub(r"[\s_%$€£¥]", "", text)
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    elif _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    if not _PLAIN.match(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def parse_checkin(state: slack_forms.State, unit_label: str = "") -> tuple[CheckinInput | None, Errors]:
    """The typed check-in, or the field errors (block id -> message) to show in the modal."""
    errors: Errors = {}
    raw = slack_forms.text(state, Block.VALUE)
    value = parse_value(raw, unit_label) if raw else None
    if value is None:
        errors[Block.VALUE] = NOT_A_NUMBER if raw else "Type the current value."
    elif abs(value) > VALUE_LIMIT:
        errors[Block.VALUE] = TOO_BIG
    chosen = slack_forms.selected(state, Block.CONFIDENCE)
    confidence = Confidence(chosen) if chosen in {c.value for c in Confidence} else None
    if confidence is None:
        errors[Block.CONFIDENCE] = PICK_CONFIDENCE
    note = slack_forms.text(state, Block.NOTE)
    if len(note) > NOTE_MAX:
        errors[Block.NOTE] = f"Keep the note under {NOTE_MAX:,} characters."
    if errors or value is None or confidence is None:
        return None, errors
    return CheckinInput(value=value, confidence=confidence, note=note), {}


def parse_goal_id(value: object) -> int | None:
    """A goal id from a button's value (anything else: None)."""
    if isinstance(value, str) and value.isdigit() and len(value) < 12:
        return int(value)
    return None
