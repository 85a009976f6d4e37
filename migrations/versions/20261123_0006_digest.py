"""weekly digests

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23

Expand/contract: a migration must keep the previous release working while replicas roll over.
Add columns nullable (or with a server default) and tables first; drop or tighten only in a
later release, once no running version reads the old shape.

Besides the digest's own tables, this adds the time-range indexes the digest compile needs on
other features' tables (bench/digest.py: 100k insights, 50k answers, 5k action items under
100 ms). They are named ``ix_digest_*``, are not declared in those features' models and are
excluded from ``alembic check`` via ``bot.digest.models.READ_INDEXES``. Their owners may move
them into their own models and migrations; then drop them from here and from READ_INDEXES.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name -> (table, columns); keep in step with bot.digest.models.READ_INDEXES.
READ_INDEXES = {
    "ix_digest_insights_created": ("insights", ["team_id", "created_at"]),
    "ix_digest_insights_submitter": ("insights", ["team_id", "submitted_by", "updated_at"]),
    "ix_digest_insight_status_changes_changed": ("insight_status_changes", ["team_id", "changed_at"]),
    "ix_digest_standup_answers_created": ("standup_answers", ["team_id", "created_at"]),
    "ix_digest_standup_prompts_prompted": ("standup_prompts", ["team_id", "prompted_at"]),
    "ix_digest_retro_action_items_status": ("retro_action_items", ["team_id", "status", "due_on"]),
    "ix_digest_retro_action_items_completed": ("retro_action_items", ["team_id", "completed_at"]),
}


def upgrade() -> None:
    op.create_table(
        "digests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digests")),
        sa.UniqueConstraint("team_id", "channel_id", name=op.f("uq_digests_team_id_channel_id")),
    )
    op.create_index(op.f("ix_digests_team_id"), "digests", ["team_id"], unique=False)
    op.create_table(
        "digest_runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("message_key", sa.String(length=255), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("chart_status", sa.String(length=16), nullable=False),
        sa.Column("chart_file_id", sa.String(length=32), nullable=True),
        sa.Column("chart_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["digest_id"], ["digests.id"], name=op.f("fk_digest_runs_digest_id_digests"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_digest_runs")),
        sa.UniqueConstraint("team_id", "message_key", name=op.f("uq_digest_runs_team_id_message_key")),
    )
    op.create_index("ix_digest_runs_digest", "digest_runs", ["team_id", "digest_id", "period_end"], unique=False)
    for name, (table, columns) in READ_INDEXES.items():
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, (table, _columns) in READ_INDEXES.items():
        op.drop_index(name, table_name=table)
    op.drop_index("ix_digest_runs_digest", table_name="digest_runs")
    op.drop_table("digest_runs")
    op.drop_index(op.f("ix_digests_team_id"), table_name="digests")
    op.drop_table("digests")
