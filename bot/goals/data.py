"""The shared-goals contract: inputs, view-models, the yardstick arithmetic (progress, health,
trend, how a value reads), limits and the package's errors. Pure data: no tables, no Slack client.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Protocol

from bot.goals.ids import Block, CheckinCadence, Confidence, Direction, Kind, Side, Status, Unit
from bot.slack import errors
from bot.slack.errors import UserError

if TYPE_CHECKING:
    from bot.slack.users import SlackUser

# --- limits ---------------------------------------------------------------------------------------

TITLE_MAX = 150
WHY_MAX = 1000
METRIC_MAX = 80
UNIT_LABEL_MAX = 16
NOTE_MAX = 1000
LEARNING_MAX = 2000
URL_MAX = 2000
POINTER_MAX = 200
MAX_OWNERS_PER_SIDE = 10
# Numbers people type: generous, but finite and printable.
VALUE_LIMIT = 1e15
# Two rounds missed in a row make a goal stale.
STALE_AFTER_MISSED = 2

RITUAL_KIND = "goals"  # the outbox's ritual kind: a failed post alerts the goal's owners

Errors = dict[str, str]  # block id -> message, for ``response_action: errors``


# --- errors ---------------------------------------------------------------------------------------


class GoalError(UserError):
    """A problem the person can act on; ``str()`` is the friendly sentence shown to them."""


class GoalNotFound(GoalError, errors.NotFound):
    def __init__(self) -> None:
        super().__init__("I can't find that goal. See `/goal list` for the goals of this workspace.")


class NotGoalOwner(GoalError, errors.NotAllowed):
    def __init__(self, action: str = "change") -> None:
        super().__init__(f"Only the goal's owners (or whoever created it) can {action} it.")


class GoalClosed(GoalError):
    def __init__(self) -> None:
        super().__init__("That goal is closed, so it takes no more check-ins or changes.")


class Directory(Protocol):
    """Who people are (their Slack zone), behind a protocol so services never hold a Slack client."""

    def get_user(self, user_id: str) -> SlackUser | None: ...


# --- inputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GoalInput:
    """What the new/edit modal holds once read (``bot.goals.forms``); validated by ``problems``."""

    title: str
    why: str
    kind: Kind
    metric_name: str
    unit: Unit
    unit_label: str
    direction: Direction
    baseline: float
    target: float | None
    due_on: date | None
    range_low: float | None
    range_high: float | None
    product_owners: tuple[str, ...]
    marketing_owners: tuple[str, ...]
    visibility_only: bool
    channel_id: str
    cadence: CheckinCadence
    weekday: int  # Mon=0
    local_time: time


@dataclass(frozen=True)
class SourceInput:
    """Where a goal's value is pulled from before each check-in (all empty: typed by hand)."""

    url: str
    pointer: str
    token: str | None = None  # None: keep what is stored; "": remove it


@dataclass(frozen=True)
class CheckinInput:
    value: float
    confidence: Confidence
    note: str


# --- the yardstick --------------------------------------------------------------------------------


def progress(*, baseline: float, target: float, current: float) -> float:
    """How far from baseline to target ``current`` is: 0 at the baseline, 1 at the target.

    Works for both directions (a target below the baseline is a "down" goal). Not clamped: past
    the target is > 1, worse than the baseline is < 0. Callers clamp for bars.
    """
    span = target - baseline
    if span == 0:
        return 1.0
    return (current - baseline) / span


def in_range(value: float, low: float | None, high: float | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def progress_of(kind: Kind, *, baseline: float, target: float | None, current: float | None) -> float | None:
    """A target goal's progress (``progress``); None for a KPI or before any value."""
    if kind is not Kind.TARGET or target is None or current is None:
        return None
    return progress(baseline=baseline, target=target, current=current)


def health_of(kind: Kind, current: float | None, low: float | None, high: float | None) -> bool | None:
    """For a KPI: whether ``current`` is in the healthy range; None for a target goal or before any value."""
    if kind is not Kind.KPI or current is None:
        return None
    return in_range(current, low, high)


def is_better(delta: float, direction: Direction) -> bool:
    """Whether a change of ``delta`` is good news for a goal going ``direction``."""
    return delta > 0 if direction is Direction.UP else delta < 0


def format_number(value: float) -> str:
    """``1234.5`` -> ``"1,234.5"``; whole numbers without decimals; at most two decimals."""
    if math.isclose(value, round(value), abs_tol=1e-9):
        return f"{round(value):,}"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text


def format_value(value: float, unit: Unit, unit_label: str = "") -> str:
    """How a value reads next to its unit: ``12.5%``, ``1,200``, ``EUR 1,200``, ``$40``, ``12 signups``."""
    number = format_number(value)
    if unit is Unit.PERCENT:
        return f"{number}%"
    if unit is Unit.CURRENCY:
        label = unit_label.strip()
        if not label:
            return number
        if len(label) == 1:  # a symbol: "$40", "€40"
            return f"-{label}{number[1:]}" if number.startswith("-") else f"{label}{number}"
        return f"{label} {number}"
    if unit is Unit.CUSTOMIZED and unit_label.strip():
        return f"{number} {unit_label.strip()}"
    return number


def format_delta(delta: float, unit: Unit, unit_label: str = "") -> str:
    """A change with its sign: ``+2.5%``, ``-120``, ``+EUR 300``; ``±0`` for no change."""
    if delta == 0:
        return "±0"
    sign = "+" if delta > 0 else "-"
    return sign + format_value(abs(delta), unit, unit_label)


def problems(goal: GoalInput, *, today: date, editing: bool = False) -> Errors:
    """Field errors for a goal as typed (block id -> message); empty when it can be saved.

    ``today`` is the creator's local date. ``editing`` lets an existing goal keep a due date that
    has passed since (it is shown as overdue rather than refused).
    """
    found: Errors = {}
    if not goal.title.strip():
        found[Block.TITLE] = "Say what the goal is, specifically: what changes, for whom."
    if not goal.metric_name.strip():
        found[Block.METRIC] = "Name the metric both teams will read (for example: trial-to-paid conversion)."
    if goal.unit in (Unit.CURRENCY, Unit.CUSTOMIZED) and not goal.unit_label.strip():
        what = "the currency (EUR, $, ...)" if goal.unit is Unit.CURRENCY else "the unit (signups, NPS points, ...)"
        found[Block.UNIT_LABEL] = f"Name {what}."
    if goal.unit is Unit.PERCENT and not (-1000 <= goal.baseline <= 1000):
        found[Block.BASELINE] = "A percentage between -1,000 and 1,000, please."
    if goal.kind is Kind.TARGET:
        if goal.target is None:
            found[Block.TARGET] = "A goal needs a target (or make it an ongoing KPI with a healthy range)."
        elif goal.target == goal.baseline:
            found[Block.TARGET] = "The target equals the baseline, so there is nothing to reach. Change one of them."
        elif goal.direction is Direction.UP and goal.target < goal.baseline:
            found[Block.TARGET] = (
                f"The target ({format_number(goal.target)}) is below the baseline ({format_number(goal.baseline)}) "
                "but the direction is up. Raise the target or set the direction to down."
            )
        elif goal.direction is Direction.DOWN and goal.target > goal.baseline:
            found[Block.TARGET] = (
                f"The target ({format_number(goal.target)}) is above the baseline ({format_number(goal.baseline)}) "
                "but the direction is down. Lower the target or set the direction to up."
            )
        if goal.due_on is None:
            found[Block.DUE] = "A goal needs a due date (time-bound), or make it an ongoing KPI."
        elif goal.due_on < today and not editing:
            found[Block.DUE] = f"{goal.due_on.isoformat()} is in the past. Pick a date from today on."
    else:
        if goal.range_low is None and goal.range_high is None:
            found[Block.RANGE_LOW] = "An ongoing KPI needs a healthy range: a lowest value, a highest, or both."
        elif goal.range_low is not None and goal.range_high is not None and goal.range_low >= goal.range_high:
            found[Block.RANGE_HIGH] = "The highest healthy value must be above the lowest."
    if not goal.product_owners and not goal.marketing_owners:
        found[Block.PRODUCT_OWNERS] = "Pick at least one owner."
    elif not goal.visibility_only and (not goal.product_owners or not goal.marketing_owners):
        missing = Side.MARKETING if not goal.marketing_owners else Side.PRODUCT
        block = Block.MARKETING_OWNERS if missing is Side.MARKETING else Block.PRODUCT_OWNERS
        found[block] = (
            f"A shared goal needs an owner from {missing.label.lower()} too, so both teams own the number. "
            "If this is one team's own KPI, tick “One side's KPI, shared for visibility”."
        )
    overlap = set(goal.product_owners) & set(goal.marketing_owners)
    if overlap:
        found[Block.MARKETING_OWNERS] = "Someone is an owner on both sides; pick one side for each person."
    sides = ((Block.PRODUCT_OWNERS, goal.product_owners), (Block.MARKETING_OWNERS, goal.marketing_owners))
    for block, people in sides:
        if len(people) > MAX_OWNERS_PER_SIDE:
            found.setdefault(block, f"At most {MAX_OWNERS_PER_SIDE} owners per side.")
    return found


def source_problems(source: SourceInput) -> Errors:
    """Field errors for a pull source as typed; empty when it can be saved (or is all empty)."""
    found: Errors = {}
    if source.url and not source.url.lower().startswith(("https://", "http://")):
        found[Block.PULL_URL] = "The source must be an http:// or https:// address."
    if source.url and not source.pointer:
        found[Block.PULL_POINTER] = "Say where the value is in the JSON, as a pointer like /data/0/value."
    if source.pointer and not source.pointer.startswith("/"):
        found[Block.PULL_POINTER] = "A JSON pointer starts with / (for example /data/0/value)."
    if source.pointer and not source.url:
        found.setdefault(Block.PULL_URL, "Give the address to fetch, or clear the pointer.")
    return found


# --- view-models ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckinView:
    value: float
    confidence: Confidence
    note: str
    user_id: str
    at: datetime


@dataclass(frozen=True)
class GoalView:
    """A goal as every surface shows it (channel message, list, Home, digest)."""

    id: int
    title: str
    why: str
    kind: Kind
    metric_name: str
    unit: Unit
    unit_label: str
    direction: Direction
    baseline: float
    target: float | None
    due_on: date | None
    range_low: float | None
    range_high: float | None
    status: Status
    channel_id: str
    product_owners: tuple[str, ...]
    marketing_owners: tuple[str, ...]
    visibility_only: bool
    cadence: CheckinCadence
    weekday: int
    local_time: time
    current: float | None  # the latest value, whoever gave it
    current_at: datetime | None
    last_checkin: CheckinView | None
    previous_checkin_value: float | None  # the value at the check-in before the last
    stale: bool
    message_ts: str | None = None
    outcome: str | None = None
    learning: str = ""
    has_push_token: bool = False
    pull_url: str = ""
    checkins: tuple[CheckinView, ...] = field(default_factory=tuple)

    @property
    def owners(self) -> tuple[str, ...]:
        return self.product_owners + self.marketing_owners

    @property
    def progress(self) -> float | None:
        return progress_of(self.kind, baseline=self.baseline, target=self.target, current=self.current)

    @property
    def healthy(self) -> bool | None:
        """For a KPI: whether the current value is in the healthy range (None before any value)."""
        return health_of(self.kind, self.current, self.range_low, self.range_high)

    @property
    def confidence(self) -> Confidence | None:
        return self.last_checkin.confidence if self.last_checkin else None

    @property
    def trend(self) -> float | None:
        """The change of the value since the check-in before the latest value (None: nothing to compare)."""
        if self.current is None or self.previous_checkin_value is None:
            return None
        return self.current - self.previous_checkin_value

    def show(self, value: float) -> str:
        return format_value(value, self.unit, self.unit_label)
