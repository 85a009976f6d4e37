"""launches: the plan, its phases, checklist items, success-metric goals and the DMs it sent

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03

Expand only: five new tables (see bot/launches/models.py), nothing existing changes, so a replica
still on 0013 keeps working while others roll over.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "launches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("what", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("product_lead", sa.String(length=32), nullable=False),
        sa.Column("marketing_lead", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("retro_series_id", sa.Integer(), nullable=True),
        sa.Column("external_confirmed_by", sa.String(length=32), nullable=True),
        sa.Column("external_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_by", sa.String(length=32), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("create_view_id", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_launches")),
        sa.UniqueConstraint("team_id", "create_view_id", name=op.f("uq_launches_team_id_create_view_id")),
    )
    with op.batch_alter_table("launches", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_launches_team_id"), ["team_id"], unique=False)
        batch_op.create_index("ix_launches_team_status", ["team_id", "status"], unique=False)

    op.create_table(
        "launch_goals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("launch_id", sa.Integer(), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_launch_goals_goal_id_goals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["launch_id"], ["launches.id"], name=op.f("fk_launch_goals_launch_id_launches"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_launch_goals")),
        sa.UniqueConstraint("launch_id", "goal_id", name=op.f("uq_launch_goals_launch_id_goal_id")),
    )
    with op.batch_alter_table("launch_goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_launch_goals_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_launch_goals_team_id"), ["team_id"], unique=False)

    op.create_table(
        "launch_notices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("launch_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["launch_id"], ["launches.id"], name=op.f("fk_launch_notices_launch_id_launches"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_launch_notices")),
        sa.UniqueConstraint("team_id", "key", name=op.f("uq_launch_notices_team_id_key")),
    )
    with op.batch_alter_table("launch_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_launch_notices_launch_id"), ["launch_id"], unique=False)

    op.create_table(
        "launch_phases",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("launch_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("audience", sa.String(length=200), nullable=False),
        sa.Column("launch_on", sa.Date(), nullable=False),
        sa.Column("decision", sa.String(length=8), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("shipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["launch_id"], ["launches.id"], name=op.f("fk_launch_phases_launch_id_launches"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_launch_phases")),
        sa.UniqueConstraint("launch_id", "position", name=op.f("uq_launch_phases_launch_id_position")),
    )
    with op.batch_alter_table("launch_phases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_launch_phases_launch_id"), ["launch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_launch_phases_team_id"), ["team_id"], unique=False)

    op.create_table(
        "launch_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("launch_id", sa.Integer(), nullable=False),
        sa.Column("phase_id", sa.Integer(), nullable=False),
        sa.Column("template_key", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("blocked_reason", sa.Text(), nullable=False),
        sa.Column("was_late", sa.Boolean(), nullable=False),
        sa.Column("done_by", sa.String(length=32), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("dropped_by", sa.String(length=32), nullable=True),
        sa.Column("dropped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["launch_id"], ["launches.id"], name=op.f("fk_launch_items_launch_id_launches"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["phase_id"], ["launch_phases.id"], name=op.f("fk_launch_items_phase_id_launch_phases"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_launch_items")),
    )
    with op.batch_alter_table("launch_items", schema=None) as batch_op:
        batch_op.create_index("ix_launch_items_launch_due", ["launch_id", "due_on"], unique=False)
        batch_op.create_index(batch_op.f("ix_launch_items_phase_id"), ["phase_id"], unique=False)
        batch_op.create_index("ix_launch_items_team_owner", ["team_id", "owner_id", "status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("launch_items", schema=None) as batch_op:
        batch_op.drop_index("ix_launch_items_team_owner")
        batch_op.drop_index(batch_op.f("ix_launch_items_phase_id"))
        batch_op.drop_index("ix_launch_items_launch_due")

    op.drop_table("launch_items")
    with op.batch_alter_table("launch_phases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_launch_phases_team_id"))
        batch_op.drop_index(batch_op.f("ix_launch_phases_launch_id"))

    op.drop_table("launch_phases")
    with op.batch_alter_table("launch_notices", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_launch_notices_launch_id"))

    op.drop_table("launch_notices")
    with op.batch_alter_table("launch_goals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_launch_goals_team_id"))
        batch_op.drop_index(batch_op.f("ix_launch_goals_goal_id"))

    op.drop_table("launch_goals")
    with op.batch_alter_table("launches", schema=None) as batch_op:
        batch_op.drop_index("ix_launches_team_status")
        batch_op.drop_index(batch_op.f("ix_launches_team_id"))

    op.drop_table("launches")
