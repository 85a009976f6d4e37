"""mrkdwn escaping of user text, per Slack's rules: only ``&``, ``<`` and ``>`` are control
characters. Escaping them means user text can never ping (``<!channel>``, ``<!here>``,
``<!subteam^...>``, ``<@U...>``) nor forge a link. Formatting characters (``*_~```) are
neutralised by the caller where the text sits inside formatting (``plain`` below)."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime

_CONTROL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ZERO_WIDTH_SPACE = "\u200b"
_FORMATTING = re.compile(r"([*_~`])")
# C0 control characters and DEL, except tab, newline and carriage return: they render as nothing
# (or as boxes) in Slack, and PostgreSQL refuses NUL in text columns.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def escape(text: str) -> str:
    """Escape user text for a mrkdwn field."""
    return text.translate(_CONTROL)


def plain(text: str) -> str:
    """Escape and also defuse formatting markers so user text renders literally."""
    return _FORMATTING.sub(lambda m: m.group(1) + _ZERO_WIDTH_SPACE, escape(text))


def clean_text(value: str | None) -> str:
    """Free text as stored: control characters dropped (tab and line breaks kept), ends stripped.
    The rest of the text is kept exactly; escaping happens when it is rendered."""
    return _CONTROL_CHARS.sub("", value or "").strip()


def name_key(value: str) -> str:
    """The form a name is matched by (stand-up names, retro titles): two names are "the same" when
    their keys are equal.

    NFKC first, so compatibility forms match their plain letters (full-width letters, ligatures,
    composed and decomposed accents), then Unicode case folding (``ß`` matches ``SS``/``ss``,
    ``É`` matches ``é``) and NFKC again, because folding can leave a string unnormalised.
    Whitespace runs of any kind count as one space; the ends are dropped. Accents are kept:
    ``equipe`` is not ``équipe``.

    Keys are computed in Python and stored beside the name, never by SQL ``lower()``: SQLite's
    folds ASCII only and PostgreSQL's depends on the cluster's locale. The key can be longer than
    the name (``ß`` → ``ss``, ``ﬃ`` → ``ffi``).
    """
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold())
    return " ".join(folded.split())


def truncate(text: str, limit: int, ellipsis: str = "…") -> str:
    if len(text) <= limit:
        return text
    return text[: max(0, limit - len(ellipsis))] + ellipsis


def slack_date(moment: datetime, token: str = "{date_short_pretty} {time}", fallback: str | None = None) -> str:
    """A ``<!date^...>`` token so each reader sees the instant in their own time zone."""
    epoch = int(moment.timestamp())
    shown = fallback or moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{epoch}^{token}|{shown}>"


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def channel_link(channel_id: str) -> str:
    return f"<#{channel_id}>"
