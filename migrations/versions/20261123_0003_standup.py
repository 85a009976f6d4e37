"""joint stand-ups

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23

Expand/contract: a migration must keep the previous release working while replicas roll over.
Add columns nullable (or with a server default) and tables first; drop or tighten only in a
later release, once no running version reads the old shape.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "standup_absences",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_absences")),
    )
    with op.batch_alter_table("standup_absences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standup_absences_team_id"), ["team_id"], unique=False)

    op.create_table(
        "standups",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("weekdays", sa.String(length=16), nullable=False),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.Column("zone_mode", sa.String(length=16), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("blocker_question", sa.String(length=300), nullable=False),
        sa.Column("usergroups", sa.JSON(), nullable=False),
        sa.Column("reminder_minutes", sa.Integer(), nullable=False),
        sa.Column("open_minutes", sa.Integer(), nullable=False),
        sa.Column("prefill", sa.Boolean(), nullable=False),
        sa.Column("paused", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standups")),
        sa.UniqueConstraint("team_id", "name", name=op.f("uq_standups_team_id_name")),
    )
    with op.batch_alter_table("standups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standups_team_id"), ["team_id"], unique=False)

    op.create_table(
        "standup_occurrences",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("standup_id", sa.Integer(), nullable=False),
        sa.Column("local_date", sa.Date(), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("parent_key", sa.String(length=200), nullable=False),
        sa.Column("parent_ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["standup_id"], ["standups.id"], name=op.f("fk_standup_occurrences_standup_id_standups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_occurrences")),
        sa.UniqueConstraint("standup_id", "local_date", name=op.f("uq_standup_occurrences_standup_id_local_date")),
    )
    with op.batch_alter_table("standup_occurrences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standup_occurrences_standup_id"), ["standup_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_standup_occurrences_team_id"), ["team_id"], unique=False)

    op.create_table(
        "standup_participants",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("standup_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("joined_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["standup_id"],
            ["standups.id"],
            name=op.f("fk_standup_participants_standup_id_standups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_participants")),
        sa.UniqueConstraint("standup_id", "user_id", name=op.f("uq_standup_participants_standup_id_user_id")),
    )
    with op.batch_alter_table("standup_participants", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standup_participants_standup_id"), ["standup_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_standup_participants_team_id"), ["team_id"], unique=False)

    op.create_table(
        "standup_answers",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("standup_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("responses", sa.JSON(), nullable=False),
        sa.Column("blocker", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("message_key", sa.String(length=200), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["standup_occurrences.id"],
            name=op.f("fk_standup_answers_occurrence_id_standup_occurrences"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["standup_id"], ["standups.id"], name=op.f("fk_standup_answers_standup_id_standups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_answers")),
        sa.UniqueConstraint("occurrence_id", "user_id", name=op.f("uq_standup_answers_occurrence_id_user_id")),
    )
    with op.batch_alter_table("standup_answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standup_answers_occurrence_id"), ["occurrence_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_standup_answers_standup_id"), ["standup_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_standup_answers_team_id"), ["team_id"], unique=False)

    op.create_table(
        "standup_prompts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("side", sa.String(length=16), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("prompted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("skipped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("away", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["standup_occurrences.id"],
            name=op.f("fk_standup_prompts_occurrence_id_standup_occurrences"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_prompts")),
        sa.UniqueConstraint("occurrence_id", "user_id", name=op.f("uq_standup_prompts_occurrence_id_user_id")),
    )
    with op.batch_alter_table("standup_prompts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standup_prompts_occurrence_id"), ["occurrence_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_standup_prompts_team_id"), ["team_id"], unique=False)

    op.create_table(
        "standup_asks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("standup_id", sa.Integer(), nullable=False),
        sa.Column("answer_id", sa.Integer(), nullable=False),
        sa.Column("from_user", sa.String(length=32), nullable=False),
        sa.Column("to_user", sa.String(length=32), nullable=False),
        sa.Column("to_name", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["standup_answers.id"],
            name=op.f("fk_standup_asks_answer_id_standup_answers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["standup_id"], ["standups.id"], name=op.f("fk_standup_asks_standup_id_standups"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_asks")),
    )
    with op.batch_alter_table("standup_asks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standup_asks_answer_id"), ["answer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_standup_asks_standup_id"), ["standup_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_standup_asks_team_id"), ["team_id"], unique=False)
        batch_op.create_index("ix_standup_asks_team_to_user", ["team_id", "to_user", "status"], unique=False)


def downgrade() -> None:
    # Dropping a table drops its indexes too; children before parents.
    for table in (
        "standup_asks",
        "standup_prompts",
        "standup_answers",
        "standup_participants",
        "standup_occurrences",
        "standups",
        "standup_absences",
    ):
        op.drop_table(table)
