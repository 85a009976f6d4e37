"""Run Alembic migrations programmatically (``tandem migrate``, ``tandem run``, tests)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from bot.db import Database


def _project_root() -> Path:
    """The folder holding migrations/: the checkout (editable install) or the working directory."""
    checkout = Path(__file__).resolve().parent.parent
    return checkout if (checkout / "migrations").is_dir() else Path.cwd()


ROOT = _project_root()
MIGRATIONS = ROOT / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config(str(ROOT / "alembic.ini")) if (ROOT / "alembic.ini").exists() else Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    config.attributes["configure_logging"] = False
    return config


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


def upgrade_to_head(db: Database) -> None:
    config = alembic_config(db.engine.url.render_as_string(hide_password=False))
    with migration_connection(db.engine) as connection:
        if connection.dialect.name == "postgresql":
            # Replicas starting together: one migrates, the others wait for it.
            connection.execute(text("SELECT pg_advisory_xact_lock(7340032)"))
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")


def pending_revisions(db: Database) -> list[str]:
    config = alembic_config(db.engine.url.render_as_string(hide_password=False))
    script = ScriptDirectory.from_config(config)
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    heads = set(script.get_heads())
    return sorted(heads - current)
