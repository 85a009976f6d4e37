"""The summaries' contract: what is summarised (passages of people's text, with a label but never
an author), what comes back (a few sentences and where they came from), and the limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.slack.errors import UserError

MAX_SENTENCE_CHARS = 280  # one sentence as shown
MAX_SUMMARY_CHARS = 800  # the whole summary as shown (well under a section's 3,000)
MAX_PASSAGES = 200  # the newest/most relevant first; more is noise for three lines
MAX_PASSAGE_CHARS = 1_000
MAX_RESPONSE_BYTES = 64_000  # a model answer longer than this is garbage


class Source(StrEnum):
    MODEL = "model"
    EXTRACTIVE = "extractive"


class Ritual(StrEnum):
    """What a stored summary belongs to (``ritual_summaries.ritual``)."""

    STANDUP = "standup"  # ref: the occurrence id
    RETRO = "retro"  # ref: the retro (run) id


@dataclass(frozen=True)
class Passage:
    """One piece of people's text. ``label`` says what it is ("blocker", "ask", a retro prompt);
    it never names the author: anonymous retro items stay anonymous, and a model needs no names."""

    text: str
    label: str = ""


@dataclass(frozen=True)
class SummaryRequest:
    task: str  # what to write, for the model's system message (ours, never people's text)
    passages: tuple[Passage, ...]
    max_sentences: int = 3


@dataclass(frozen=True)
class Summary:
    sentences: tuple[str, ...]  # plain text, not yet escaped: the views escape it like user text
    source: Source

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    @property
    def extractive(self) -> bool:
        return self.source is Source.EXTRACTIVE


class SummaryError(UserError):
    """A mistake with ``/digest summaries``: answered as one ephemeral line."""


# What services are handed: request -> summary (the model's or the fallback), never raising.
Summarise = Callable[[SummaryRequest], Summary | None]
