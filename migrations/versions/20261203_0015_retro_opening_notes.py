"""a retro's opening notes

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03

Expand only: ``retro_series.opening_notes`` (JSON, nullable): what a retro opens with when
something set up above it hands it notes (the launch retro's brief: the success metrics against
their targets, what was late or dropped, the insights since the launch). Each note is
``{"title": str, "lines": [str, ...]}``, plain text the retro escapes. NULL for every existing
series (they open as before).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("retro_series", schema=None) as batch_op:
        batch_op.add_column(sa.Column("opening_notes", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("retro_series", schema=None) as batch_op:
        batch_op.drop_column("opening_notes")
