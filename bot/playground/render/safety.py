"""Escaping, HTML attributes and the URL rules: what may become a link or an image."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from bot.playground.render.context import RenderContext


def _esc(value: object) -> str:
    # Private-use characters of the plane the mrkdwn renderer uses for its placeholders are
    # dropped from every string, names from the workspace included, so none can be forged.
    return html.escape(_SLOT_CHARS.sub("\ufffd", str(value)), quote=True)


def _esc_keeping_slots(text: str) -> str:
    """Escape text in which the mrkdwn renderer's own placeholders must survive."""
    return html.escape(text, quote=True)


_SLOT_CHARS = re.compile("[\U000f0000-\U000ffffd]")


def _attrs(pairs: Iterable[tuple[str, object | None]]) -> str:
    """`` name="value"`` pairs, values escaped; ``None`` leaves the attribute out, ``True`` is bare."""
    out: list[str] = []
    for name, value in pairs:
        if value is None or value is False:
            continue
        out.append(f" {name}" if value is True else f' {name}="{_esc(value)}"')
    return "".join(out)


_SAFE_SCHEMES = ("http", "https", "mailto")
# Anything a browser might strip or fold before reading the scheme: controls, whitespace, and the
# invisible format characters.
_URL_FORBIDDEN = re.compile(r"[\x00-\x20\x7f-\x9f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff\s]")


def safe_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) or mailto URL with nothing a browser would reinterpret,
    else ``None``. Relative URLs, ``javascript:`` in any case or split by tabs, ``data:`` and the
    like are all refused."""
    if not url or _URL_FORBIDDEN.search(url):
        return None
    scheme, sep, _ = url.partition(":")
    if not sep or scheme.lower() not in _SAFE_SCHEMES:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() != scheme.lower():
        return None
    if scheme.lower() in ("http", "https") and not parts.netloc:
        return None
    if scheme.lower() == "mailto" and not parts.path:
        return None
    return url


def _link(url: str | None, label_html: str, *, cls: str = "bk-link") -> str:
    """An anchor to ``url`` around already-safe ``label_html``, or the label alone if the URL is unsafe."""
    safe = safe_url(url)
    if safe is None:
        return label_html
    return f'<a class="{cls}" href="{_esc(safe)}" target="_blank" rel="noopener noreferrer">{label_html}</a>'


def _file_url(file_id: object, ctx: RenderContext) -> str | None:
    """Where the page serves an uploaded file: a path on the page's own server, or http(s)."""
    url = ctx.files.get(str(file_id or ""))
    # "//host" and "/\\host" are other hosts to a browser, not paths on this one.
    if url and url.startswith("/") and url[1:2] not in ("/", "\\") and not _URL_FORBIDDEN.search(url):
        return url
    return _http_only(url)


def _http_only(url: object) -> str | None:
    safe = safe_url(url if isinstance(url, str) else None)
    return safe if safe and not safe.lower().startswith("mailto:") else None


def _unsupported(kind: str, what: object) -> str:
    return f'<span class="bk-unsupported">[unsupported {kind}: {_esc(what)}]</span>'
