"""Helpers shared by the retro tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, MetaData, select

from bot.retro.data import RetroError


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


@contextmanager
def field_error(match: str | None = None) -> Iterator[pytest.ExceptionInfo[RetroError]]:
    """Expect a ``RetroError`` that belongs to a modal field: it names the field's block."""
    with pytest.raises(RetroError, match=match) as raised:
        yield raised
    assert raised.value.block_id, f"{raised.value!s} names no field"
