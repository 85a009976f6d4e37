"""SQLite checkpoints beside the writers (``bot.db.Checkpointer``): once started, this process's
connections leave checkpoints to it, a turn copies the log so the next write starts it over, a log
that keeps growing is caught up under the write gate, and PostgreSQL or an in-memory database get
none. Other processes keep SQLite's automatic checkpoint."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest
from sqlalchemy import text

from bot.db import Checkpointer, Database, start_checkpointer


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    db = Database.from_url(f"sqlite:///{tmp_path / 'tandem.db'}")
    with db.unit_of_work() as session:
        session.execute(text("CREATE TABLE notes (body TEXT)"))
    try:
        yield db
    finally:
        db.dispose()


def write(db: Database, count: int) -> None:
    for n in range(count):
        with db.unit_of_work() as session:
            session.execute(text("INSERT INTO notes (body) VALUES (:body)"), {"body": f"note {n} " + "x" * 3000})


def autocheckpoint(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar_one())


class CountingGate:
    def __init__(self) -> None:
        self.entered = 0

    def __enter__(self) -> None:
        self.entered += 1

    def __exit__(self, *_: type[BaseException] | BaseException | TracebackType | None) -> None:
        return None


def test_a_turn_copies_the_log_and_the_next_write_starts_it_over(sqlite_db: Database) -> None:
    assert autocheckpoint(sqlite_db) == 1000  # SQLite's own, until a checkpointer takes over
    checkpointer = start_checkpointer(sqlite_db, interval=3600)  # turns are run by hand below
    assert checkpointer is not None
    try:
        assert autocheckpoint(sqlite_db) == 0  # every connection opened from now on
        write(sqlite_db, 600)  # > 1,000 pages of log: SQLite would have checkpointed in a commit
        in_log, copied = sqlite_db.checkpoint()
        assert in_log > 1000 and copied == in_log  # nobody checkpointed before
        write(sqlite_db, 1)
        assert sqlite_db.checkpoint()[0] < 10  # the log started over
        with sqlite_db.unit_of_work() as session:
            assert session.scalar(text("SELECT count(*) FROM notes")) == 601
    finally:
        checkpointer.stop()
    assert not checkpointer.is_alive()


def test_a_log_that_keeps_growing_is_caught_up_under_the_write_gate(sqlite_db: Database) -> None:
    gate = CountingGate()
    sqlite_db.write_gate = gate
    checkpointer = Checkpointer(sqlite_db, catch_up_pages=50)  # not started: turns by hand
    write(sqlite_db, 10)
    checkpointer.turn()
    assert gate.entered == 0  # a short log: copied beside the writers only
    # A reader that never lets go keeps the log from starting over, as writes that never pause do.
    with sqlite_db.engine.connect() as reader:
        reader.exec_driver_sql("BEGIN")
        reader.exec_driver_sql("SELECT count(*) FROM notes").scalar_one()
        write(sqlite_db, 60)
        checkpointer.turn()
        assert gate.entered == 1
        reader.exec_driver_sql("COMMIT")


def test_postgresql_and_in_memory_databases_get_no_checkpointer(postgres_database_url: str) -> None:
    postgres = Database.from_url(postgres_database_url)
    memory = Database.from_url("sqlite://")
    try:
        assert start_checkpointer(postgres) is None and start_checkpointer(memory) is None
        assert postgres.checkpoint() == (0, 0)
    finally:
        postgres.dispose()
        memory.dispose()
