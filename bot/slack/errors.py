"""The one user-facing error: a mistake the person can fix, told in one friendly line.

Every package's errors derive from ``UserError`` (in its ``data.py``), so listeners answer them
one way (``bot.slack.answers``): on a modal, next to the field named by ``block_id`` (or the
form's fallback field); on a command or a click, as one ephemeral line. Anything that is not a
``UserError`` is a bug and goes to ``@app.error`` in bot/app.py.
"""

from __future__ import annotations


class UserError(Exception):
    """A mistake the person can fix. ``str(error)`` is the whole message they see."""

    def __init__(self, message: str, *, block_id: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.block_id = block_id  # the modal field the message belongs to, when there is one

    def __str__(self) -> str:
        return self.message


class NotFound(UserError):
    """What they named does not exist (in their workspace): deleted, or a typo."""


class NotAllowed(UserError):
    """It exists, but this person may not do that (not the owner, not an admin)."""
