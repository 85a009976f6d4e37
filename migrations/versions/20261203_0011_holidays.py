"""public holidays per person, company days off, and gentle escalation of stale asks and blockers

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03

Expand only, so a replica still on 0010 keeps working while others roll over:

- ``standups.escalate_after_days`` (NOT NULL, server default 2): working days before an open ask
  or blocker is raised to the owner.
- ``standup_prompts.holiday`` (NOT NULL, server default ""): the holiday a person was off for.
- new tables ``holiday_calendars`` (a person's chosen country and subdivision),
  ``company_days_off`` (the workspace's own days off) and ``standup_escalations`` (one row per
  ask or blocker raised: the unique key makes raising it exactly once across replicas).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("standups", schema=None) as batch_op:
        batch_op.add_column(sa.Column("escalate_after_days", sa.Integer(), server_default="2", nullable=False))
    with op.batch_alter_table("standup_prompts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("holiday", sa.String(length=200), server_default="", nullable=False))

    op.create_table(
        "holiday_calendars",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=False),
        sa.Column("subdivision", sa.String(length=16), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holiday_calendars")),
        sa.UniqueConstraint("team_id", "user_id", name=op.f("uq_holiday_calendars_team_id_user_id")),
    )
    with op.batch_alter_table("holiday_calendars", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_holiday_calendars_team_id"), ["team_id"], unique=False)

    op.create_table(
        "company_days_off",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_company_days_off")),
        sa.UniqueConstraint("team_id", "day", name=op.f("uq_company_days_off_team_id_day")),
    )
    with op.batch_alter_table("company_days_off", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_company_days_off_team_id"), ["team_id"], unique=False)

    op.create_table(
        "standup_escalations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("standup_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("target_user", sa.String(length=32), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nudged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("nudged_by", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["standup_id"], ["standups.id"], name=op.f("fk_standup_escalations_standup_id_standups"),
            ondelete="CASCADE",
        ),  # fmt: skip
        sa.PrimaryKeyConstraint("id", name=op.f("pk_standup_escalations")),
        sa.UniqueConstraint("team_id", "kind", "ref_id", name=op.f("uq_standup_escalations_team_id_kind_ref_id")),
    )
    with op.batch_alter_table("standup_escalations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_standup_escalations_standup_id"), ["standup_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_standup_escalations_team_id"), ["team_id"], unique=False)


def downgrade() -> None:
    op.drop_table("standup_escalations")
    op.drop_table("company_days_off")
    op.drop_table("holiday_calendars")
    with op.batch_alter_table("standup_prompts", schema=None) as batch_op:
        batch_op.drop_column("holiday")
    with op.batch_alter_table("standups", schema=None) as batch_op:
        batch_op.drop_column("escalate_after_days")
