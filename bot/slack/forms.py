"""Readers of a submitted modal's state (``view["state"]["values"]``): one set for every package.

The state is ``{block_id: {action_id: element_state}}``. Each reader takes the state, a block id
and optionally the action id; without one it reads the block's single element (our inputs hold
one element each, so the action id is usually noise). A missing block or element reads as empty:
Slack leaves optional inputs out, and a modal from an older deploy may lack a newer field.

Readers that parse (``date_value``, ``time_value``, ``number``) raise ``UserError`` carrying the
block id, so the listener answers it next to the field (``bot.slack.answers``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any

from bot.slack.errors import UserError
from bot.slack.text import clean_text

State = Mapping[str, Any]


def state_of(view: Mapping[str, Any]) -> State:
    """``view["state"]["values"]``, or ``{}`` when the view has none."""
    state = view.get("state")
    values = state.get("values") if isinstance(state, Mapping) else None
    return values if isinstance(values, Mapping) else {}


def element(state: State, block_id: str, action_id: str | None = None) -> Mapping[str, Any]:
    """The state of one element: ``state[block_id][action_id]``, or the block's only element."""
    block = state.get(block_id)
    if not isinstance(block, Mapping):
        return {}
    if action_id is None:
        if len(block) != 1:
            return {}
        found = next(iter(block.values()))
    else:
        found = block.get(action_id)
    return found if isinstance(found, Mapping) else {}


def text(state: State, block_id: str, action_id: str | None = None) -> str:
    """Typed text as we store it: control characters dropped, ends stripped (``clean_text``)."""
    value = element(state, block_id, action_id).get("value")
    return clean_text(value if isinstance(value, str) else "")


def _option_value(option: Any) -> str | None:
    if isinstance(option, Mapping) and isinstance(option.get("value"), str):
        return str(option["value"])
    return None


def selected(state: State, block_id: str, action_id: str | None = None) -> str | None:
    """The value of the chosen option (static select, radio buttons), or None."""
    return _option_value(element(state, block_id, action_id).get("selected_option"))


def selected_values(state: State, block_id: str, action_id: str | None = None) -> list[str]:
    """The values of the chosen options (multi-select, checkboxes), in Slack's order."""
    options = element(state, block_id, action_id).get("selected_options")
    if not isinstance(options, list):
        return []
    return [v for v in (_option_value(o) for o in options) if v is not None]


def _string(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str) and v] if isinstance(value, list) else []


def user(state: State, block_id: str, action_id: str | None = None) -> str | None:
    """The user id picked in a ``users_select``."""
    return _string(element(state, block_id, action_id).get("selected_user"))


def users(state: State, block_id: str, action_id: str | None = None) -> list[str]:
    """The user ids picked in a ``multi_users_select``."""
    return _strings(element(state, block_id, action_id).get("selected_users"))


def conversation(state: State, block_id: str, action_id: str | None = None) -> str | None:
    """The channel id picked in a ``conversations_select`` (or a ``channels_select``)."""
    found = element(state, block_id, action_id)
    return _string(found.get("selected_conversation")) or _string(found.get("selected_channel"))


def conversations(state: State, block_id: str, action_id: str | None = None) -> list[str]:
    """The channel ids picked in a ``multi_conversations_select`` (or ``multi_channels_select``)."""
    found = element(state, block_id, action_id)
    return _strings(found.get("selected_conversations")) or _strings(found.get("selected_channels"))


def date_value(
    state: State, block_id: str, action_id: str | None = None, *, message: str = "That date doesn't look right."
) -> date | None:
    """The date of a ``datepicker``; None when empty; ``UserError`` on the field if unreadable."""
    raw = element(state, block_id, action_id).get("selected_date")
    if not raw:
        return None
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise UserError(message, block_id=block_id) from None


def time_value(
    state: State, block_id: str, action_id: str | None = None, *, message: str = "That time doesn't look right."
) -> time | None:
    """The time of a ``timepicker`` (``HH:MM``); None when empty; ``UserError`` if unreadable."""
    raw = element(state, block_id, action_id).get("selected_time")
    if not raw:
        return None
    try:
        return time.fromisoformat(str(raw))
    except ValueError:
        raise UserError(message, block_id=block_id) from None


def number(
    state: State,
    block_id: str,
    action_id: str | None = None,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    message: str | None = None,
) -> int | None:
    """A whole number typed in a plain text (or ``number_input``) field; None when empty.

    ``UserError`` on the field when it is not a whole number or out of ``[minimum, maximum]``.
    """
    raw = text(state, block_id, action_id)
    if not raw:
        return None
    if message is None:
        bounds = f", {minimum} to {maximum}" if minimum is not None and maximum is not None else ""
        message = f"Use a whole number{bounds}."
    try:
        value = int(raw)
    except ValueError:
        raise UserError(message, block_id=block_id) from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise UserError(message, block_id=block_id)
    return value
