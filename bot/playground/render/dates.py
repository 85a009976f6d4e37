"""Slack's date tokens (``<!date^epoch^{date_short} {time}|fallback>``) in the reader's zone."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from bot.playground.render.context import RenderContext
from bot.playground.render.safety import _attrs, _esc, _link

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


def _date_html(epoch: int, fmt: str, link: str | None, fallback: str, ctx: RenderContext) -> str:
    shown = format_slack_date(epoch, fmt, ctx)
    if shown is None:
        return _esc(fallback)
    iso = datetime.fromtimestamp(epoch, UTC).isoformat()
    body = f'<time class="bk-date"{_attrs([("datetime", iso)])}>{_esc(shown)}</time>'
    return _link(link, body) if link else body
