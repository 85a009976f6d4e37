"""The checklist's contract: an item as typed in "Add item", what a change was (for the DMs
updated in place), which phase a new item hangs on, and the checklist's errors. Pure data.

Who may change an item: its owner, the launch's two leads, whoever created the launch, and
workspace admins. A cancelled launch takes no changes; an id from another workspace is "not
found" like any missing one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.launches.data import ITEM_TITLE_MAX, MAX_ITEMS, MAX_OFFSET, REASON_MAX, Errors, LaunchError
from bot.launches.ids import Block, Side
from bot.slack import errors


class NotAllowedOnItem(LaunchError, errors.NotAllowed):
    def __init__(self) -> None:
        super().__init__(
            "Only the item's owner, the launch's two leads, whoever created the launch or a workspace admin "
            "can change this item."
        )


class ItemDropped(LaunchError):
    def __init__(self) -> None:
        super().__init__("That item was dropped from the plan: add it again from the checklist if it is needed.")


class ItemDone(LaunchError):
    def __init__(self) -> None:
        super().__init__("That item is already done.")


class NoticeKind(StrEnum):
    """The checklist's DMs (``LaunchNotice`` keys start with it)."""

    DUE = "due"  # to the item's owner on its due day
    OVERDUE = "overdue"  # to each lead once it is overdue by a whole working day


class ChangeKind(StrEnum):
    """What happened to an item: how its DMs and the checklist say it."""

    DONE = "done"
    NEW_DATE = "new_date"
    BLOCKED = "blocked"
    REASSIGNED = "reassigned"
    DROPPED = "dropped"
    ADDED = "added"


@dataclass(frozen=True)
class ItemChange:
    """One change to an item, by whom: the services return it, the DMs show it."""

    kind: ChangeKind
    by: str
    item_id: int
    launch_id: int
    changed: bool = True  # False: nothing to do (Done clicked twice, the same date picked again)


@dataclass(frozen=True)
class NewItem:
    """What the "Add item" modal holds once read (``checklist_forms.parse_new_item``)."""

    title: str
    side: Side
    owner_id: str
    due_on: date


def date_problem(due_on: date, *, today: date, phase_on: date) -> str:
    """Why ``due_on`` cannot be an item's due date (empty: it can)."""
    if due_on < today:
        return f"{due_on.isoformat()} has passed: pick a date from today on."
    if abs((due_on - phase_on).days) > MAX_OFFSET:
        return "That is more than a year from the launch date: is it a typo?"
    return ""


def new_item_problems(item: NewItem, *, today: date, phase_on: date, items_now: int) -> Errors:
    """Everything wrong with an item as typed, by block (empty: it can be added)."""
    found: Errors = {}
    if not item.title.strip():
        found[Block.ITEM_TITLE] = "Say what needs doing."
    elif len(item.title) > ITEM_TITLE_MAX:
        found[Block.ITEM_TITLE] = f"Keep it under {ITEM_TITLE_MAX} characters."
    elif items_now >= MAX_ITEMS:
        found[Block.ITEM_TITLE] = f"A launch has at most {MAX_ITEMS} checklist items: drop one first."
    if not item.owner_id:
        found[Block.ITEM_OWNER] = "Pick who owns it."
    problem = date_problem(item.due_on, today=today, phase_on=phase_on)
    if problem:
        found[Block.ITEM_DUE_ON] = problem
    return found


def reason_problem(reason: str) -> str:
    if not reason.strip():
        return "Say what it is blocked on, so the leads can help."
    if len(reason) > REASON_MAX:
        return f"Keep it under {REASON_MAX} characters."
    return ""


def phase_index_for(phase_dates: Sequence[date], due_on: date) -> int:
    """The phase a new item hangs on: the one whose date is the nearest on or before ``due_on``
    (a prep item before the launch date hangs on the first)."""
    index = 0
    for position, phase_on in enumerate(phase_dates):
        if phase_on <= due_on:
            index = position
    return index
