"""The one way a listener answers a ``UserError``.

- A modal submission: ``ack(response_action="errors", errors={block_id: message})`` on the
  error's field, else the form's fallback field, else its first input: the typed text stays and
  the person fixes it there.
- A command or a click: one ephemeral line through ``respond`` (the ``response_url``).

Listeners use the context managers, so a listener body reads as the happy path::

    with answering(respond) as answer:
        with services.db.unit_of_work() as session:
            line = service.pause_digest(session, ...)
    if answer.failed:
        return

``answering_submission(ack, view, fallback_block=...)`` is the same for a modal submission; on
success the listener still acks itself (to close, update or push the modal). Only ``UserError``
is answered here; anything else propagates to ``@app.error`` (bot/app.py), which logs it and
tells the person something went wrong on our side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bot.slack.errors import UserError

Ack = Callable[..., Any]
Respond = Callable[..., Any]


@dataclass
class Answer:
    """What happened inside an ``answering`` block: ``error`` is the UserError answered, if any."""

    error: UserError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def first_input_block(view: Mapping[str, Any]) -> str | None:
    """The block id of the modal's first input block, or None when it has none."""
    for block in view.get("blocks") or []:
        if isinstance(block, Mapping) and block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None


def errors_on_inputs(errors: Mapping[str, str], view: Mapping[str, Any], fallback_block: str) -> dict[str, str]:
    """Field errors kept on the modal's own input blocks (Slack refuses others); the first stray
    one goes on the first input (or ``fallback_block`` when the view has none)."""
    present = {b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"}
    kept = {block: message for block, message in errors.items() if block in present}
    stray = [message for block, message in errors.items() if block not in present]
    if stray:
        kept.setdefault(first_input_block(view) or fallback_block, stray[0])
    return kept


def modal_errors(error: UserError, view: Mapping[str, Any], fallback_block: str | None = None) -> dict[str, str]:
    """``{block_id: message}`` for ``response_action="errors"``: the error's field, the fallback,
    or the first input (Slack rejects errors on a block id the view does not have)."""
    present = {str(b.get("block_id")) for b in view.get("blocks") or [] if isinstance(b, Mapping)}
    for candidate in (error.block_id, fallback_block):
        if candidate and (not present or candidate in present):
            return {candidate: str(error)}
    block = first_input_block(view) or error.block_id or fallback_block or "input"
    return {block: str(error)}


def answer_submission(ack: Ack, error: UserError, view: Mapping[str, Any], fallback_block: str | None = None) -> None:
    """Acknowledge a modal submission with ``error`` shown on its field."""
    ack(response_action="errors", errors=modal_errors(error, view, fallback_block))


def answer_ephemeral(respond: Respond, error: UserError) -> None:
    """Tell the person who sent the command or clicked, only them, in one line."""
    respond(response_type="ephemeral", text=str(error))


@contextmanager
def answering(respond: Respond) -> Iterator[Answer]:
    """Answer a ``UserError`` raised inside the block with an ephemeral line (commands, clicks)."""
    answer = Answer()
    try:
        yield answer
    except UserError as error:
        answer.error = error
        answer_ephemeral(respond, error)


@contextmanager
def answering_submission(ack: Ack, view: Mapping[str, Any], *, fallback_block: str | None = None) -> Iterator[Answer]:
    """Answer a ``UserError`` raised inside the block on the modal (``response_action: errors``)."""
    answer = Answer()
    try:
        yield answer
    except UserError as error:
        answer.error = error
        answer_submission(ack, error, view, fallback_block)
