"""retros

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Expand/contract: a migration must keep the previous release working while replicas roll over.
Add columns nullable (or with a server default) and tables first; drop or tighten only in a
later release, once no running version reads the old shape.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retro_series",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("facilitator_id", sa.String(length=32), nullable=False),
        sa.Column("template", sa.String(length=32), nullable=False),
        sa.Column("prompts", sa.JSON(), nullable=False),
        sa.Column("anonymity", sa.String(length=16), nullable=False),
        sa.Column("votes_per_person", sa.Integer(), nullable=False),
        sa.Column("collect_minutes", sa.Integer(), nullable=False),
        sa.Column("include_insights", sa.Boolean(), nullable=False),
        sa.Column("start_mode", sa.String(length=16), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("local_time", sa.Time(), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("repeat_weeks", sa.Integer(), nullable=False),
        sa.Column("launch_on", sa.Date(), nullable=True),
        sa.Column("days_after_launch", sa.Integer(), nullable=True),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_series")),
    )
    with op.batch_alter_table("retro_series", schema=None) as batch_op:
        batch_op.create_index("ix_retro_series_team", ["team_id", "archived"], unique=False)

    op.create_table(
        "retros",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("prompts", sa.JSON(), nullable=False),
        sa.Column("anonymity", sa.String(length=16), nullable=False),
        sa.Column("votes_per_person", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("secret_salt", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["series_id"], ["retro_series.id"], name=op.f("fk_retros_series_id_retro_series"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retros")),
        sa.UniqueConstraint("series_id", "number", name=op.f("uq_retros_series_id_number")),
    )
    with op.batch_alter_table("retros", schema=None) as batch_op:
        batch_op.create_index("ix_retros_team_status", ["team_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_retros_series_id"), ["series_id"], unique=False)

    op.create_table(
        "retro_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("retro_id", sa.Integer(), nullable=False),
        sa.Column("prompt_index", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=32), nullable=True),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["retro_id"], ["retros.id"], name=op.f("fk_retro_items_retro_id_retros"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_items")),
    )
    with op.batch_alter_table("retro_items", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retro_items_retro_id"), ["retro_id"], unique=False)

    op.create_table(
        "retro_votes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("retro_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("voter_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["retro_items.id"], name=op.f("fk_retro_votes_item_id_retro_items"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["retro_id"], ["retros.id"], name=op.f("fk_retro_votes_retro_id_retros"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_votes")),
        sa.UniqueConstraint("item_id", "voter_hash", name=op.f("uq_retro_votes_item_id_voter_hash")),
    )
    with op.batch_alter_table("retro_votes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retro_votes_retro_id"), ["retro_id"], unique=False)

    op.create_table(
        "retro_ratings",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("retro_id", sa.Integer(), nullable=False),
        sa.Column("rater_hash", sa.String(length=64), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("trust", sa.Integer(), nullable=False),
        sa.Column("ownership", sa.Integer(), nullable=False),
        sa.Column("planning", sa.Integer(), nullable=False),
        sa.Column("focus", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["retro_id"], ["retros.id"], name=op.f("fk_retro_ratings_retro_id_retros"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_ratings")),
        sa.UniqueConstraint("retro_id", "rater_hash", name=op.f("uq_retro_ratings_retro_id_rater_hash")),
    )
    with op.batch_alter_table("retro_ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_retro_ratings_retro_id"), ["retro_id"], unique=False)

    op.create_table(
        "retro_person_sides",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_retro_person_sides")),
    )

    op.create_table(
        "retro_action_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=False),
        sa.Column("retro_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("owner_tz", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["item_id"], ["retro_items.id"], name=op.f("fk_retro_action_items_item_id_retro_items"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["retro_id"], ["retros.id"], name=op.f("fk_retro_action_items_retro_id_retros"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["series_id"],
            ["retro_series.id"],
            name=op.f("fk_retro_action_items_series_id_retro_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retro_action_items")),
    )
    with op.batch_alter_table("retro_action_items", schema=None) as batch_op:
        batch_op.create_index("ix_retro_action_items_owner", ["team_id", "owner_id", "status"], unique=False)
        batch_op.create_index("ix_retro_action_items_series", ["team_id", "series_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_retro_action_items_retro_id"), ["retro_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("retro_action_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retro_action_items_retro_id"))
        batch_op.drop_index("ix_retro_action_items_series")
        batch_op.drop_index("ix_retro_action_items_owner")
    op.drop_table("retro_action_items")
    op.drop_table("retro_person_sides")
    with op.batch_alter_table("retro_ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retro_ratings_retro_id"))
    op.drop_table("retro_ratings")
    with op.batch_alter_table("retro_votes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retro_votes_retro_id"))
    op.drop_table("retro_votes")
    with op.batch_alter_table("retro_items", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retro_items_retro_id"))
    op.drop_table("retro_items")
    with op.batch_alter_table("retros", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_retros_series_id"))
        batch_op.drop_index("ix_retros_team_status")
    op.drop_table("retros")
    with op.batch_alter_table("retro_series", schema=None) as batch_op:
        batch_op.drop_index("ix_retro_series_team")
    op.drop_table("retro_series")
