"""Views: a modal (title, blocks with inputs, close and submit) or a home tab."""

from __future__ import annotations

from collections.abc import Mapping

from bot.playground.render.blocks import _blocks
from bot.playground.render.context import Obj, RenderContext
from bot.playground.render.mrkdwn import render_plain, render_text
from bot.playground.render.safety import _attrs


def render_view(view: Obj, ctx: RenderContext, errors: Mapping[str, str] | None = None) -> str:
    """A modal (title, blocks with inputs, close and submit buttons) or a home tab (blocks only).

    ``errors`` maps input block ids to the message shown in red under that input (Slack's
    ``response_action: "errors"``)."""
    blocks = _blocks(view.get("blocks") or [], ctx, errors)
    kind = str(view.get("type") or "modal")
    ids = [
        ("data-view-type", kind),
        ("data-callback-id", view.get("callback_id") or None),
        ("data-external-id", view.get("external_id") or None),
    ]
    if kind == "home":
        return f'<div{_attrs([("class", "bk-view bk-home"), *ids])}><div class="bk-blocks">{blocks}</div></div>'
    title = render_text(view.get("title"), ctx)
    close_label = render_text(view.get("close"), ctx) or render_plain("Cancel", ctx)
    submit = view.get("submit")
    buttons = [f'<button type="button" class="bk-button bk-modal-close" data-role="close">{close_label}</button>']
    if submit:
        buttons.append(
            f'<button type="button" class="bk-button bk-button--primary bk-modal-submit" data-role="submit">'
            f"{render_text(submit, ctx)}</button>"
        )
    return (
        f"<div{_attrs([('class', 'bk-view bk-modal'), ('role', 'dialog'), ('aria-modal', 'true'), *ids])}>"
        f'<div class="bk-modal-header"><h2 class="bk-modal-title">{title}</h2>'
        '<button type="button" class="bk-modal-x" data-role="close" aria-label="Close">\u00d7</button></div>'
        f'<div class="bk-modal-body"><div class="bk-blocks">{blocks}</div></div>'
        f'<div class="bk-modal-footer">{"".join(buttons)}</div></div>'
    )
