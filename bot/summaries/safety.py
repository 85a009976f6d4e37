"""A model's answer is treated like text a stranger typed: it may not ping anyone, add a link that
was not in what it was given, or run long. The views escape it (``bot.slack.text``) as well; this
removes what escaping alone would leave visible or clickable."""

from __future__ import annotations

import re

from bot.summaries.data import MAX_SENTENCE_CHARS, MAX_SUMMARY_CHARS
from bot.summaries.extractive import sentences_of

# <!channel>, <!here>, <!everyone>, <!subteam^S…>, <@U…>, <#C…>, <https://…|…>, <!date…>: any
# angle-bracketed Slack control sequence, whole.
_SLACK_TOKEN = re.compile(r"<[^<>\n]{0,500}>")
# Written-out broadcast words Slack would turn into a ping with link_names or in some clients.
_BROADCAST = re.compile(r"(?i)(?<![\w])[@!](channel|here|everyone|subteam\S*)")
# URLs and bare domains Slack would auto-link ("evil.example/x", "www.x.io", "mailto:a@b.c").
_URL = re.compile(
    r"(?i)\b(?:(?:https?|ftp|mailto|slack|file|javascript|data):\S+|www\.\S+"
    r"|(?:[a-z0-9-]+\.)+[a-z]{2,}(?::\d+)?(?:/\S*)?)"
)
_USER_ID = re.compile(r"\b[UWBS][A-Z0-9]{8,}\b")  # a bare Slack id (U0123ABCD) is not for a summary
_SPACES = re.compile(r"[ \t\r\f\v]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def _strip_link(match: re.Match[str], allowed: str) -> str:
    url = match.group(0).rstrip(".,;:!?)]}'\"")
    tail = match.group(0)[len(url) :]
    return match.group(0) if url.casefold() in allowed else "[link removed]" + tail


def clean_model_text(raw: str, *, source_text: str, max_sentences: int) -> tuple[str, ...]:
    """The sentences to show, or () when nothing usable is left (the caller falls back)."""
    allowed = source_text.casefold()
    text = _CONTROL.sub("", raw)
    text = _SLACK_TOKEN.sub(" ", text)
    text = text.replace("<", " ").replace(">", " ")  # stray halves of a token
    text = _BROADCAST.sub(lambda m: m.group(1), text)
    text = _URL.sub(lambda m: _strip_link(m, allowed), text)
    text = _USER_ID.sub("someone", text)
    text = re.sub(r"(?m)^\s*(?:[-*•]|\d+[.)])\s+", "", text)  # list markers: sentences, not bullets
    sentences: list[str] = []
    used = 0
    for sentence in sentences_of(text):
        sentence = _SPACES.sub(" ", sentence).strip()
        if not any(ch.isalnum() for ch in sentence):
            continue
        if len(sentence) > MAX_SENTENCE_CHARS:
            sentence = sentence[: MAX_SENTENCE_CHARS - 1].rstrip() + "…"
        if used + len(sentence) > MAX_SUMMARY_CHARS:
            break
        sentences.append(sentence)
        used += len(sentence) + 1
        if len(sentences) >= max_sentences:
            break
    return tuple(sentences)
