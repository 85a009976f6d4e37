"""The checklist's modal state -> data, and the typed ``private_metadata`` its modals carry.

Ids read here (a button's value, the metadata) travel through the person's client: they are
input, looked up again by the services within the request's workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.launches.checklist_data import NewItem, reason_problem
from bot.launches.data import Errors
from bot.launches.ids import Action, Block, Side
from bot.slack import forms
from bot.slack.errors import UserError
from bot.slack.metadata import ViewMetadata
from bot.slack.text import clean_text


class MenuVerb(StrEnum):
    """The checklist modal's per-item overflow: ``"<verb>:<item id>"``."""

    DONE = "done"
    NEW_DATE = "date"
    BLOCKED = "blocked"
    REASSIGN = "reassign"
    DROP = "drop"


class ItemFormMetadata(ViewMetadata):
    """An item's small modal (new date, blocked, reassign, drop) or the "Add item" modal.

    ``root_view_id``: the checklist modal it was pushed from (updated in place after the change);
    ``home``: opened from the App Home (re-published after the change)."""

    item_id: int = 0
    launch_id: int = 0
    root_view_id: str = ""
    home: bool = False


class ChecklistMetadata(ViewMetadata):
    launch_id: int = 0


def parse_id(value: object) -> int | None:
    """A positive id from a button's value; None for anything else (a forged or garbled value)."""
    text = str(value or "").strip()
    if not text.isdigit() or len(text) > 12:
        return None
    number = int(text)
    return number if number > 0 else None


@dataclass(frozen=True)
class MenuChoice:
    verb: MenuVerb
    item_id: int


def menu_value(verb: MenuVerb, item_id: int) -> str:
    return f"{verb.value}:{item_id}"


def parse_menu(value: object) -> MenuChoice | None:
    verb, _, rest = str(value or "").partition(":")
    item_id = parse_id(rest)
    if item_id is None or verb not in {v.value for v in MenuVerb}:
        return None
    return MenuChoice(MenuVerb(verb), item_id)


def parse_due_on(state: forms.State) -> date:
    due_on = forms.date_value(state, Block.ITEM_DUE_ON, Action.INPUT)
    if due_on is None:
        raise UserError("Pick the new date.", block_id=Block.ITEM_DUE_ON)
    return due_on


def parse_reason(state: forms.State) -> str:
    reason = clean_text(forms.text(state, Block.ITEM_REASON, Action.INPUT))
    problem = reason_problem(reason)
    if problem:
        raise UserError(problem, block_id=Block.ITEM_REASON)
    return reason


def parse_owner(state: forms.State) -> str:
    owner = forms.user(state, Block.ITEM_OWNER, Action.INPUT)
    if not owner:
        raise UserError("Pick who owns it now.", block_id=Block.ITEM_OWNER)
    return owner


def parse_new_item(state: forms.State) -> tuple[NewItem | None, Errors]:
    """The "Add item" modal read: the item, or what to fix by block (the services check the rest)."""
    found: Errors = {}
    title = clean_text(forms.text(state, Block.ITEM_TITLE, Action.INPUT))
    side_value = forms.selected(state, Block.ITEM_SIDE, Action.INPUT) or ""
    owner = forms.user(state, Block.ITEM_OWNER, Action.INPUT) or ""
    try:
        due_on = forms.date_value(state, Block.ITEM_DUE_ON, Action.INPUT)
    except UserError as error:
        found[Block.ITEM_DUE_ON] = str(error)
        due_on = None
    if not title:
        found[Block.ITEM_TITLE] = "Say what needs doing."
    if side_value not in {s.value for s in Side}:
        found[Block.ITEM_SIDE] = "Pick the side that does it."
    if not owner:
        found[Block.ITEM_OWNER] = "Pick who owns it."
    if due_on is None and Block.ITEM_DUE_ON not in found:
        found[Block.ITEM_DUE_ON] = "Pick its due date."
    if found or due_on is None:
        return None, found
    return NewItem(title=title, side=Side(side_value), owner_id=owner, due_on=due_on), {}
