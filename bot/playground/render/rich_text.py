"""Rich text (``rich_text`` blocks): sections, lists, quotes, preformatted text and their inline
elements."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

from bot.playground.render.context import Obj, RenderContext
from bot.playground.render.dates import _date_html
from bot.playground.render.emoji import _emoji_html
from bot.playground.render.mrkdwn import _channel_label, _pill, _user_label, _usergroup_label
from bot.playground.render.safety import _attrs, _esc, _link, _unsupported


def _styled(inner: str, style: Obj | None) -> str:
    style = style or {}
    for key, tag in (("code", "code"), ("strike", "del"), ("italic", "em"), ("bold", "strong")):
        if style.get(key):
            inner = f'<code class="bk-code">{inner}</code>' if tag == "code" else f"<{tag}>{inner}</{tag}>"
    return inner


def _rt_text(element: Obj, ctx: RenderContext) -> str:
    return _styled(_esc(element.get("text") or "").replace("\n", "<br>"), element.get("style"))


def _rt_link(element: Obj, ctx: RenderContext) -> str:
    url = str(element.get("url") or "")
    label = _esc(element.get("text") or url)
    return _styled(_link(url, label), element.get("style"))


def _rt_user(element: Obj, ctx: RenderContext) -> str:
    return _pill("user", _user_label(str(element.get("user_id") or ""), None, ctx))


def _rt_channel(element: Obj, ctx: RenderContext) -> str:
    return _pill("channel", _channel_label(str(element.get("channel_id") or ""), None, ctx))


def _rt_usergroup(element: Obj, ctx: RenderContext) -> str:
    return _pill("usergroup", _usergroup_label(str(element.get("usergroup_id") or ""), None, ctx))


def _rt_broadcast(element: Obj, ctx: RenderContext) -> str:
    return _pill("broadcast", f"@{element.get('range') or 'here'}")


def _rt_emoji(element: Obj, ctx: RenderContext) -> str:
    name = str(element.get("name") or "")
    found = _emoji_html(name)
    if found:
        return found
    code = str(element.get("unicode") or "")
    if code and re.fullmatch(r"[0-9a-fA-F]{1,6}(?:-[0-9a-fA-F]{1,6})*", code):
        points = [int(part, 16) for part in code.split("-")]
        # Only real characters: no lone surrogates (unencodable), nothing past U+10FFFF.
        if all(p <= 0x10FFFF and not 0xD800 <= p <= 0xDFFF for p in points):
            char = "".join(chr(p) for p in points)
            return f'<span class="bk-emoji"{_attrs([("title", f":{name}:")])}>{_esc(char)}</span>'
    return _esc(f":{name}:")


def _rt_date(element: Obj, ctx: RenderContext) -> str:
    timestamp = element.get("timestamp")
    fallback = str(element.get("fallback") or "")
    if not isinstance(timestamp, int):
        return _esc(fallback)
    return _date_html(timestamp, str(element.get("format") or "{date_short} {time}"), element.get("url"), fallback, ctx)


def _rt_color(element: Obj, ctx: RenderContext) -> str:
    return _esc(element.get("value") or "")


_RICH_INLINE: Mapping[str, Callable[[Obj, RenderContext], str]] = {
    "text": _rt_text,
    "link": _rt_link,
    "user": _rt_user,
    "channel": _rt_channel,
    "usergroup": _rt_usergroup,
    "broadcast": _rt_broadcast,
    "emoji": _rt_emoji,
    "date": _rt_date,
    "color": _rt_color,
}


def _rt_inline(elements: Sequence[Obj], ctx: RenderContext) -> str:
    out = []
    for element in elements:
        renderer = _RICH_INLINE.get(str(element.get("type") or ""))
        out.append(renderer(element, ctx) if renderer else _unsupported("rich text element", element.get("type")))
    return "".join(out)


def _rt_section(element: Obj, ctx: RenderContext) -> str:
    return f'<div class="bk-rt-section">{_rt_inline(element.get("elements") or [], ctx)}</div>'


def _rt_list(element: Obj, ctx: RenderContext) -> str:
    tag = "ol" if element.get("style") == "ordered" else "ul"
    indent = _int(element.get("indent"))
    offset = _int(element.get("offset"))
    items = "".join(f"<li>{_rt_inline(item.get('elements') or [], ctx)}</li>" for item in element.get("elements") or [])
    attrs = _attrs([
        ("class", f"bk-rt-list bk-rt-list--{tag} bk-rt-indent-{max(0, min(indent, 8))}"),
        ("start", offset + 1 if tag == "ol" and offset else None),
        ("data-border", 1 if element.get("border") else None),
    ])  # fmt: skip
    return f"<{tag}{attrs}>{items}</{tag}>"


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _rt_quote(element: Obj, ctx: RenderContext) -> str:
    return f'<blockquote class="bk-quote">{_rt_inline(element.get("elements") or [], ctx)}</blockquote>'


def _rt_preformatted(element: Obj, ctx: RenderContext) -> str:
    return f'<pre class="bk-pre">{_rt_inline(element.get("elements") or [], ctx)}</pre>'


_RICH_BLOCKS: Mapping[str, Callable[[Obj, RenderContext], str]] = {
    "rich_text_section": _rt_section,
    "rich_text_list": _rt_list,
    "rich_text_quote": _rt_quote,
    "rich_text_preformatted": _rt_preformatted,
}
