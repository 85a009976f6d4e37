"""Slack mrkdwn and text objects: formatting, entities (links, mentions, ``<!…>`` commands) and
emoji as HTML; mrkdwn as plain words."""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

from bot.playground.render.context import Obj, RenderContext
from bot.playground.render.dates import _date_html, format_slack_date
from bot.playground.render.emoji import _SHORTCODE, EMOJI, _emoji_html
from bot.playground.render.safety import _SLOT_CHARS, _esc, _esc_keeping_slots, _link

# Rendered pieces (entities, code spans, emoji, links) are swapped for one private-use character
# each while the formatting markers are matched, then put back. Such characters are removed from
# the input first, so nobody can forge one.
_SLOT_BASE = 0xF0000
_ZWSP = "\u200b"  # bot.slack.text.plain puts one after a marker to defuse it, as Slack honours
_ENTITY = re.compile(r"<([^<>\n]*)>")
_CODE = re.compile(r"(?<!`)`(?![`\u200b])([^`\n]+?)`(?!\u200b)")
_PRE = re.compile(r"```(?!\u200b)(.*?)```", re.DOTALL)
_AUTOLINK = re.compile(
    r"\b(?:https?://|mailto:)[^\s<>\"\U000f0000-\U000ffffd]*[^\s<>\".,;:!?)\]'}\U000f0000-\U000ffffd]"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")
_QUOTE_LINE = re.compile(r"^(?:>|&gt;) ?")


@dataclass(frozen=True)
class _Marker:
    """A formatting marker: where it may open and close a span, and the tag it becomes."""

    tag: str
    opener: re.Pattern[str]
    closer: re.Pattern[str]


def _marker(marker: str, tag: str) -> _Marker:
    m = re.escape(marker)
    # Opening: not inside a word, not followed by a space (nor by the zero-width space that defuses
    # a marker). Closing: right after a non-space, not followed by a word character, the same
    # marker or the defusing zero-width space.
    return _Marker(tag, re.compile(rf"(?<![\w{m}]){m}(?![\s\u200b])"), re.compile(rf"(?<=\S){m}(?![\w{m}\u200b])"))


_MARKERS = (_marker("*", "strong"), _marker("_", "em"), _marker("~", "del"))


def _decode(text: str) -> str:
    """Slack's three escapes, decoded once (``&amp;lt;`` shows as ``&lt;``)."""
    return re.sub(r"&(amp|lt|gt);", lambda m: {"amp": "&", "lt": "<", "gt": ">"}[m.group(1)], text)


class _Slots:
    """Rendered HTML pieces standing in the text as one private-use character each."""

    def __init__(self) -> None:
        self.pieces: list[str] = []

    def add(self, piece: str) -> str:
        self.pieces.append(piece)
        return chr(_SLOT_BASE + len(self.pieces) - 1)

    def fill(self, text: str) -> str:
        # Pieces can hold slots themselves (code spans around mentions), so fill until none is left.
        while _SLOT_CHARS.search(text):
            text = _SLOT_CHARS.sub(lambda m: self.pieces[ord(m.group(0)) - _SLOT_BASE], text)
        return text


def _pill(kind: str, label: str) -> str:
    return f'<span class="bk-mention bk-mention--{kind}">{_esc(label)}</span>'


def _user_label(user_id: str, label: str | None, ctx: RenderContext) -> str:
    return "@" + (ctx.users.get(user_id) or (label or "").lstrip("@") or user_id)


def _channel_label(channel_id: str, label: str | None, ctx: RenderContext) -> str:
    return "#" + (ctx.channels.get(channel_id) or (label or "").lstrip("#") or channel_id)


def _usergroup_label(group_id: str, label: str | None, ctx: RenderContext) -> str:
    return "@" + (ctx.usergroups.get(group_id) or (label or "").lstrip("@") or group_id)


def _special(command: str, label: str | None, ctx: RenderContext) -> str:
    """``<!here>``, ``<!subteam^S1>``, ``<!date^…>`` and the other ``<!…>`` commands."""
    name, _, rest = command.partition("^")
    if name in ("here", "channel", "everyone"):
        return _pill("broadcast", f"@{name}")
    if name == "subteam" and rest:
        return _pill("usergroup", _usergroup_label(rest, label, ctx))
    if name == "date":
        epoch, _, tail = rest.partition("^")
        fmt, _, link = tail.partition("^")
        if epoch.lstrip("-").isdigit():
            return _date_html(int(epoch), _decode(fmt), _decode(link) or None, _decode(label or ""), ctx)
        return _esc(_decode(label or ""))
    return _esc(_decode(label)) if label else _esc(f"<!{command}>")


def _entity(body: str, ctx: RenderContext) -> str:
    """The HTML for one ``<…>`` entity (its body without the brackets)."""
    target, bar, label = body.partition("|")
    raw_label = label if bar else None
    if target.startswith("@"):
        return _pill("user", _user_label(target[1:], _decode(raw_label or ""), ctx))
    if target.startswith("#"):
        return _pill("channel", _channel_label(target[1:], _decode(raw_label or ""), ctx))
    if target.startswith("!"):
        return _special(target[1:], raw_label, ctx)
    url = _decode(target)
    if ":" not in url and raw_label is None:
        return _esc(f"<{_decode(body)}>")  # not a link at all (``<script>``): shown as written
    # An unsafe URL (javascript:, data:, relative…) keeps only its words: never clickable.
    return _link(url, _esc(_decode(raw_label) if raw_label else url))


def _format_markers(text: str, markers: Sequence[_Marker] = _MARKERS) -> str:
    """Bold, italic and strike over already-escaped text (slots stand for rendered pieces).

    The span that opens first wins; it closes at the first closing marker after at least one
    character. Where each marker may open and close is found once per call (a regex per
    candidate opener would be quadratic on hostile text), a marker never nests inside itself, so
    the recursion is at most three deep."""
    places = {m.tag: ([x.start() for x in m.opener.finditer(text)], [x.start() for x in m.closer.finditer(text)])
              for m in markers}  # fmt: skip
    out: list[str] = []
    position = 0
    while True:
        best: tuple[int, int, _Marker] | None = None
        for marker in markers:
            openers, closers = places[marker.tag]
            k = bisect_left(openers, position)
            # Only the first opener can match: a later one has no more closers after it.
            if k == len(openers):
                continue
            c = bisect_left(closers, openers[k] + 2)
            if c < len(closers) and (best is None or openers[k] < best[0]):
                best = (openers[k], closers[c], marker)
        if best is None:
            out.append(text[position:])
            return "".join(out)
        start, end, marker = best
        inner = _format_markers(text[start + 1 : end], [m for m in markers if m is not marker])
        out += [text[position:start], f"<{marker.tag}>{inner}</{marker.tag}>"]
        position = end + 1


def _inline(text: str, ctx: RenderContext, slots: _Slots, *, autolink: bool) -> str:
    """One line of mrkdwn (no pre blocks, no quote prefix) as HTML with slots still in it."""
    text = _ENTITY.sub(lambda m: slots.add(_entity(m.group(1), ctx)), text)
    text = _decode(text)
    text = _CODE.sub(lambda m: slots.add(f'<code class="bk-code">{_esc_keeping_slots(m.group(1))}</code>'), text)
    if autolink:
        text = _AUTOLINK.sub(lambda m: slots.add(_link(m.group(0), _esc(m.group(0)))), text)
        text = _EMAIL.sub(lambda m: slots.add(_link(f"mailto:{m.group(0)}", _esc(m.group(0)))), text)
    text = _SHORTCODE.sub(lambda m: slots.add(_emoji_html(m.group(1)) or _esc(m.group(0))), text)
    return _format_markers(_esc_keeping_slots(text))


def _lines(text: str, ctx: RenderContext, slots: _Slots, *, autolink: bool) -> str:
    """Plain lines and ``>`` quotes; consecutive quote lines form one quote."""
    out: list[str] = []
    quote: list[str] = []

    def flush() -> None:
        if quote:
            out.append('<blockquote class="bk-quote">' + "<br>".join(quote) + "</blockquote>")
            quote.clear()

    plain: list[str] = []
    for line in text.split("\n"):
        marker = _QUOTE_LINE.match(line)
        if marker:
            if plain:
                out.append("<br>".join(plain))
                plain = []
            quote.append(_inline(line[marker.end() :], ctx, slots, autolink=autolink))
        else:
            flush()
            plain.append(_inline(line, ctx, slots, autolink=autolink))
    flush()
    if plain:
        out.append("<br>".join(plain))
    return "".join(out)


def _pre(body: str, ctx: RenderContext, slots: _Slots) -> str:
    # Slack still shows entities (links, mentions) inside a code block, but no formatting.
    body = body.removeprefix("\n").removesuffix("\n")
    text = _ENTITY.sub(lambda m: slots.add(_entity(m.group(1), ctx)), body)
    return '<pre class="bk-pre">' + _esc_keeping_slots(_decode(text)) + "</pre>"


def _mrkdwn(text: str, ctx: RenderContext, *, autolink: bool) -> str:
    slots = _Slots()
    text = _SLOT_CHARS.sub("\ufffd", text.replace("\r\n", "\n"))
    out: list[str] = []
    position = 0
    for match in _PRE.finditer(text):
        before = text[position : match.start()].removesuffix("\n")
        if before:
            out.append(_lines(before, ctx, slots, autolink=autolink))
        out.append(_pre(match.group(1), ctx, slots))
        position = match.end()
    rest = text[position:]
    if position:
        rest = rest.removeprefix("\n")
    if rest or not out:
        out.append(_lines(rest, ctx, slots, autolink=autolink))
    return slots.fill("".join(out))


def render_mrkdwn(text: str, ctx: RenderContext, *, verbatim: bool = False) -> str:
    """Slack mrkdwn as safe HTML. ``verbatim`` turns off auto-linking of bare URLs (entities in
    ``<…>`` are still parsed, as Slack does)."""
    return f'<span class="bk-mrkdwn">{_mrkdwn(text, ctx, autolink=not verbatim)}</span>'


def render_plain(text: str, ctx: RenderContext, *, emoji: bool = True) -> str:
    """A plain_text string: shown as written (escaped), line breaks kept, shortcodes as emoji."""
    parts: list[str] = []
    position = 0
    for match in _SHORTCODE.finditer(text):
        shown = _emoji_html(match.group(1)) if emoji else None
        if shown is not None:
            parts += [_esc(text[position : match.start()]), shown]
            position = match.end()
    parts.append(_esc(text[position:]))
    return '<span class="bk-plain">' + "".join(parts).replace("\n", "<br>") + "</span>"


def render_text(obj: Obj | None, ctx: RenderContext) -> str:
    """A text object (``plain_text`` or ``mrkdwn``); empty for ``None``."""
    if not obj:
        return ""
    text = str(obj.get("text") or "")
    if obj.get("type") == "mrkdwn":
        return render_mrkdwn(text, ctx, verbatim=bool(obj.get("verbatim")))
    return render_plain(text, ctx, emoji=obj.get("emoji", True) is not False)


def mrkdwn_to_plain(text: str, ctx: RenderContext) -> str:
    """mrkdwn as the words a person reads (names for mentions, link labels, dates), not escaped."""

    def entity(match: re.Match[str]) -> str:
        target, bar, label = match.group(1).partition("|")
        if target.startswith("@"):
            return _user_label(target[1:], _decode(label), ctx)
        if target.startswith("#"):
            return _channel_label(target[1:], _decode(label), ctx)
        if target.startswith("!"):
            name, _, rest = target[1:].partition("^")
            if name in ("here", "channel", "everyone"):
                return f"@{name}"
            if name == "subteam":
                return _usergroup_label(rest, _decode(label), ctx)
            if name == "date":
                epoch, _, tail = rest.partition("^")
                shown = format_slack_date(int(epoch), _decode(tail.partition("^")[0]), ctx) if epoch.isdigit() else None
                return shown or _decode(label)
            return _decode(label)
        if bar:
            return _decode(label)
        return _decode(target) if ":" in target else f"<{_decode(target)}>"

    out: list[str] = []
    position = 0
    for match in _ENTITY.finditer(text):  # decode between entities only: each is decoded once
        out += [_decode(text[position : match.start()]), entity(match)]
        position = match.end()
    out.append(_decode(text[position:]))
    return "".join(out).replace(_ZWSP, "")


def _text_plain(obj: Obj | None, ctx: RenderContext) -> str:
    """A text object as unformatted words, for places that hold no markup (options, attributes)."""
    if not obj:
        return ""
    text = str(obj.get("text") or "")
    if obj.get("type") == "mrkdwn":
        text = mrkdwn_to_plain(text, ctx)
    elif obj.get("emoji") is False:
        return text
    return _SHORTCODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)
