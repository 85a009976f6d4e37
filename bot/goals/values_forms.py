"""The values modal's state -> a ``SourceInput`` (pure): URL, JSON pointer, bearer token, "remove"."""

from __future__ import annotations

from bot.goals.data import SourceInput
from bot.goals.ids import Block
from bot.slack import forms
from bot.slack.forms import State


def parse_source(state: State) -> SourceInput:
    """``token``: None keeps the stored one (left blank), "" removes it (ticked), else the new one."""
    url = forms.text(state, Block.PULL_URL)
    pointer = forms.text(state, Block.PULL_POINTER)
    typed = forms.text(state, Block.PULL_TOKEN)
    remove = "remove" in forms.selected_values(state, Block.PULL_TOKEN_REMOVE)
    token: str | None = "" if remove else (typed or None)
    return SourceInput(url=url, pointer=pointer, token=token)


def goal_id_of(raw: object) -> int | None:
    """A goal id from a button value or private_metadata (None when it is not one)."""
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) <= 18 else None
