"""Run Alembic migrations programmatically (``tandem migrate``, ``tandem run``, tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import Script, ScriptDirectory
from sqlalchemy import Connection, Engine, text

from bot.db import Database

# The migrations/ folder of the checkout, installed as the package ``bot.migrations`` (see
# pyproject.toml): the same files for an editable install, a wheel and the Docker image, whatever
# the working directory. alembic.ini is only for running ``alembic`` by hand in the checkout.
MIGRATIONS = Path(str(resources.files("bot.migrations")))


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


def revision_name(script: Script) -> str:
    """``0008_participant_via_group``: the revision and its slug (the file name without its date)."""
    stem = Path(script.path).stem
    _date, _, rest = stem.partition("_")
    return rest if rest.startswith(script.revision) else script.revision


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection inside one transaction, for running migrations (commits on success).

    On SQLite, foreign keys are off meanwhile. Alembic's batch mode changes a table by copying it
    and dropping the original, and with foreign keys on that DROP deletes, through ``ON DELETE
    CASCADE``, every row referencing the table (a stand-up's participants and answers...). The
    pragma is ignored inside a transaction, so it is set before the transaction begins, checked,
    and set back before the connection returns to the pool; ``foreign_key_check`` runs before the
    commit instead (SQLite's documented procedure for altering a table).
    """
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.execute(text("PRAGMA foreign_keys=OFF"))
            connection.commit()
            if connection.execute(text("PRAGMA foreign_keys")).scalar():
                raise RuntimeError("could not turn SQLite foreign keys off to migrate; refusing to risk cascades")
            connection.commit()
        try:
            with connection.begin():
                yield connection
                if sqlite:
                    broken = connection.execute(text("PRAGMA foreign_key_check")).fetchall()
                    if broken:
                        raise RuntimeError(f"migration left rows with broken foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.execute(text("PRAGMA foreign_keys=ON"))
                connection.commit()


@dataclass(frozen=True)
class MigrationState:
    """Where a database stands: the revisions it has not applied yet (oldest first) and the head."""

    pending: list[str]
    head: str

    def upgrade_summary(self) -> str:
        """What ``tandem migrate`` says after applying ``pending``."""
        if not self.pending:
            return f"database is up to date ({self.head})"
        count = len(self.pending)
        span = self.pending[0] if count == 1 else f"{self.pending[0]} → {self.pending[-1]}"
        noun = "migration" if count == 1 else "migrations"
        return f"applied {count} {noun} ({span}); database is at {self.head}"


def _state(script: ScriptDirectory, current: tuple[str, ...]) -> MigrationState:
    applied: set[str] = set()
    if current:
        applied = {rev.revision for rev in script.iterate_revisions(current, "base")}
    every = list(reversed(list(script.walk_revisions())))  # base first
    pending = [revision_name(rev) for rev in every if rev.revision not in applied]
    heads = [revision_name(script.get_revision(head)) for head in script.get_heads()]
    return MigrationState(pending=pending, head=", ".join(sorted(heads)))


def script_directory(db: Database | None = None) -> ScriptDirectory:
    url = db.engine.url.render_as_string(hide_password=False) if db is not None else "sqlite://"
    return ScriptDirectory.from_config(alembic_config(url))


def migration_state(db: Database) -> MigrationState:
    """The database's state; a SQLite file that does not exist yet is not created (all pending)."""
    script = script_directory(db)
    database = db.engine.url.database
    if db.dialect == "sqlite" and database and database != ":memory:" and not Path(database).exists():
        return _state(script, ())
    with db.engine.connect() as connection:
        current = tuple(MigrationContext.configure(connection).get_current_heads())
    return _state(script, current)


def upgrade_to_head(db: Database) -> MigrationState:
    """Apply every pending migration; returns what was pending before (the caller reports it)."""
    config = alembic_config(db.engine.url.render_as_string(hide_password=False))
    script = ScriptDirectory.from_config(config)
    with migration_connection(db.engine) as connection:
        if connection.dialect.name == "postgresql":
            # Replicas starting together: one migrates, the others wait for it.
            connection.execute(text("SELECT pg_advisory_xact_lock(7340032)"))
        state = _state(script, tuple(MigrationContext.configure(connection).get_current_heads()))
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    return state


def pending_revisions(db: Database) -> list[str]:
    """The revisions not applied yet, oldest first (``0007_name_keys``...)."""
    return migration_state(db).pending
