"""A message as Slack shows it: blocks or text, then legacy attachments and shared files."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.playground.render.blocks import _blocks, _file_card, render_blocks
from bot.playground.render.context import Obj, RenderContext
from bot.playground.render.elements import _img
from bot.playground.render.mrkdwn import render_mrkdwn, render_plain
from bot.playground.render.safety import _attrs, _esc, _file_url, _link

_HEX_COLOR = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
_NAMED_COLORS = {"good": "#2eb886", "warning": "#daa038", "danger": "#a30200"}


def _attachment_color(value: object) -> str | None:
    text = str(value or "")
    if text in _NAMED_COLORS:
        return _NAMED_COLORS[text]
    match = _HEX_COLOR.match(text)
    return f"#{match.group(1)}" if match else None


def _attachment_text(attachment: Obj, key: str, text: object, ctx: RenderContext) -> str:
    """An attachment's text: mrkdwn, unless ``mrkdwn_in`` is given and leaves this field out."""
    formatted = attachment.get("mrkdwn_in")
    if isinstance(formatted, list) and key not in formatted:
        return render_plain(str(text or ""), ctx)
    return render_mrkdwn(str(text or ""), ctx)


def _attachment_fields(attachment: Obj, ctx: RenderContext) -> str:
    fields = []
    for item in attachment.get("fields") or []:
        cls = "bk-attachment-field" + (" bk-attachment-field--short" if item.get("short") else "")
        title = f'<div class="bk-attachment-field-title">{_esc(item.get("title") or "")}</div>'
        fields.append(
            f'<div class="{cls}">{title}{_attachment_text(attachment, "fields", item.get("value"), ctx)}</div>'
        )
    return f'<div class="bk-attachment-fields">{"".join(fields)}</div>' if fields else ""


def _attachment(attachment: Obj, ctx: RenderContext) -> str:
    parts: list[str] = []
    if attachment.get("pretext"):
        pretext = _attachment_text(attachment, "pretext", attachment["pretext"], ctx)
        parts.append(f'<div class="bk-attachment-pretext">{pretext}</div>')
    if attachment.get("author_name"):
        parts.append(f'<div class="bk-attachment-author">{_esc(attachment["author_name"])}</div>')
    if attachment.get("title"):
        title = _link(attachment.get("title_link"), _esc(attachment["title"]))
        parts.append(f'<div class="bk-attachment-title">{title}</div>')
    if attachment.get("text"):
        parts.append(
            f'<div class="bk-attachment-text">{_attachment_text(attachment, "text", attachment["text"], ctx)}</div>'
        )
    parts.append(_attachment_fields(attachment, ctx))
    if attachment.get("blocks"):
        parts.append(_blocks(attachment["blocks"], ctx))
    if attachment.get("image_url"):
        image = {"image_url": attachment["image_url"], "alt_text": attachment.get("fallback") or ""}
        parts.append(_img(image, ctx, "bk-attachment-image"))
    if attachment.get("footer"):
        parts.append(f'<div class="bk-attachment-footer">{render_mrkdwn(str(attachment["footer"]), ctx)}</div>')
    if not any(parts) and attachment.get("fallback"):
        parts.append(_esc(attachment["fallback"]))
    color = _attachment_color(attachment.get("color"))
    style = _attrs([("style", f"border-left-color: {color}" if color else None)])
    return f'<div class="bk-attachment"{style}>{"".join(parts)}</div>'


def _message_file(file: Obj, ctx: RenderContext) -> str:
    file_id = str(file.get("id") or "")
    title = str(file.get("title") or file.get("name") or file_id or "file")
    url = _file_url(file_id, ctx)
    mimetype = str(file.get("mimetype") or "")
    if url and (not mimetype or mimetype.startswith("image/")):
        image = f"<img{_attrs([('class', 'bk-file-image'), ('src', url), ('alt', title), ('loading', 'lazy')])}>"
        return (f'<figure class="bk-file bk-file--image"{_attrs([("data-file-id", file_id)])}>'
                f'<figcaption class="bk-file-name">{_esc(title)}</figcaption>{image}</figure>')  # fmt: skip
    return f'<div class="bk-file"{_attrs([("data-file-id", file_id)])}>{_file_card(title)}</div>'


def render_message(message: Obj, ctx: RenderContext) -> str:
    """A message as Slack shows it: its blocks if it has any, else its text (mrkdwn unless
    ``"mrkdwn": false``); then legacy attachments and shared files."""
    parts: list[str] = []
    if message.get("blocks"):
        parts.append(render_blocks(message["blocks"], ctx))
    elif message.get("text"):
        text = str(message["text"])
        shown = render_plain(text, ctx) if message.get("mrkdwn") is False else render_mrkdwn(text, ctx)
        parts.append(f'<div class="bk-message-text">{shown}</div>')
    attachments = [a for a in message.get("attachments") or [] if isinstance(a, Mapping)]
    if attachments:
        parts.append(f'<div class="bk-attachments">{"".join(_attachment(a, ctx) for a in attachments)}</div>')
    files = [f for f in message.get("files") or [] if isinstance(f, Mapping)]
    if files:
        parts.append(f'<div class="bk-files">{"".join(_message_file(f, ctx) for f in files)}</div>')
    return f'<div class="bk-message">{"".join(parts)}</div>'
