"""Small pure helpers for Block Kit dicts, so every view builder speaks the same dialect.

Builders return plain dicts (what the Web API takes); tests and the emulator validate them with
slack_sdk's Block Kit models and Slack's limits. Lengths are clipped here to Slack's limits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.slack.text import truncate

Block = dict[str, Any]

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
SECTION_TEXT_LIMIT = 3000
HEADER_TEXT_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
OPTION_TEXT_LIMIT = 75
OPTION_VALUE_LIMIT = 150
CONTEXT_ELEMENTS_LIMIT = 10
MODAL_TITLE_LIMIT = 24


def plain_text(text: str, limit: int = SECTION_TEXT_LIMIT) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit) or " ", "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_TEXT_LIMIT) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": truncate(text, limit) or " "}


def header(text: str) -> Block:
    return {"type": "header", "text": plain_text(text, HEADER_TEXT_LIMIT)}


def section(text: str, *, block_id: str | None = None, accessory: dict[str, Any] | None = None) -> Block:
    block: Block = {"type": "section", "text": mrkdwn(text)}
    if block_id:
        block["block_id"] = block_id
    if accessory:
        block["accessory"] = accessory
    return block


def fields_section(fields: list[str]) -> Block:
    return {"type": "section", "fields": [mrkdwn(f, 2000) for f in fields[:10]]}


def context(*texts: str) -> Block:
    return {"type": "context", "elements": [mrkdwn(t) for t in texts[:CONTEXT_ELEMENTS_LIMIT]]}


def divider() -> Block:
    return {"type": "divider"}


def button(
    text: str, action_id: str, value: str = "", *, style: str | None = None, url: str | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain_text(text, BUTTON_TEXT_LIMIT), "action_id": action_id}
    if value:
        element["value"] = value
    if style in ("primary", "danger"):
        element["style"] = style
    if url:
        element["url"] = url
    return element


def actions(*elements: dict[str, Any], block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id
    return block


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain_text(text, OPTION_TEXT_LIMIT), "value": value[:OPTION_VALUE_LIMIT]}


def input_block(
    label: str,
    element: dict[str, Any],
    *,
    block_id: str,
    optional: bool = False,
    hint: str | None = None,
    dispatch_action: bool = False,
) -> Block:
    block: Block = {"type": "input", "block_id": block_id, "label": plain_text(label, 2000), "element": element}
    if optional:
        block["optional"] = True
    if hint:
        block["hint"] = plain_text(hint, 2000)
    if dispatch_action:
        block["dispatch_action"] = True
    return block


def text_input(
    action_id: str,
    *,
    initial: str | None = None,
    multiline: bool = False,
    max_length: int | None = None,
    placeholder: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "plain_text_input", "action_id": action_id, "multiline": multiline}
    if initial:
        element["initial_value"] = initial
    if max_length:
        element["max_length"] = max_length
    if placeholder:
        element["placeholder"] = plain_text(placeholder, 150)
    return element


def modal(
    title: str,
    blocks: list[Block],
    *,
    callback_id: str,
    submit: str | None = "Save",
    close: str = "Cancel",
    private_metadata: str = "",
    notify_on_close: bool = False,
    external_id: str | None = None,
) -> dict[str, Any]:
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain_text(title, MODAL_TITLE_LIMIT),
        "close": plain_text(close, MODAL_TITLE_LIMIT),
        "blocks": blocks[:VIEW_BLOCK_LIMIT],
    }
    if submit:
        view["submit"] = plain_text(submit, MODAL_TITLE_LIMIT)
    if private_metadata:
        view["private_metadata"] = private_metadata
    if notify_on_close:
        view["notify_on_close"] = True
    if external_id:
        view["external_id"] = external_id
    return view


def cap_blocks(blocks: list[Block], limit: int, more: str) -> list[Block]:
    """Keep a list of blocks within ``limit``, ending with a context line saying what was left out.

    ``more`` is a format string with ``{n}``, e.g. "…and {n} more in the App Home".
    """
    if len(blocks) <= limit:
        return blocks
    kept = blocks[: limit - 1]
    return [*kept, context(more.format(n=len(blocks) - len(kept)))]


def capped_lines(title: str, lines: Sequence[str], *, total: int | None = None, more: str) -> str:
    """A section's mrkdwn: ``title`` then ``lines``, within Slack's 3,000 characters (with room for
    the ending). Lines that do not fit, and ``total`` beyond the lines given, end as ``more``, a
    format string with ``{n}`` in italics, e.g. "…and {n} more in Tandem's Home tab"."""
    total = len(lines) if total is None else total
    text = title
    shown = 0
    for line in lines:
        candidate = f"{text}\n{line}"
        if len(candidate) > SECTION_TEXT_LIMIT - 60:
            break
        text = candidate
        shown += 1
    if total > shown:
        text += "\n_" + more.format(n=total - shown) + "_"
    return text
