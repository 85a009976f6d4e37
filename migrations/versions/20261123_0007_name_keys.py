"""name keys: stand-up names and retro titles matched by a stored Unicode key

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23

Expand/contract: a migration must keep the previous release working while replicas roll over.
Add columns nullable (or with a server default) and tables first; drop or tighten only in a
later release, once no running version reads the old shape.

Exception, on purpose: ``standups.name_key`` and ``retro_series.title_key`` are made NOT NULL in
this same revision. No server default can compute a key, and a row without one could not be
found by name. While replicas roll over, a replica still on 0006 that creates a stand-up or a
retro gets an error (the person retries) instead of a row nobody can find. Renaming on 0006 leaves
a stale key until the row is saved again by the new release.

The keys are ``bot.slack.text.name_key`` of the name (imported, not copied: the stored keys must be
exactly what the application compares; a later change to that function needs its own re-keying
revision). Existing rows are keyed in Python, in batches. No unique index: rows created before
this revision may share a key ("Équipe" and "ÉQUIPE"); the lookups take the oldest.

On SQLite the NOT NULL needs a table copy (batch mode); ``bot.migrate.migration_connection``
turns foreign keys off meanwhile, otherwise dropping the original table would cascade-delete
the rows referencing it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.slack.text import name_key

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 500

# table -> (source column, key column, index name)
KEYS = {
    "standups": ("name", "name_key", "ix_standups_team_name_key"),
    "retro_series": ("title", "title_key", "ix_retro_series_team_title_key"),
}


def _backfill(table_name: str, source: str, key: str) -> None:
    table = sa.table(table_name, sa.column("id", sa.Integer()), sa.column(source, sa.String()), sa.column(key, sa.Text()))
    update = sa.update(table).where(table.c.id == sa.bindparam("row_id")).values({key: sa.bindparam("key_value")})
    connection = op.get_bind()
    last_id = 0
    while True:
        rows = connection.execute(
            sa.select(table.c.id, table.c[source]).where(table.c.id > last_id).order_by(table.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        connection.execute(update, [{"row_id": row_id, "key_value": name_key(value)} for row_id, value in rows])
        last_id = rows[-1][0]


def upgrade() -> None:
    for table, (source, key, index) in KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(key, sa.Text(), nullable=True))
        _backfill(table, source, key)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column(key, existing_type=sa.Text(), nullable=False)
            batch_op.create_index(index, ["team_id", key], unique=False)


def downgrade() -> None:
    for table, (_source, key, index) in KEYS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(index)
            batch_op.drop_column(key)
