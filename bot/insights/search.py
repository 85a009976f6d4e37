"""Full-text search over insights: SQLite FTS5 or PostgreSQL full-text, chosen by dialect.

The search structures are created by migration 0005 and are deliberately not ORM models:

- SQLite: ``insights_fts``, an external-content FTS5 table (porter stemming) kept in step with
  ``insights`` by three triggers. Note for later migrations: a batch ("move and copy") rebuild of
  ``insights`` on SQLite drops those triggers; recreate them in that migration.
- PostgreSQL: ``insights.search_vector``, a generated ``tsvector`` column with a GIN index.

User words never reach the query language raw: they are cut into ``\\w+`` terms first, so
quotes, operators and column filters typed by a user are plain words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.orm import Session

# Named here so migrations/env.py can keep ``alembic check`` quiet about them.
SCHEMA_OBJECTS_OUTSIDE_MODELS: frozenset[str] = frozenset(
    {
        "insights_fts",
        "insights_fts_data",
        "insights_fts_idx",
        "insights_fts_docsize",
        "insights_fts_config",
        "insights.search_vector",
        "ix_insights_search_vector",
    }
)

MAX_TERMS = 24
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_STOPWORD_TEXT = """
a an and are as at be but by can could do does for from had has have he her his i if in into is it its
just me my no not of on or our she so than that the their them then there these they this to too us
was we were what when which who will with would you your
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
_SUFFIXES = ("ations", "ation", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es", "ly", "s")


def terms(query: str) -> list[str]:
    """Distinct search terms of ``query``, lower-cased, stop words dropped, order kept."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(query.lower()):
        if len(word) < 2 or word in _STOPWORDS:
            continue
        seen.setdefault(word, None)
        if len(seen) >= MAX_TERMS:
            break
    return list(seen)


def stem(word: str) -> str:
    """A deliberately crude stemmer for overlap scoring only (the databases stem properly)."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def overlap(query_terms: Iterable[str], document: str) -> float:
    """Share of the query's (stemmed) terms found in ``document``: 0.0 to 1.0."""
    wanted = {stem(t) for t in query_terms}
    if not wanted:
        return 0.0
    found = {stem(t) for t in terms(document)}
    return len(wanted & found) / len(wanted)


def search_insight_ids(
    session: Session, team_id: str, query: str, *, any_term: bool = False, limit: int = 20, offset: int = 0
) -> list[int]:
    """Ids of the team's insights matching ``query``, best first.

    ``any_term=False`` needs every term (what a person searching expects); ``any_term=True``
    needs one (candidates for duplicate detection, scored afterwards).
    """
    words = terms(query)
    if not words:
        return []
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        joiner = " OR " if any_term else " AND "
        match = joiner.join(f'"{w}"' for w in words)
        sql = text(
            "SELECT insights.id FROM insights_fts JOIN insights ON insights.id = insights_fts.rowid "
            "WHERE insights_fts MATCH :match AND insights.team_id = :team_id "
            "ORDER BY bm25(insights_fts, 4.0, 2.0, 1.0), insights.id DESC LIMIT :limit OFFSET :offset"
        )
        params = {"match": match, "team_id": team_id, "limit": limit, "offset": offset}
    elif dialect == "postgresql":
        joiner = " | " if any_term else " & "
        sql = text(
            "SELECT id FROM insights, to_tsquery('english', :query) AS q "
            "WHERE team_id = :team_id AND search_vector @@ q "
            "ORDER BY ts_rank(search_vector, q) DESC, id DESC LIMIT :limit OFFSET :offset"
        )
        params = {"query": joiner.join(words), "team_id": team_id, "limit": limit, "offset": offset}
    else:  # pragma: no cover - only the two supported databases
        raise NotImplementedError(f"full-text search is not available on {dialect}")
    return [int(row[0]) for row in session.execute(sql, params)]
