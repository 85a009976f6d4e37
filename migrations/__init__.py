"""Tandem's Alembic migrations, installed as the ``bot.migrations`` package (see pyproject.toml)."""
