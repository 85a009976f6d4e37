"""shared goals: goals, their owners, values, check-in rounds, prompts and check-ins

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03

Expand only: six new tables (see bot/goals/models.py), nothing existing changes, so a replica
still on 0009 keeps working while others roll over.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("metric_name", sa.String(length=80), nullable=False),
        sa.Column("unit", sa.String(length=8), nullable=False),
        sa.Column("unit_label", sa.String(length=16), nullable=False),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("baseline", sa.Float(), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("range_low", sa.Float(), nullable=True),
        sa.Column("range_high", sa.Float(), nullable=True),
        sa.Column("visibility_only", sa.Boolean(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("cadence", sa.String(length=16), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("stale_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("push_token_hash", sa.String(length=64), nullable=True),
        sa.Column("push_token_created_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pull_url", sa.String(length=2000), nullable=False),
        sa.Column("pull_pointer", sa.String(length=200), nullable=False),
        sa.Column("pull_token", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=8), nullable=True),
        sa.Column("learning", sa.Text(), nullable=False),
        sa.Column("closed_by", sa.String(length=32), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("external_confirmed_by", sa.String(length=32), nullable=True),
        sa.Column("external_confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("create_view_id", sa.String(length=32), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goals")),
        sa.UniqueConstraint("team_id", "create_view_id", name=op.f("uq_goals_team_id_create_view_id")),
    )
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goals_team_id"), ["team_id"], unique=False)
        batch_op.create_index("ix_goals_team_status", ["team_id", "status"], unique=False)

    op.create_table(
        "goal_owners",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_goal_owners_goal_id_goals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_owners")),
        sa.UniqueConstraint("goal_id", "user_id", name=op.f("uq_goal_owners_goal_id_user_id")),
    )
    with op.batch_alter_table("goal_owners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_owners_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index("ix_goal_owners_team_user", ["team_id", "user_id"], unique=False)

    op.create_table(
        "goal_values",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=32), nullable=False),
        sa.Column("dedupe_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_goal_values_goal_id_goals"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_values")),
        sa.UniqueConstraint("goal_id", "dedupe_key", name=op.f("uq_goal_values_goal_id_dedupe_key")),
    )
    with op.batch_alter_table("goal_values", schema=None) as batch_op:
        batch_op.create_index("ix_goal_values_goal_measured", ["goal_id", "measured_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_goal_values_team_id"), ["team_id"], unique=False)

    op.create_table(
        "goal_rounds",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("pull_problem", sa.Text(), nullable=False),
        sa.Column("pulled_value_id", sa.Integer(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_goal_rounds_goal_id_goals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["pulled_value_id"],
            ["goal_values.id"],
            name=op.f("fk_goal_rounds_pulled_value_id_goal_values"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_rounds")),
        sa.UniqueConstraint("goal_id", "due_on", name=op.f("uq_goal_rounds_goal_id_due_on")),
    )
    with op.batch_alter_table("goal_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_rounds_goal_id"), ["goal_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_goal_rounds_team_id"), ["team_id"], unique=False)

    op.create_table(
        "goal_checkins",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("goal_id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("value_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("previous_value", sa.Float(), nullable=True),
        sa.Column("confidence", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("view_id", sa.String(length=32), nullable=True),
        sa.Column("reply_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["goal_id"], ["goals.id"], name=op.f("fk_goal_checkins_goal_id_goals"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"], ["goal_rounds.id"], name=op.f("fk_goal_checkins_round_id_goal_rounds"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["value_id"], ["goal_values.id"], name=op.f("fk_goal_checkins_value_id_goal_values"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_checkins")),
        sa.UniqueConstraint("team_id", "view_id", name=op.f("uq_goal_checkins_team_id_view_id")),
    )
    with op.batch_alter_table("goal_checkins", schema=None) as batch_op:
        batch_op.create_index("ix_goal_checkins_goal_at", ["goal_id", "created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_goal_checkins_team_id"), ["team_id"], unique=False)

    op.create_table(
        "goal_prompts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["goal_rounds.id"], name=op.f("fk_goal_prompts_round_id_goal_rounds"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal_prompts")),
        sa.UniqueConstraint("round_id", "user_id", name=op.f("uq_goal_prompts_round_id_user_id")),
    )
    with op.batch_alter_table("goal_prompts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_prompts_round_id"), ["round_id"], unique=False)



def downgrade() -> None:
    with op.batch_alter_table("goal_prompts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_prompts_round_id"))

    op.drop_table("goal_prompts")
    with op.batch_alter_table("goal_checkins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_checkins_team_id"))
        batch_op.drop_index("ix_goal_checkins_goal_at")

    op.drop_table("goal_checkins")
    with op.batch_alter_table("goal_rounds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_rounds_team_id"))
        batch_op.drop_index(batch_op.f("ix_goal_rounds_goal_id"))

    op.drop_table("goal_rounds")
    with op.batch_alter_table("goal_values", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_values_team_id"))
        batch_op.drop_index("ix_goal_values_goal_measured")

    op.drop_table("goal_values")
    with op.batch_alter_table("goal_owners", schema=None) as batch_op:
        batch_op.drop_index("ix_goal_owners_team_user")
        batch_op.drop_index(batch_op.f("ix_goal_owners_goal_id"))

    op.drop_table("goal_owners")
    with op.batch_alter_table("goals", schema=None) as batch_op:
        batch_op.drop_index("ix_goals_team_status")
        batch_op.drop_index(batch_op.f("ix_goals_team_id"))

    op.drop_table("goals")
