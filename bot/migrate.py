"""Run Alembic migrations programmatically (``tandem migrate``, ``tandem run``, tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

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


def upgrade_to_head(db: Database) -> None:
    config = alembic_config(db.engine.url.render_as_string(hide_password=False))
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Replicas starting together: one migrates, the others wait for it.
            from sqlalchemy import text

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
