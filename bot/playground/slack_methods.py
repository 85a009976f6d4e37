"""Every Web API method the emulator implements, family by family: the table it is built with.

A new method goes in its family's table (``slack_methods_<family>.py``); a new family is listed here.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.playground.slack_emulator_state import Method
from bot.playground.slack_methods_auth import AUTH_METHODS
from bot.playground.slack_methods_chat import CHAT_METHODS
from bot.playground.slack_methods_conversations import CONVERSATION_METHODS
from bot.playground.slack_methods_files import FILE_METHODS
from bot.playground.slack_methods_users import USER_METHODS
from bot.playground.slack_methods_views import VIEW_METHODS

FAMILIES: tuple[Mapping[str, Method], ...] = (
    AUTH_METHODS,
    USER_METHODS,
    CONVERSATION_METHODS,
    CHAT_METHODS,
    VIEW_METHODS,
    FILE_METHODS,
)


def all_methods(families: tuple[Mapping[str, Method], ...] = FAMILIES) -> dict[str, Method]:
    """One table from the families; a method named by two families is a mistake, not an override."""
    table: dict[str, Method] = {}
    for family in families:
        for name, implementation in family.items():
            if name in table:
                raise ValueError(f"{name} is implemented by two method families")
            table[name] = implementation
    return table


METHODS: Mapping[str, Method] = all_methods()
