"""The launches contract: inputs, the checklist templates, the plan's date arithmetic,
view-models, limits and the package's errors. Pure data: no tables, no Slack client.

A launch has one or more **phases** (a quiet or full launch has exactly one; a staggered launch
two or more, each with a name, a date and its audience). The **launch date** is the first phase's
date. Every checklist item hangs on a phase with an offset in days (``T-21`` is -21): moving a
phase moves its items, and the phases after it keep their spacing (``shift_phases``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import TYPE_CHECKING, Protocol

from bot.launches.ids import Anchor, Block, Decision, ItemKind, ItemStatus, LaunchKind, LaunchStatus, Side
from bot.slack import errors
from bot.slack.errors import UserError

if TYPE_CHECKING:
    from bot.goals.data import GoalView
    from bot.slack.users import SlackUser

# --- limits ---------------------------------------------------------------------------------------

NAME_MAX = 120
WHAT_MAX = 1000
PHASE_NAME_MAX = 60
AUDIENCE_MAX = 200
ITEM_TITLE_MAX = 150
REASON_MAX = 500
MAX_PHASES = 6
MAX_ITEMS = 80  # per launch: the message shows a summary, the lists page
MAX_GOALS = 5  # success metrics per launch
MAX_DAYS_AHEAD = 3 * 365  # a launch date further out is a typo
MAX_OFFSET = 365  # an item more than a year before or after its phase is a typo

# The local time of day the plan's DMs and the launch-day message go out at.
DAY_START = time(9, 0)

RITUAL_KIND = "launches"  # the outbox's ritual kind: a failed post alerts whoever created the launch

Errors = dict[str, str]  # block id -> message, for ``response_action: errors``


# --- errors ---------------------------------------------------------------------------------------


class LaunchError(UserError):
    """A problem the person can act on; ``str()`` is the friendly sentence shown to them."""


class LaunchNotFound(LaunchError, errors.NotFound):
    def __init__(self) -> None:
        super().__init__("I can't find that launch. See `/launch list` for the launches of this workspace.")


class ItemNotFound(LaunchError, errors.NotFound):
    def __init__(self) -> None:
        super().__init__("I can't find that checklist item: it may have been dropped or its launch cancelled.")


class NotLaunchLead(LaunchError, errors.NotAllowed):
    def __init__(self, action: str = "change") -> None:
        super().__init__(f"Only the launch's two leads (or whoever created it) can {action} it.")


class LaunchCancelled(LaunchError):
    def __init__(self) -> None:
        super().__init__("That launch was cancelled, so its plan takes no more changes.")


class Directory(Protocol):
    """Who people are (their Slack zone), behind a protocol so services never hold a Slack client."""

    def get_user(self, user_id: str) -> SlackUser | None: ...


# --- inputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseInput:
    name: str
    launch_on: date
    audience: str = ""


@dataclass(frozen=True)
class LaunchInput:
    """What the new/edit modal holds once read (``bot.launches.forms``); validated by ``problems``."""

    name: str
    what: str  # what ships and for whom
    kind: LaunchKind
    phases: tuple[PhaseInput, ...]  # one for quiet/full; two or more for staggered, in date order
    product_lead: str
    marketing_lead: str
    channel_id: str
    goal_ids: tuple[int, ...] = ()  # existing shared goals as success metrics

    @property
    def launch_on(self) -> date:
        return self.phases[0].launch_on


def problems(data: LaunchInput, *, today: date, editing: bool = False) -> Errors:
    """Everything wrong with a launch as typed, by block (empty: it can be saved).

    ``today``: the person's local date. ``editing``: a phase whose date has passed may keep it.
    """
    found: Errors = {}
    if not data.name.strip():
        found[Block.NAME] = "Give the launch a name."
    elif len(data.name) > NAME_MAX:
        found[Block.NAME] = f"Keep the name under {NAME_MAX} characters."
    if len(data.what) > WHAT_MAX:
        found[Block.WHAT] = f"Keep this under {WHAT_MAX} characters."
    if not data.product_lead:
        found[Block.PRODUCT_LEAD] = "Pick the product lead: a launch is led by both sides."
    if not data.marketing_lead:
        found[Block.MARKETING_LEAD] = "Pick the marketing lead: a launch is led by both sides."
    if data.product_lead and data.product_lead == data.marketing_lead:
        found[Block.MARKETING_LEAD] = "Pick someone other than the product lead: each side leads its half."
    if not data.channel_id:
        found[Block.CHANNEL] = "Pick the channel the launch plan lives in."
    if len(data.goal_ids) > MAX_GOALS:
        found[Block.GOALS] = f"Pick at most {MAX_GOALS} success metrics."
    date_block = Block.PHASES if data.kind is LaunchKind.STAGGERED else Block.LAUNCH_DATE
    phase_problem = _phase_problem(data, today=today, editing=editing)
    if phase_problem:
        found[date_block] = phase_problem
    return found


def _phase_problem(data: LaunchInput, *, today: date, editing: bool) -> str:
    phases = data.phases
    if data.kind is LaunchKind.STAGGERED:
        if len(phases) < 2:
            return "A staggered launch has two or more phases, one per line: `name | YYYY-MM-DD | audience`."
        if len(phases) > MAX_PHASES:
            return f"A launch has at most {MAX_PHASES} phases."
    elif len(phases) != 1:
        return "Pick the launch date."
    for index, phase in enumerate(phases):
        if not phase.name.strip():
            return f"Phase {index + 1} needs a name."
        if len(phase.name) > PHASE_NAME_MAX:
            return f"Keep phase names under {PHASE_NAME_MAX} characters."
        if len(phase.audience) > AUDIENCE_MAX:
            return f"Keep each phase's audience under {AUDIENCE_MAX} characters."
        if phase.launch_on < today and not editing:
            return f"{phase.launch_on.isoformat()} has passed: pick a date from today on."
        if (phase.launch_on - today).days > MAX_DAYS_AHEAD:
            return f"{phase.launch_on.isoformat()} is more than three years away: is that a typo?"
        if index and phase.launch_on <= phases[index - 1].launch_on:
            return "Each phase comes after the one before it: put the dates in order, one day apart at least."
    return ""


# --- the checklist templates ----------------------------------------------------------------------


@dataclass(frozen=True)
class ItemTemplate:
    key: str  # stable name ("positioning"), kept on the item
    title: str  # "{phase}" is replaced by the phase's name for Anchor.EACH items of a staggered launch
    side: Side
    offset: int  # days from the anchor phase's date: -21 is T-21
    anchor: Anchor = Anchor.FIRST
    kind: ItemKind = ItemKind.TASK


_PREP = (
    ItemTemplate("positioning", "Positioning and messaging agreed", Side.BOTH, -21),
    ItemTemplate("pricing", "Pricing and packaging confirmed", Side.PRODUCT, -14),
    ItemTemplate("enablement", "Sales enablement ready", Side.MARKETING, -10),
    ItemTemplate("docs", "Docs and release notes", Side.PRODUCT, -7),
    ItemTemplate("campaign", "Launch email and posts scheduled", Side.MARKETING, -3),
)
_AFTER = (
    ItemTemplate("metrics", "First metrics check", Side.BOTH, 7, Anchor.LAST, ItemKind.METRICS_CHECK),
    ItemTemplate("retro", "Launch retro", Side.BOTH, 14, Anchor.LAST, ItemKind.RETRO),
)

TEMPLATES: dict[LaunchKind, tuple[ItemTemplate, ...]] = {
    LaunchKind.FULL: (
        *_PREP,
        ItemTemplate("go_no_go", "Go/no-go", Side.BOTH, -1, Anchor.EACH, ItemKind.GO_NO_GO),
        ItemTemplate("announcement", "Announcement", Side.MARKETING, 0, Anchor.EACH, ItemKind.ANNOUNCEMENT),
        *_AFTER,
    ),
    LaunchKind.QUIET: (
        ItemTemplate("docs", "Docs and release notes", Side.PRODUCT, -7),
        ItemTemplate("heads_up", "Support and sales told what changes", Side.MARKETING, -3),
        ItemTemplate("go_no_go", "Go/no-go", Side.BOTH, -1, Anchor.EACH, ItemKind.GO_NO_GO),
        ItemTemplate("release", "Release notes published", Side.PRODUCT, 0, Anchor.EACH, ItemKind.ANNOUNCEMENT),
        *_AFTER,
    ),
    LaunchKind.STAGGERED: (
        *_PREP,
        ItemTemplate("audience", "{phase}: audience and messaging refined", Side.MARKETING, -5, Anchor.EACH),
        ItemTemplate("go_no_go", "{phase}: go/no-go", Side.BOTH, -1, Anchor.EACH, ItemKind.GO_NO_GO),
        ItemTemplate("announcement", "{phase}: announcement", Side.MARKETING, 0, Anchor.EACH, ItemKind.ANNOUNCEMENT),
        *_AFTER,
    ),
}


@dataclass(frozen=True)
class PlannedItem:
    """A template item placed on a phase (by index), with its owner and due date."""

    key: str
    title: str
    side: Side
    kind: ItemKind
    phase_index: int
    offset: int
    owner_id: str
    due_on: date


def default_owner(side: Side, product_lead: str, marketing_lead: str) -> str:
    """Who owns an item until someone reassigns it: the lead of its side (product for "both")."""
    return marketing_lead if side is Side.MARKETING else product_lead


def plan_items(data: LaunchInput) -> list[PlannedItem]:
    """The checklist a new launch starts with, in due-date order (stable within a day)."""
    last = len(data.phases) - 1
    staggered = data.kind is LaunchKind.STAGGERED
    planned: list[PlannedItem] = []
    for template in TEMPLATES[data.kind]:
        if template.anchor is Anchor.EACH:
            indexes = list(range(len(data.phases)))
        else:
            indexes = [0 if template.anchor is Anchor.FIRST else last]
        for index in indexes:
            phase = data.phases[index]
            title = template.title.replace("{phase}", phase.name) if staggered else template.title
            planned.append(
                PlannedItem(
                    key=template.key,
                    title=title[:ITEM_TITLE_MAX],
                    side=template.side,
                    kind=template.kind,
                    phase_index=index,
                    offset=template.offset,
                    owner_id=default_owner(template.side, data.product_lead, data.marketing_lead),
                    due_on=due_date(phase.launch_on, template.offset),
                )
            )
    planned.sort(key=lambda item: (item.due_on, item.phase_index))
    return planned


# --- the plan's date arithmetic -------------------------------------------------------------------


def due_date(phase_on: date, offset: int) -> date:
    return date.fromordinal(phase_on.toordinal() + offset)


def t_label(offset: int) -> str:
    """``T-21``, ``T+0``, ``T+14``: how the plan names a day relative to its phase."""
    return f"T{offset:+d}" if offset else "T+0"


def shift_phases(dates: Sequence[date], index: int, new_date: date) -> list[date]:
    """The phases' dates after moving phase ``index`` to ``new_date``: the phases after it move
    by the same number of days (their spacing is kept); the ones before stay. Raises
    ``LaunchError`` when the move would put the phase on or before the one before it."""
    delta = new_date.toordinal() - dates[index].toordinal()
    moved = [d if i < index else date.fromordinal(d.toordinal() + delta) for i, d in enumerate(dates)]
    if index > 0 and moved[index] <= moved[index - 1]:
        raise LaunchError(
            f"That puts this phase on or before the one before it ({moved[index - 1].isoformat()}): pick a later date.",
            block_id=Block.LAUNCH_DATE,
        )
    return moved


# --- view-models ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemView:
    id: int
    title: str
    side: Side
    kind: ItemKind
    owner_id: str
    phase_id: int
    offset: int
    due_on: date
    status: ItemStatus
    blocked_reason: str = ""
    done_at: datetime | None = None
    was_late: bool = False

    @property
    def is_open(self) -> bool:
        return self.status in (ItemStatus.OPEN, ItemStatus.BLOCKED)

    def overdue(self, today: date) -> bool:
        return self.is_open and self.due_on < today


@dataclass(frozen=True)
class PhaseView:
    id: int
    position: int
    name: str
    audience: str
    launch_on: date
    decision: Decision | None = None
    decision_reason: str = ""
    decided_by: str | None = None
    shipped: bool = False


@dataclass(frozen=True)
class Readiness:
    """One side's checklist today: done, still due (on time), overdue."""

    side: Side
    done: int
    due: int
    overdue: int

    @property
    def total(self) -> int:
        return self.done + self.due + self.overdue


@dataclass(frozen=True)
class LaunchView:
    """A launch as every surface shows it (channel message, list, Home, digest, retro)."""

    id: int
    name: str
    what: str
    kind: LaunchKind
    status: LaunchStatus
    channel_id: str
    product_lead: str
    marketing_lead: str
    timezone: str
    phases: tuple[PhaseView, ...]
    items: tuple[ItemView, ...]  # every item, dropped ones included, in due-date order
    goals: tuple[GoalView, ...] = field(default_factory=tuple)
    message_ts: str | None = None
    cancelled_by: str | None = None

    @property
    def launch_on(self) -> date:
        return self.phases[0].launch_on

    @property
    def last_on(self) -> date:
        return self.phases[-1].launch_on

    @property
    def leads(self) -> tuple[str, str]:
        return (self.product_lead, self.marketing_lead)

    def readiness(self, side: Side, today: date) -> Readiness:
        """``Side.PRODUCT``/``MARKETING`` count their own items and the shared ("both") ones."""
        mine = [i for i in self.items if i.status is not ItemStatus.DROPPED and i.side in (side, Side.BOTH)]
        done = sum(1 for i in mine if i.status is ItemStatus.DONE)
        overdue = sum(1 for i in mine if i.overdue(today))
        return Readiness(side, done, len(mine) - done - overdue, overdue)

    def next_due(self, today: date, limit: int = 5) -> list[ItemView]:
        """Open items by due date, overdue first (they come first by date anyway)."""
        return [i for i in self.items if i.is_open][:limit]

    def overdue_items(self, today: date) -> list[ItemView]:
        return [i for i in self.items if i.overdue(today)]

    def phase(self, phase_id: int) -> PhaseView | None:
        return next((p for p in self.phases if p.id == phase_id), None)
