"""``bot.slack.text.name_key``: the key stand-up names and retro titles are matched by."""

from __future__ import annotations

import pytest

from bot.slack.text import name_key


def full_width(text: str) -> str:
    """ASCII letters and signs as their full-width forms (U+FF01-U+FF5E), e.g. typed with an IME."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("équipe produit", "Équipe Produit"),  # case of accented letters
        ("ÉQUIPE PRODUIT", "Équipe Produit"),
        ("E\u0301quipe", "\u00c9quipe"),  # decomposed (E + combining acute) vs composed É
        ("STRASSE", "Straße"),  # ß folds to ss
        ("strasse", "STRAẞE"),  # capital sharp s too
        ("launch sync", full_width("LAUNCH sync")),  # full-width letters (NFKC)
        ("office", "o\ufb03ce"),  # the "ffi" ligature (NFKC)
        ("ΟΔΥΣΣΕΥΣ", "οδυσσευς"),  # Greek final sigma folds like sigma
        ("launch sync", "  Launch \t\u00a0 sync\u3000"),  # whitespace runs of any kind, ends dropped
    ],
)
def test_names_that_differ_only_in_case_width_encoding_or_spacing_share_a_key(typed: str, stored: str) -> None:
    assert name_key(typed) == name_key(stored)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("equipe", "équipe"),  # accents are letters, not case
        ("launch sync", "launchsync"),  # a space is kept, only runs collapse
        ("retro 1", "retro 2"),
    ],
)
def test_different_names_keep_different_keys(one: str, other: str) -> None:
    assert name_key(one) != name_key(other)


def test_the_key_is_folded_normalised_and_idempotent() -> None:
    assert name_key("  Équipe   PRODUIT ") == "équipe produit"
    assert name_key("Straße") == "strasse"
    assert name_key("") == name_key("   ") == ""
    for value in ("Équipe Produit", "STRAẞE", full_width("ABC  def"), "o\ufb03ce", "ǰ", "J\u030c"):
        assert name_key(name_key(value)) == name_key(value)
