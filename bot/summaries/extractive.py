"""A small extractive summariser of our own: pick the sentences people wrote that say the most.

Why our own and not a library: the inputs are a few dozen short sentences (answers, blockers,
asks, retro items), where the classic scorers (sumy's LexRank/LSA, gensim's TextRank) need
NLTK or numpy data and tokenisers we would have to download and pin, and do no better on text
this short. This is the frequency scorer those libraries start from, in ~60 lines with tests:

- a sentence's score is the mean document frequency of its content words (stop words and
  one-letter tokens dropped), so sentences on the topics several people raised rank first;
- labels are taken in turns ("progress", "blockers", "asks"...), so one chatty topic cannot
  crowd out the blockers;
- near-duplicates (most of their words shared with a sentence already picked) are skipped;
- the picks are the people's own words, trimmed to a sentence length, never rephrased.
"""

from __future__ import annotations

import re
from collections import Counter

from bot.summaries.data import MAX_SENTENCE_CHARS, Passage, Source, Summary, SummaryRequest

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOP_WORDS = frozenset(
    """
    a about after again all also am an and any are as at be been before being but by can could did
    do does doing done for from had has have having he her here his how i if in into is it its
    just me more most my no not now of on once only or other our out over own same she so some
    still such than that the their them then there these they this those through to too under
    until up very was we were what when where which while who why will with would you your yet
    today yesterday tomorrow week
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_DUPLICATE_OVERLAP = 0.6


def _words(text: str) -> list[str]:
    return [w for w in (m.group(0).casefold() for m in _WORD.finditer(text)) if len(w) > 1 and w not in _STOP_WORDS]


def sentences_of(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _trim(sentence: str) -> str:
    if len(sentence) <= MAX_SENTENCE_CHARS:
        return sentence
    return sentence[: MAX_SENTENCE_CHARS - 1].rstrip() + "…"


def summarise_extractive(request: SummaryRequest) -> Summary | None:
    """Up to ``request.max_sentences`` of the passages' own sentences; None when there is no text."""
    candidates: list[tuple[str, str, set[str]]] = []  # (label, sentence, words)
    for passage in request.passages:
        for sentence in sentences_of(passage.text):
            candidates.append((passage.label, sentence, set(_words(sentence))))
    if not candidates or request.max_sentences < 1:
        return None
    frequency: Counter[str] = Counter()
    for _label, _sentence, words in candidates:
        frequency.update(words)

    def score(words: set[str]) -> float:
        return sum(frequency[w] for w in words) / len(words) if words else 0.0

    by_label: dict[str, list[tuple[float, int, str, set[str]]]] = {}
    for index, (label, sentence, words) in enumerate(candidates):
        by_label.setdefault(label, []).append((-score(words), index, sentence, words))
    queues = [sorted(entries) for entries in by_label.values()]  # labels in order of first appearance
    picked: list[tuple[int, str, set[str]]] = []
    while len(picked) < request.max_sentences and any(queues):
        for queue in queues:
            while queue:
                _score, index, sentence, words = queue.pop(0)
                if not any(_overlap(words, other) >= _DUPLICATE_OVERLAP for _i, _s, other in picked):
                    picked.append((index, sentence, words))
                    break
            if len(picked) >= request.max_sentences:
                break
    return Summary(tuple(_trim(sentence) for _index, sentence, _words in picked), Source.EXTRACTIVE)


def _overlap(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 1.0 if a == b else 0.0
    return len(a & b) / len(a | b)  # Jaccard: short sentences sharing a topic word are not duplicates


def passages_text(passages: tuple[Passage, ...]) -> str:
    """All the input text, for checking which links the model may repeat."""
    return "\n".join(p.text for p in passages)
