"""The move modal and the go/no-go reason modal: typed ``private_metadata`` and their state read
into data (field errors by block). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.launches.data import REASON_MAX, Errors
from bot.launches.ids import Action, Block, Decision
from bot.slack import forms
from bot.slack.errors import UserError
from bot.slack.metadata import ViewMetadata

NO_REASON = "Say why it's a no-go: the other lead and the channel will read it."


class MoveMetadata(ViewMetadata):
    launch_id: int
    phase_id: int = 0  # the phase shown when the launch has one to pick from (a quiet/full launch)


class DecisionMetadata(ViewMetadata):
    phase_id: int
    decision: Decision
    launch_on: date | None = None  # the date the lead was asked about (the DM's button)


@dataclass(frozen=True)
class MoveInput:
    phase_id: int
    new_date: date
    reason: str = ""


def parse_id(value: object) -> int | None:
    """A launch or phase id from a button's value (input: anything that is not one is None)."""
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 12 else None


def decision_value(phase_id: int, launch_on: date) -> str:
    """A Go / No-go button's value: the phase and the date the lead is asked about."""
    return f"{phase_id}:{launch_on.isoformat()}"


def parse_decision_value(value: object) -> tuple[int, date | None] | None:
    """``(phase id, date asked about)`` from a Go / No-go button (input: None if unreadable)."""
    head, _, day = str(value or "").partition(":")
    phase_id = parse_id(head)
    if phase_id is None:
        return None
    if not day:
        return phase_id, None
    try:
        return phase_id, date.fromisoformat(day)
    except ValueError:
        return None


def parse_move(state: forms.State, metadata: MoveMetadata) -> tuple[MoveInput | None, Errors]:
    errors: Errors = {}
    phase_id = metadata.phase_id
    if Block.MOVE_PHASE in state:
        phase_id = parse_id(forms.selected(state, Block.MOVE_PHASE, Action.INPUT)) or 0
        if not phase_id:
            errors[Block.MOVE_PHASE] = "Pick the phase to move."
    new_date: date | None = None
    try:
        new_date = forms.date_value(state, Block.MOVE_DATE, Action.INPUT)
    except UserError as error:
        errors[Block.MOVE_DATE] = str(error)
    else:
        if new_date is None:
            errors[Block.MOVE_DATE] = "Pick the new date."
    reason = forms.text(state, Block.MOVE_REASON, Action.INPUT) if Block.MOVE_REASON in state else ""
    if len(reason) > REASON_MAX:
        errors[Block.MOVE_REASON] = f"Keep the reason under {REASON_MAX} characters."
    if errors or new_date is None:
        return None, errors
    return MoveInput(phase_id=phase_id, new_date=new_date, reason=reason), {}


def parse_reason(state: forms.State, decision: Decision) -> tuple[str | None, Errors]:
    """The reason typed for a decision: optional for a go, required for a no-go."""
    reason = forms.text(state, Block.DECISION_REASON, Action.INPUT) if Block.DECISION_REASON in state else ""
    if len(reason) > REASON_MAX:
        return None, {Block.DECISION_REASON: f"Keep the reason under {REASON_MAX} characters."}
    if decision is Decision.NO_GO and not reason:
        return None, {Block.DECISION_REASON: NO_REASON}
    return reason, {}
