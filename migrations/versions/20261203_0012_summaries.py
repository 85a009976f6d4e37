"""summaries: a workspace's on/off switch and the summaries shown in place

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03

Expand only: two new tables (see bot/summaries/models.py), nothing existing changes, so a
replica still on the previous revision keeps working while others roll over.

- ``summary_settings``: one row per workspace that changed the default (no row: summaries on).
- ``ritual_summaries``: the summary a stand-up occurrence or a retro run was given, so a later
  refresh of its message keeps it without asking the model again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "summary_settings",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("changed_by", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_summary_settings")),
    )
    op.create_table(
        "ritual_summaries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("ritual", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.String(length=64), nullable=False),
        sa.Column("sentences", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ritual_summaries")),
        sa.UniqueConstraint(
            "team_id", "ritual", "ref_id", name=op.f("uq_ritual_summaries_team_id_ritual_ref_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("ritual_summaries")
    op.drop_table("summary_settings")
