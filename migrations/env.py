"""Alembic environment: the URL comes from the caller (``tandem migrate``) or DATABASE_URL."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from bot.db import UTCDateTime, make_engine
from bot.migrate import migration_connection
from bot.models import metadata
from bot.settings import database_url_from_environment

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logging", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _render_item(type_: str, obj: object, autogen_context: object) -> str | bool:
    # Our aware-UTC column type is a TypeDecorator; in migrations it is plain timestamptz.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _include_object(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
    # Database objects a feature creates by hand in its migration and deliberately keeps out of
    # the models (e.g. full-text search structures) are listed in metadata.info["alembic_exclude"]
    # as "table" / "index" names or "table.column"; `alembic check` must not report them.
    excluded = metadata.info.get("alembic_exclude", set())
    if type_ == "column":
        table = getattr(getattr(obj, "table", None), "name", "")
        return f"{table}.{name}" not in excluded
    return name not in excluded


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        render_item=_render_item,
        include_object=_include_object,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url") or database_url_from_environment()
    engine = make_engine(url)
    try:
        with migration_connection(engine) as connection:  # SQLite: foreign keys off, see there
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Tandem's migrations run online only: use `tandem migrate`.")
run_migrations_online()
