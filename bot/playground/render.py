"""What the bot sends to Slack (Block Kit blocks, modals, mrkdwn) as safe HTML for the playground page.

Pure and self-contained: standard library only, no I/O, nothing global is mutated. Every string
that comes from the bot or a person is HTML-escaped (``html.escape(..., quote=True)``) before any
markup is added around it, attribute values included, and only ``http:``, ``https:`` and
``mailto:`` URLs (or files the page serves itself, ``RenderContext.files``) ever become links or
images.

What the page's script can rely on (it listens by event delegation; there are no inline handlers):

- every block is an element with ``data-block-id`` (empty when the block has none) and
  ``data-block-index`` (its position, to find it in the view or message definition);
- every control carries ``data-element-type``, ``data-block-id``, ``data-action-id`` and
  ``name="<block_id>/<action_id>"``; buttons add ``data-value``; option values are Slack's option
  ``value`` strings (user and conversation selects: the ids); checkboxes and radio buttons are a
  ``div`` with those attributes (and ``data-name``) around native inputs named the same way;
  overflow options may carry ``data-url``;
- an element with a ``confirm`` object has ``data-confirm``: JSON ``{"title", "text", "confirm",
  "deny", "style"}`` as plain text;
- an input block is ``div.bk-input`` with ``data-block-id``, ``data-optional="1"`` when optional
  and ``data-dispatch="1"`` for ``dispatch_action``; its error, if any, is ``[role=alert]``;
- a modal is ``div.bk-modal[data-view-type=modal]`` (``data-callback-id``, ``data-external-id``)
  with ``button[data-role=close]`` (the close icon and the close label) and, when the view has one,
  ``button[data-role=submit]``; a home tab is ``div.bk-home[data-view-type=home]``;
- ``<time datetime>`` holds every formatted ``<!date>`` instant in UTC.

The CSS for every class used here is ``static/blockkit.css``.
"""

from __future__ import annotations

import html
import json
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

__all__ = [
    "EMOJI",
    "RenderContext",
    "render_blocks",
    "render_message",
    "render_mrkdwn",
    "render_plain",
    "render_text",
    "render_view",
    "safe_url",
]

Obj = Mapping[str, Any]


@dataclass(frozen=True)
class RenderContext:
    """Who is looking, and the names behind the ids the bot's text refers to."""

    tz: ZoneInfo  # the viewing person's zone: <!date^...> tokens render in it
    now: datetime  # aware UTC, the playground clock: for "Today"/"Yesterday"/"ago"
    users: Mapping[str, str]  # user id -> display name
    channels: Mapping[str, str]  # channel id -> name without '#'
    usergroups: Mapping[str, str] = field(default_factory=dict)  # subteam id -> handle
    files: Mapping[str, str] = field(default_factory=dict)  # Slack file id -> URL the page can load


# --- escaping and URLs --------------------------------------------------------------------------


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


# --- emoji ------------------------------------------------------------------------------------

# Every shortcode Tandem writes (grep bot/ for ``:[a-z_]+:``) plus the common ones people type.
# Unknown shortcodes stay as the literal ``:name:``, as in a workspace without that custom emoji.
EMOJI: Mapping[str, str] = {
    "arrows_counterclockwise": "\U0001f504",
    "bulb": "\U0001f4a1",
    "busts_in_silhouette": "\U0001f465",
    "calendar": "\U0001f4c6",
    "checkered_flag": "\U0001f3c1",
    "eyes": "\U0001f440",
    "gear": "\u2699\ufe0f",
    "hammer_and_wrench": "\U0001f6e0\ufe0f",
    "handshake": "\U0001f91d",
    "mega": "\U0001f4e3",
    "memo": "\U0001f4dd",
    "memory": "\U0001f4dd",
    "new": "\U0001f195",
    "no_entry": "\u26d4",
    "no_entry_sign": "\U0001f6ab",
    "ok_hand": "\U0001f44c",
    "raised_hands": "\U0001f64c",
    "raising_hand": "\U0001f64b",
    "rocket": "\U0001f680",
    "sparkles": "\u2728",
    "spiral_calendar_pad": "\U0001f5d3\ufe0f",
    "sunrise": "\U0001f305",
    "warning": "\u26a0\ufe0f",
    "wave": "\U0001f44b",
    "white_check_mark": "\u2705",
    # common in people's answers
    "+1": "\U0001f44d",
    "thumbsup": "\U0001f44d",
    "-1": "\U0001f44e",
    "thumbsdown": "\U0001f44e",
    "tada": "\U0001f389",
    "heart": "\u2764\ufe0f",
    "smile": "\U0001f604",
    "slightly_smiling_face": "\U0001f642",
    "joy": "\U0001f602",
    "thinking_face": "\U0001f914",
    "fire": "\U0001f525",
    "star": "\u2b50",
    "x": "\u274c",
    "heavy_check_mark": "\u2714\ufe0f",
    "pushpin": "\U0001f4cc",
    "hourglass_flowing_sand": "\u23f3",
    "chart_with_upwards_trend": "\U0001f4c8",
    "speech_balloon": "\U0001f4ac",
    "point_right": "\U0001f449",
    "pray": "\U0001f64f",
    "100": "\U0001f4af",
    # ``:+1::skin-tone-3:``: the modifier right after an emoji combines with it
    "skin-tone-2": "\U0001f3fb",
    "skin-tone-3": "\U0001f3fc",
    "skin-tone-4": "\U0001f3fd",
    "skin-tone-5": "\U0001f3fe",
    "skin-tone-6": "\U0001f3ff",
}

_SHORTCODE = re.compile(r":([a-z0-9_+'-]+):")


# --- dates (<!date^...>) ------------------------------------------------------------------------

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _date_long(moment: datetime) -> str:
    return f"{_WEEKDAYS[moment.weekday()]}, {_date(moment)}"


def _date(moment: datetime) -> str:
    return f"{_MONTHS[moment.month - 1]} {_ordinal(moment.day)}, {moment.year}"


def _date_short(moment: datetime) -> str:
    return f"{_MONTHS[moment.month - 1][:3]} {moment.day}, {moment.year}"


def _clock(moment: datetime, *, seconds: bool) -> str:
    hour = moment.hour % 12 or 12
    secs = f":{moment.second:02d}" if seconds else ""
    return f"{hour}:{moment.minute:02d}{secs} {'AM' if moment.hour < 12 else 'PM'}"


def _pretty(moment: datetime, ctx: RenderContext, plain: Callable[[datetime], str]) -> str:
    days = (moment.date() - ctx.now.astimezone(ctx.tz).date()).days
    return {0: "Today", -1: "Yesterday", 1: "Tomorrow"}.get(days) or plain(moment)


def _day_divider(moment: datetime, ctx: RenderContext) -> str:
    """{date_long}, without the year when it is the reader's current year."""
    if moment.year == ctx.now.astimezone(ctx.tz).year:
        return f"{_WEEKDAYS[moment.weekday()]}, {_MONTHS[moment.month - 1]} {_ordinal(moment.day)}"
    return _date_long(moment)


def _ago(moment: datetime, ctx: RenderContext) -> str:
    seconds = int((moment - ctx.now).total_seconds())
    span = abs(seconds)
    if span < 60:
        return "just now"
    for size, unit in ((365 * 86400, "year"), (30 * 86400, "month"), (86400, "day"), (3600, "hour"), (60, "minute")):
        if span >= size:
            count = span // size
            words = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {words}" if seconds > 0 else f"{words} ago"
    return "just now"  # unreachable: span >= 60 always matches "minute"


_DATE_TOKENS: Mapping[str, Callable[[datetime, RenderContext], str]] = {
    "date_num": lambda m, c: m.strftime("%Y-%m-%d"),
    "date": lambda m, c: _date(m),
    "date_short": lambda m, c: _date_short(m),
    "date_long": lambda m, c: _date_long(m),
    "date_pretty": lambda m, c: _pretty(m, c, _date),
    "date_short_pretty": lambda m, c: _pretty(m, c, _date_short),
    "date_long_pretty": lambda m, c: _pretty(m, c, _date_long),
    "date_slash": lambda m, c: m.strftime("%d/%m/%Y"),  # Slack's documented order
    "date_long_full": lambda m, c: f"{_MONTHS[m.month - 1]} {m.day}, {m.year}",
    "day_divider_pretty": lambda m, c: _pretty(m, c, lambda d: _day_divider(d, c)),
    "time": lambda m, c: _clock(m, seconds=False),
    "time_secs": lambda m, c: _clock(m, seconds=True),
    "ago": _ago,
}
_TOKEN = re.compile(r"\{([a-z_]*)\}")


def format_slack_date(epoch: int, fmt: str, ctx: RenderContext) -> str | None:
    """Slack's ``<!date^epoch^fmt|…>`` formatted in ``ctx.tz``, or ``None`` when a token is unknown
    (Slack then shows the fallback text). The result is plain text, not yet escaped."""
    try:
        moment = datetime.fromtimestamp(epoch, UTC).astimezone(ctx.tz)
    except (OverflowError, OSError, ValueError):
        return None
    out: list[str] = []
    position = 0
    for match in _TOKEN.finditer(fmt):
        token = _DATE_TOKENS.get(match.group(1))
        if token is None:
            return None
        out += [fmt[position : match.start()], token(moment, ctx)]
        position = match.end()
    out.append(fmt[position:])
    return "".join(out)


# --- mrkdwn -------------------------------------------------------------------------------------

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


def _date_html(epoch: int, fmt: str, link: str | None, fallback: str, ctx: RenderContext) -> str:
    shown = format_slack_date(epoch, fmt, ctx)
    if shown is None:
        return _esc(fallback)
    iso = datetime.fromtimestamp(epoch, UTC).isoformat()
    body = f'<time class="bk-date"{_attrs([("datetime", iso)])}>{_esc(shown)}</time>'
    return _link(link, body) if link else body


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


def _emoji_html(name: str) -> str | None:
    char = EMOJI.get(name)
    return None if char is None else f'<span class="bk-emoji"{_attrs([("title", f":{name}:")])}>{char}</span>'


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


# --- elements -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Scope:
    ctx: RenderContext
    block_id: str


def _unsupported(kind: str, what: object) -> str:
    return f'<span class="bk-unsupported">[unsupported {kind}: {_esc(what)}]</span>'


def _control_attrs(element: Obj, scope: _Scope) -> list[tuple[str, object | None]]:
    action_id = str(element.get("action_id") or "")
    return [
        ("name", f"{scope.block_id}/{action_id}"),
        ("data-element-type", str(element.get("type") or "")),
        ("data-block-id", scope.block_id),
        ("data-action-id", action_id),
        ("data-confirm", _confirm_json(element.get("confirm"), scope.ctx)),
        ("autofocus", bool(element.get("focus_on_load"))),
    ]


def _confirm_json(confirm: Obj | None, ctx: RenderContext) -> str | None:
    if not confirm:
        return None
    return json.dumps(
        {
            "title": _text_plain(confirm.get("title"), ctx) or "Are you sure?",
            "text": _text_plain(confirm.get("text"), ctx),
            "confirm": _text_plain(confirm.get("confirm"), ctx) or "Yes",
            "deny": _text_plain(confirm.get("deny"), ctx) or "Cancel",
            "style": confirm.get("style") if confirm.get("style") in ("primary", "danger") else None,
        },
        ensure_ascii=False,
        sort_keys=True,
    )


def _button(element: Obj, scope: _Scope) -> str:
    style = element.get("style")
    cls = "bk-button" + (f" bk-button--{style}" if style in ("primary", "danger") else "")
    attrs = _attrs([
        *_control_attrs(element, scope),
        ("data-value", element.get("value")),
        ("aria-label", element.get("accessibility_label")),
    ])  # fmt: skip
    label = render_text(element.get("text"), scope.ctx)
    url = safe_url(element.get("url"))
    if url is not None:
        return (f'<a class="{cls}" href="{_esc(url)}" target="_blank" rel="noopener noreferrer"{attrs}>'
                f"{label}</a>")  # fmt: skip
    return f'<button type="button" class="{cls}"{attrs}>{label}</button>'


def _option_label(option: Obj, ctx: RenderContext) -> str:
    return _text_plain(option.get("text"), ctx)


def _option_tag(option: Obj, selected: set[str], ctx: RenderContext) -> str:
    value = str(option.get("value") or "")
    attrs = _attrs([("value", value), ("selected", value in selected)])
    return f"<option{attrs}>{_esc(_option_label(option, ctx))}</option>"


def _initial_values(element: Obj) -> set[str]:
    values: set[str] = set()
    if isinstance(element.get("initial_option"), Mapping):
        values.add(str(element["initial_option"].get("value") or ""))
    values |= {str(o.get("value") or "") for o in element.get("initial_options") or [] if isinstance(o, Mapping)}
    for key in ("initial_user", "initial_conversation", "initial_channel"):
        if element.get(key):
            values.add(str(element[key]))
    for key in ("initial_users", "initial_conversations", "initial_channels"):
        values |= {str(v) for v in element.get(key) or []}
    return values


def _static_options(element: Obj, selected: set[str], ctx: RenderContext) -> str:
    groups = element.get("option_groups")
    if groups:
        return "".join(
            f"<optgroup{_attrs([('label', _text_plain(group.get('label'), ctx))])}>"
            + "".join(_option_tag(o, selected, ctx) for o in group.get("options") or [])
            + "</optgroup>"
            for group in groups
        )
    options = list(element.get("options") or [])
    if not options:  # external_select: only what is already chosen is known
        options = [o for o in [element.get("initial_option"), *(element.get("initial_options") or [])] if o]
    return "".join(_option_tag(o, selected, ctx) for o in options)


def _named_options(names: Mapping[str, str], prefix: str, selected: set[str]) -> str:
    known = dict(names)
    for value in selected:  # an id chosen before it is known still shows (as the id)
        known.setdefault(value, value)
    ordered = sorted(known.items(), key=lambda item: (item[1].casefold(), item[0]))
    return "".join(
        f"<option{_attrs([('value', key), ('selected', key in selected)])}>{_esc(prefix + name)}</option>"
        for key, name in ordered
    )


def _options_for(element: Obj, selected: set[str], ctx: RenderContext) -> str:
    kind = str(element.get("type") or "")
    if kind in ("users_select", "multi_users_select"):
        return _named_options(ctx.users, "", selected)
    if kind in ("conversations_select", "multi_conversations_select", "channels_select", "multi_channels_select"):
        return _named_options(ctx.channels, "#", selected)
    return _static_options(element, selected, ctx)


def _select(element: Obj, scope: _Scope) -> str:
    multi = str(element.get("type") or "").startswith("multi_")
    selected = _initial_values(element)
    default = "Select options" if multi else "Select an item"
    placeholder = _text_plain(element.get("placeholder"), scope.ctx) or default
    attrs = _attrs([
        *_control_attrs(element, scope),
        ("multiple", multi),
        ("data-max-selected-items", element.get("max_selected_items")),
        ("aria-label", placeholder),
    ])  # fmt: skip
    empty = "" if multi else f'<option value=""{" selected" if not selected else ""}>{_esc(placeholder)}</option>'
    return f'<select class="bk-select"{attrs}>{empty}{_options_for(element, selected, scope.ctx)}</select>'


def _overflow(element: Obj, scope: _Scope) -> str:
    attrs = _attrs([*_control_attrs(element, scope), ("aria-label", "More actions")])
    options = "".join(
        f"<option{_attrs([('value', o.get('value') or ''), ('data-url', safe_url(o.get('url')))])}>"
        f"{_esc(_option_label(o, scope.ctx))}</option>"
        for o in element.get("options") or []
    )
    return f'<select class="bk-overflow"{attrs}><option value="" selected>\u22ef</option>{options}</select>'


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HH_MM = re.compile(r"\d{2}:\d{2}")


def _datepicker(element: Obj, scope: _Scope) -> str:
    initial = str(element.get("initial_date") or "")
    attrs = _attrs([
        *_control_attrs(element, scope),
        ("value", initial if _ISO_DATE.fullmatch(initial) else None),
        ("placeholder", _text_plain(element.get("placeholder"), scope.ctx) or None),
    ])  # fmt: skip
    return f'<input type="date" class="bk-datepicker"{attrs}>'


def _timepicker(element: Obj, scope: _Scope) -> str:
    initial = str(element.get("initial_time") or "")
    attrs = _attrs([
        *_control_attrs(element, scope),
        ("value", initial if _HH_MM.fullmatch(initial) else None),
        ("data-timezone", element.get("timezone")),
    ])  # fmt: skip
    return f'<input type="time" class="bk-timepicker"{attrs}>'


def _datetimepicker(element: Obj, scope: _Scope) -> str:
    initial = element.get("initial_date_time")
    value = None
    if isinstance(initial, int):
        value = datetime.fromtimestamp(initial, UTC).astimezone(scope.ctx.tz).strftime("%Y-%m-%dT%H:%M")
    attrs = _attrs([*_control_attrs(element, scope), ("value", value)])
    return f'<input type="datetime-local" class="bk-datetimepicker"{attrs}>'


def _text_input(element: Obj, scope: _Scope) -> str:
    kind = str(element.get("type") or "")
    placeholder = _text_plain(element.get("placeholder"), scope.ctx) or None
    initial = str(element.get("initial_value") or "")
    common = [
        *_control_attrs(element, scope),
        ("placeholder", placeholder),
        ("maxlength", element.get("max_length")),
        ("minlength", element.get("min_length")),
    ]
    if kind == "plain_text_input" and element.get("multiline"):
        return f'<textarea class="bk-textarea" rows="4"{_attrs(common)}>{_esc(initial)}</textarea>'
    html_type = {"email_text_input": "email", "url_text_input": "url"}.get(kind, "text")
    attrs = _attrs([*common, ("value", initial or None)])
    return f'<input type="{html_type}" class="bk-text-input"{attrs}>'


def _number_input(element: Obj, scope: _Scope) -> str:
    decimal = bool(element.get("is_decimal_allowed"))
    attrs = _attrs([
        *_control_attrs(element, scope),
        ("step", "any" if decimal else "1"),
        ("min", element.get("min_value")),
        ("max", element.get("max_value")),
        ("value", element.get("initial_value")),
        ("placeholder", _text_plain(element.get("placeholder"), scope.ctx) or None),
        ("inputmode", "decimal" if decimal else "numeric"),
    ])  # fmt: skip
    return f'<input type="number" class="bk-number-input"{attrs}>'


def _choices(element: Obj, scope: _Scope, html_type: str) -> str:
    selected = _initial_values(element)
    action_id = str(element.get("action_id") or "")
    name = f"{scope.block_id}/{action_id}"
    items: list[str] = []
    for option in element.get("options") or []:
        value = str(option.get("value") or "")
        description = render_text(option.get("description"), scope.ctx)
        attrs = _attrs([("type", html_type), ("name", name), ("value", value), ("checked", value in selected)])
        items.append(
            f'<label class="bk-choice"><input{attrs}><span class="bk-choice-text">'
            f"{render_text(option.get('text'), scope.ctx)}"
            + (f'<span class="bk-choice-description">{description}</span>' if description else "")
            + "</span></label>"
        )
    group = _attrs([
        ("class", f"bk-{html_type}-group"),
        ("role", "radiogroup" if html_type == "radio" else "group"),
        *[(k, v) for k, v in _control_attrs(element, scope) if k != "name"],
        ("data-name", name),
    ])  # fmt: skip
    return f"<div{group}>{''.join(items)}</div>"


def _checkboxes(element: Obj, scope: _Scope) -> str:
    return _choices(element, scope, "checkbox")


def _radio_buttons(element: Obj, scope: _Scope) -> str:
    return _choices(element, scope, "radio")


def _image_src(image: Obj, ctx: RenderContext) -> str | None:
    slack_file = image.get("slack_file")
    if isinstance(slack_file, Mapping):
        return _file_url(slack_file.get("id"), ctx) or _http_only(slack_file.get("url"))
    return _http_only(image.get("image_url"))


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


def _img(image: Obj, ctx: RenderContext, cls: str) -> str:
    alt = str(image.get("alt_text") or "")
    src = _image_src(image, ctx)
    if src is None:
        return f'<span class="bk-image-alt {cls}-alt">{_esc(alt or "[image]")}</span>'
    return f"<img{_attrs([('class', cls), ('src', src), ('alt', alt), ('loading', 'lazy')])}>"


def _image_element(element: Obj, scope: _Scope) -> str:
    return _img(element, scope.ctx, "bk-image-element")


_ELEMENTS: Mapping[str, Callable[[Obj, _Scope], str]] = {
    "button": _button,
    "static_select": _select,
    "multi_static_select": _select,
    "external_select": _select,
    "multi_external_select": _select,
    "users_select": _select,
    "multi_users_select": _select,
    "conversations_select": _select,
    "multi_conversations_select": _select,
    "channels_select": _select,
    "multi_channels_select": _select,
    "overflow": _overflow,
    "datepicker": _datepicker,
    "timepicker": _timepicker,
    "datetimepicker": _datetimepicker,
    "plain_text_input": _text_input,
    "email_text_input": _text_input,
    "url_text_input": _text_input,
    "number_input": _number_input,
    "checkboxes": _checkboxes,
    "radio_buttons": _radio_buttons,
    "image": _image_element,
}


def _element(element: Obj, scope: _Scope) -> str:
    kind = str(element.get("type") or "")
    renderer = _ELEMENTS.get(kind)
    return renderer(element, scope) if renderer else _unsupported("element", kind or "?")


# --- rich text ----------------------------------------------------------------------------------


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


# --- blocks ---------------------------------------------------------------------------------------


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


# --- messages -----------------------------------------------------------------------------------

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


# --- views --------------------------------------------------------------------------------------


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
