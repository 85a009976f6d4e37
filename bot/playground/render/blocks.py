"""Layout blocks (section, context, actions, header, divider, image, rich text, file, input) as HTML."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from bot.playground.render.context import Obj, RenderContext
from bot.playground.render.elements import _element, _img, _Scope
from bot.playground.render.mrkdwn import render_text
from bot.playground.render.rich_text import _RICH_BLOCKS
from bot.playground.render.safety import _attrs, _esc, _unsupported


@dataclass(frozen=True)
class _BlockScope:
    ctx: RenderContext
    index: int
    errors: Mapping[str, str]

    def element_scope(self, block: Obj) -> _Scope:
        return _Scope(self.ctx, str(block.get("block_id") or ""))


def _wrap(block: Obj, scope: _BlockScope, kind: str, inner: str, *, tag: str = "div") -> str:
    attrs = _attrs([
        ("class", f"bk-block bk-{kind}"),
        ("data-block-id", str(block.get("block_id") or "")),
        ("data-block-index", scope.index),
    ])  # fmt: skip
    return f"<{tag}{attrs}>{inner}</{tag}>"


def _section(block: Obj, scope: _BlockScope) -> str:
    parts = []
    if block.get("text"):
        parts.append(f'<div class="bk-section-text">{render_text(block.get("text"), scope.ctx)}</div>')
    if block.get("fields"):
        fields = "".join(f'<div class="bk-field">{render_text(f, scope.ctx)}</div>' for f in block["fields"])
        parts.append(f'<div class="bk-fields">{fields}</div>')
    body = f'<div class="bk-section-body">{"".join(parts)}</div>'
    accessory = block.get("accessory")
    if isinstance(accessory, Mapping):
        body += f'<div class="bk-accessory">{_element(accessory, scope.element_scope(block))}</div>'
    return _wrap(block, scope, "section", body)


def _context_element(element: Obj, scope: _BlockScope) -> str:
    if element.get("type") == "image":
        return _img(element, scope.ctx, "bk-context-image")
    if element.get("type") in ("mrkdwn", "plain_text"):
        return f'<span class="bk-context-text">{render_text(element, scope.ctx)}</span>'
    return _unsupported("element", element.get("type") or "?")


def _context(block: Obj, scope: _BlockScope) -> str:
    return _wrap(block, scope, "context", "".join(_context_element(e, scope) for e in block.get("elements") or []))


def _actions(block: Obj, scope: _BlockScope) -> str:
    element_scope = scope.element_scope(block)
    inner = "".join(_element(e, element_scope) for e in block.get("elements") or [])
    return _wrap(block, scope, "actions", inner)


def _header(block: Obj, scope: _BlockScope) -> str:
    inner = f'<h3 class="bk-header-text">{render_text(block.get("text"), scope.ctx)}</h3>'
    return _wrap(block, scope, "header", inner)


def _divider(block: Obj, scope: _BlockScope) -> str:
    return _wrap(block, scope, "divider", '<hr class="bk-divider-line">')


def _image_block(block: Obj, scope: _BlockScope) -> str:
    title = render_text(block.get("title"), scope.ctx)
    caption = f'<figcaption class="bk-image-title">{title}</figcaption>' if title else ""
    return _wrap(block, scope, "image", caption + _img(block, scope.ctx, "bk-image-img"), tag="figure")


def _rich_text(block: Obj, scope: _BlockScope) -> str:
    parts = []
    for element in block.get("elements") or []:
        renderer = _RICH_BLOCKS.get(str(element.get("type") or ""))
        parts.append(renderer(element, scope.ctx) if renderer else _unsupported("rich text", element.get("type")))
    return _wrap(block, scope, "rich-text", "".join(parts))


def _file(block: Obj, scope: _BlockScope) -> str:
    name = str(block.get("external_id") or block.get("file_id") or "file")
    return _wrap(block, scope, "file", _file_card(name))


def _file_card(name: str) -> str:
    icon = '<span class="bk-file-icon" aria-hidden="true">\U0001f4c4</span>'
    return f'{icon} <span class="bk-file-name">{_esc(name)}</span>'


def _input(block: Obj, scope: _BlockScope) -> str:
    block_id = str(block.get("block_id") or "")
    element = block.get("element")
    element = element if isinstance(element, Mapping) else {}
    optional = ' <span class="bk-input-optional">(optional)</span>' if block.get("optional") else ""
    label = f'<label class="bk-input-label">{render_text(block.get("label"), scope.ctx)}{optional}</label>'
    control = _element(element, _Scope(scope.ctx, block_id))
    hint = render_text(block.get("hint"), scope.ctx)
    hint_html = f'<div class="bk-input-hint">{hint}</div>' if hint else ""
    error = scope.errors.get(block_id)
    error_html = f'<div class="bk-input-error" role="alert">{_esc(error)}</div>' if error else ""
    attrs = _attrs([
        ("class", "bk-block bk-input" + (" bk-input--error" if error else "")),
        ("data-block-id", block_id),
        ("data-block-index", scope.index),
        ("data-optional", 1 if block.get("optional") else None),
        ("data-dispatch", 1 if block.get("dispatch_action") else None),
    ])  # fmt: skip
    return f'<div{attrs}>{label}<div class="bk-input-control">{control}</div>{hint_html}{error_html}</div>'


_BLOCKS: Mapping[str, Callable[[Obj, _BlockScope], str]] = {
    "section": _section,
    "context": _context,
    "actions": _actions,
    "header": _header,
    "divider": _divider,
    "image": _image_block,
    "rich_text": _rich_text,
    "file": _file,
    "input": _input,
}


def _blocks(blocks: Sequence[Obj], ctx: RenderContext, errors: Mapping[str, str] | None = None) -> str:
    out: list[str] = []
    for index, block in enumerate(blocks):
        scope = _BlockScope(ctx, index, errors or {})
        kind = str(block.get("type") or "")
        renderer = _BLOCKS.get(kind)
        if renderer is None:
            out.append(_wrap(block, scope, "unknown", _unsupported("block", kind or "?")))
        else:
            out.append(renderer(block, scope))
    return "".join(out)


def render_blocks(blocks: Sequence[Obj], ctx: RenderContext) -> str:
    """A list of blocks (a message's or a home tab's) as HTML."""
    return f'<div class="bk-blocks">{_blocks(blocks, ctx)}</div>'
