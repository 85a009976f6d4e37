"""stand-up participants remember the user group they came through

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23

Expand only: one nullable column, so a replica still on 0007 keeps working while others roll over.
Existing rows stay NULL ("picked by name"): which of them came through a group is not recorded
before this revision, so they are kept when groups are re-synced; saving the stand-up again
(``/standup edit``) sorts them out.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("standup_participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("via_group", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("standup_participants", schema=None) as batch_op:
        batch_op.drop_column("via_group")
