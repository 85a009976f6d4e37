"""a retro set up about a shared goal

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03

Expand only: ``retro_series.goal_id`` (nullable), the goal a retro was opened about ("Open a
retro about it" after closing a goal). NULL for every existing series. No foreign key: the goal
may be deleted later and the retro keeps its history; reads look the goal up by team and id.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("retro_series", schema=None) as batch_op:
        batch_op.add_column(sa.Column("goal_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("retro_series", schema=None) as batch_op:
        batch_op.drop_column("goal_id")
