"""The goal modals' state -> data (``bot.slack.forms`` readers), lenient number parsing, the
``/goal`` arguments, and the typed ``private_metadata`` the modals carry (``modals`` encodes it,
listeners decode it).

Reading collects every field that cannot be read (a number that is not one) as ``{block_id:
message}``, so one submission shows all of them next to their fields; ``data.problems`` then
says what else needs fixing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import time

from bot.goals.data import LEARNING_MAX, VALUE_LIMIT, Errors, GoalError, GoalInput
from bot.goals.ids import Action, Block, CheckinCadence, Direction, Kind, Outcome, Unit
from bot.slack import forms
from bot.slack.channels import read_confirmation
from bot.slack.errors import UserError
from bot.slack.metadata import ViewMetadata

DEFAULT_TIME = time(10, 0)
NOT_A_NUMBER = "Type a number, like 12.5, 1,200 or 12.5%."
TOO_BIG = "That number is too large for a goal. Use a smaller unit (thousands, millions)."
ID_USAGE = "Which goal? Give its number, e.g. `/goal {verb} 3` (`/goal list` shows the numbers)."

# "1,200", "1,200,000.5": commas that group thousands. A lone comma with no dot ("12,5") is a
# decimal comma, as typed in much of Europe.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_CURRENCY = "$€£¥₹"


class GoalMetadata(ViewMetadata):
    """The new/edit modal: ``goal_id`` 0 for a new goal; ``channel_id`` is the goal's (edit)."""

    goal_id: int = 0
    channel_id: str = ""


class GoalRef(ViewMetadata):
    """The close and delete modals: which goal."""

    goal_id: int


@dataclass(frozen=True)
class GoalForm:
    """What the new/edit modal holds: the goal, and whether "post there anyway" was ticked."""

    data: GoalInput
    external_ok: bool = False


@dataclass(frozen=True)
class CloseForm:
    outcome: Outcome | None
    learning: str


def parse_number(raw: str) -> float | None:
    """A number as people type it: ``12.5``, ``1,200``, ``12.5%``, ``$40``, ``12,5``, `` -3 ``;
    None when empty. ``ValueError`` when it is not a finite number."""
    text = raw.strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("_", "")
    if not text:
        return None
    text = text.removesuffix("%").strip(_CURRENCY)
    if _GROUPED.match(text):
        text = text.replace(",", "")
    elif _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?", text):
        raise ValueError(raw)
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def _number(state: forms.State, block: Block, errors: Errors) -> float | None:
    try:
        value = parse_number(forms.text(state, block))
    except ValueError:
        errors[block] = NOT_A_NUMBER
        return None
    if value is not None and abs(value) > VALUE_LIMIT:
        errors[block] = TOO_BIG
        return None
    return value


def _choice(state: forms.State, block: Block, enum: type, default: object) -> object:
    raw = forms.selected(state, block)
    try:
        return enum(raw) if raw is not None else default
    except ValueError:
        return default


def parse_goal(state: forms.State, *, channel_id: str = "") -> tuple[GoalForm, Errors]:
    """The new/edit modal's state -> the goal, plus the fields that could not be read.

    ``channel_id``: the goal's channel when editing (the edit modal shows it, it has no picker).
    """
    errors: Errors = {}
    baseline = _number(state, Block.BASELINE, errors)
    if baseline is None and Block.BASELINE not in errors:
        errors[Block.BASELINE] = "Where does the number stand today? That is the baseline progress is measured from."
    try:
        due_on = forms.date_value(state, Block.DUE)
    except UserError as error:
        errors[Block.DUE] = str(error)
        due_on = None
    try:
        local_time = forms.time_value(state, Block.TIME) or DEFAULT_TIME
    except UserError as error:
        errors[Block.TIME] = str(error)
        local_time = DEFAULT_TIME
    weekday_raw = forms.selected(state, Block.WEEKDAY)
    weekday = int(weekday_raw) if weekday_raw is not None and weekday_raw.isdigit() and int(weekday_raw) < 7 else 0
    data = GoalInput(
        title=forms.text(state, Block.TITLE),
        why=forms.text(state, Block.WHY),
        kind=_choice(state, Block.KIND, Kind, Kind.TARGET),  # type: ignore[arg-type]
        metric_name=forms.text(state, Block.METRIC),
        unit=_choice(state, Block.UNIT, Unit, Unit.COUNT),  # type: ignore[arg-type]
        unit_label=forms.text(state, Block.UNIT_LABEL),
        direction=_choice(state, Block.DIRECTION, Direction, Direction.UP),  # type: ignore[arg-type]
        baseline=baseline if baseline is not None else 0.0,
        target=_number(state, Block.TARGET, errors),
        due_on=due_on,
        range_low=_number(state, Block.RANGE_LOW, errors),
        range_high=_number(state, Block.RANGE_HIGH, errors),
        product_owners=tuple(dict.fromkeys(forms.users(state, Block.PRODUCT_OWNERS))),
        marketing_owners=tuple(dict.fromkeys(forms.users(state, Block.MARKETING_OWNERS))),
        visibility_only=bool(forms.selected_values(state, Block.VISIBILITY_ONLY)),
        channel_id=channel_id or forms.conversation(state, Block.CHANNEL) or "",
        cadence=_choice(state, Block.CADENCE, CheckinCadence, CheckinCadence.BIWEEKLY),  # type: ignore[arg-type]
        weekday=weekday,
        local_time=local_time.replace(second=0, microsecond=0, tzinfo=None),
    )
    if not data.channel_id:
        errors[Block.CHANNEL] = "Pick the channel where both teams will see the goal."
    external_ok = read_confirmation(state, Block.EXTERNAL, Action.INPUT)
    return GoalForm(data, external_ok), errors


def parse_close(state: forms.State) -> tuple[CloseForm, Errors]:
    raw = forms.selected(state, Block.OUTCOME)
    outcome = Outcome(raw) if raw in {o.value for o in Outcome} else None
    learning = forms.text(state, Block.LEARNING)
    errors: Errors = {}
    if outcome is None:
        errors[Block.OUTCOME] = "Say how it went: hit, partly hit or missed."
    if len(learning) > LEARNING_MAX:
        errors[Block.LEARNING] = f"Keep the learning under {LEARNING_MAX:,} characters."
    return CloseForm(outcome, learning), errors


def parse_goal_id(argument: str, verb: str) -> int:
    """``3``, ``#3`` or ``goal 3`` -> 3; ``GoalError`` with the usage otherwise."""
    text = argument.strip().removeprefix("goal").strip().lstrip("#")
    if not text.isdigit() or len(text) > 9:
        raise GoalError(ID_USAGE.format(verb=verb))
    return int(text)


def parse_menu_choice(value: str | None) -> tuple[str, int] | None:
    """The ``GOAL_MENU`` overflow's option value ``<verb>:<goal id>`` -> (verb, id), or None."""
    verb, _, raw = str(value or "").partition(":")
    if not verb or not raw.isdigit() or len(raw) > 9:
        return None
    return verb, int(raw)
