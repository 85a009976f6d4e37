"""Helpers shared by the retro tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, MetaData, select


def rows_mentioning(engine: Engine, needle: str) -> list[tuple[str, str, Any]]:
    """Every (table, column, value) in the database whose text contains ``needle``.

    Reflects the real schema (not our models), so tables and columns added by anyone are scanned.
    """
    metadata = MetaData()
    metadata.reflect(bind=engine)
    found: list[tuple[str, str, Any]] = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)):
                for column, value in row._mapping.items():
                    if value is not None and needle in str(value):
                        found.append((table.name, str(column), value))
    return found
