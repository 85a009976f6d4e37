"""Database plumbing: declarative Base with a constraint naming convention, an aware-UTC
datetime type, engine construction for SQLite and PostgreSQL, and ``unit_of_work``.

Application code never calls ``commit()``: the code that owns a unit of work (a listener body,
a job) opens ``with db.unit_of_work() as session:``, which commits on success, rolls back on
error and always closes. Services only ``flush()``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, inspect, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """``DateTime(timezone=True)`` that only accepts aware datetimes and always returns aware UTC.

    SQLite stores no offset, so values are normalised to UTC on the way in and tagged UTC on
    the way out; PostgreSQL stores ``timestamptz``. Naive datetimes are a bug and are refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r} given to the database; use aware UTC")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def computed_from(source: str, compute: Callable[[str], str]) -> Callable[[Any], str | None]:
    """A column default computed from another column of the same INSERT: ``compute(row[source])``.

    For a column derived from another (a name's matching key). ORM objects set it themselves
    (``@validates`` on the source); this default covers INSERTs that bypass the ORM's attribute
    events, such as ``session.execute(insert(Model), rows)``. UPDATEs are the ``@validates``' job.
    """

    def default(context: Any) -> str | None:
        value = context.get_current_parameters().get(source)
        return None if value is None else compute(value)

    return default


def insert_ignore(session: Session, model: type[Base], values: dict[str, Any], conflict: list[str]) -> bool:
    """INSERT that does nothing when a row with the same ``conflict`` key exists (both dialects);
    True when this call inserted the row.

    The race-free way to "create if missing": two processes may run it at once, and exactly one of
    them gets True (PostgreSQL makes the second wait for the first's commit, SQLite has one writer).
    """
    return insert_ignore_key(session, model, values, conflict) is not None


def insert_ignore_key(session: Session, model: type[Base], values: dict[str, Any], conflict: list[str]) -> Any:
    """``insert_ignore`` that returns the new row's primary key (None when the row existed)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(model).values(**values).on_conflict_do_nothing(index_elements=conflict)
    # RETURNING says whether a row went in on both dialects (SQLite >= 3.35). The rowcount does
    # not: PostgreSQL (psycopg) reports -1 for it, which read as "inserted" every time.
    return session.scalar(statement.returning(*inspect(model).primary_key))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(database_url: str, **kwargs: Any) -> Engine:
    """An Engine for ``database_url`` with the settings each backend needs."""
    if database_url.startswith("sqlite"):
        connect_args = {"check_same_thread": False, "timeout": 15}
        if database_url in ("sqlite://", "sqlite:///:memory:"):
            kwargs.setdefault("poolclass", StaticPool)
        engine = create_engine(database_url, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    kwargs.setdefault("max_overflow", 10)
    return create_engine(database_url, **kwargs)


class Database:
    """One engine and session factory per process, passed to whatever needs the database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._sessions = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
        # SQLite has one writer, and a writer that finds the file locked sleeps in SQLite's
        # busy-handler steps (up to 100 ms each) instead of waking when the lock is free. Hot
        # writers of one process (the outbox drainer, the goal values endpoint) take this gate
        # around their short write transactions, so the lock passes between them at once.
        # PostgreSQL locks rows: no gate. Take it outermost, never while holding a transaction.
        self.write_gate: AbstractContextManager[Any] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    @classmethod
    def from_url(cls, database_url: str, **kwargs: Any) -> Database:
        return cls(make_engine(database_url, **kwargs))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any error, always close."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def checkpoint(self) -> tuple[int, int]:
        """SQLite: copy what the write-ahead log holds into the database file, waiting for no reader
        or writer (``PRAGMA wal_checkpoint(PASSIVE)``); returns (pages in the log, pages copied).
        PostgreSQL: nothing to do, (0, 0)."""
        if self.dialect != "sqlite":
            return 0, 0
        with self.engine.connect() as connection:
            row = connection.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)").first()
        return (int(row[1]), int(row[2])) if row is not None and row[1] >= 0 else (0, 0)

    def ping(self) -> None:
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


class Checkpointer(threading.Thread):
    """Checkpoints a SQLite database in the background, so no writer's commit has to.

    By default SQLite checkpoints inside the commit that takes its write-ahead log past 1,000
    pages: that writer holds the write gate while the pages are copied and synced (10-20 ms on a
    quiet machine, every ~170 values pushed), and every writer queued behind it waits. Once started,
    this process's connections leave checkpoints to this thread, which copies the log every
    ``interval`` seconds beside the writers (PASSIVE: it waits for nobody). SQLite starts the log
    over at the first write after a checkpoint that copied everything; when writes never pause
    long enough for that and the log has grown past ``catch_up_pages``, a second checkpoint is taken
    under the write gate (only the pages written since the first are left to copy).
    Other processes (the CLI) keep SQLite's automatic checkpoint. PostgreSQL: not started."""

    def __init__(self, db: Database, *, interval: float = 1.0, catch_up_pages: int = 1000) -> None:
        super().__init__(name="tandem-sqlite-checkpoint", daemon=True)
        self.db = db
        self.interval = interval
        self.catch_up_pages = catch_up_pages
        self._stop_event = threading.Event()

    def turn(self) -> None:
        """One checkpoint (and its catch-up under the write gate when the log keeps growing)."""
        in_log, _copied = self.db.checkpoint()
        if in_log > self.catch_up_pages:
            # Writes never paused: the log was copied but not started over (a writer that began
            # while it was not fully copied keeps appending). Between this process's writers the
            # little written since is copied, and the next write starts the log over.
            with self.db.write_gate:
                self.db.checkpoint()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            try:
                self.turn()
            except Exception as error:  # noqa: BLE001 - a busy or closing database: the next turn tries again
                log.warning("SQLite checkpoint failed (retrying in %ss): %s", self.interval, error)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop_event.set()
        self.join(timeout)
        try:
            self.db.checkpoint()  # what the last turn left
        except Exception as error:  # noqa: BLE001 - shutting down: SQLite replays the log on the next open
            log.warning("SQLite checkpoint at shutdown failed: %s", error)


def _no_automatic_checkpoint(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA wal_autocheckpoint=0")
    cursor.close()


def start_checkpointer(db: Database, *, interval: float = 1.0) -> Checkpointer | None:
    """Take this process's SQLite checkpoints off its commits (see ``Checkpointer``); None for
    PostgreSQL or an in-memory database. Call before serving: the pool's idle connections are
    closed so every connection from here on is opened with automatic checkpoints off."""
    if db.dialect != "sqlite" or db.engine.url.database in (None, "", ":memory:"):
        return None
    event.listen(db.engine, "connect", _no_automatic_checkpoint)
    db.engine.dispose()
    checkpointer = Checkpointer(db, interval=interval)
    checkpointer.start()
    return checkpointer
