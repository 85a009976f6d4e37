"""who chose to post in a channel shared with another organisation

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03

Expand only, so a replica still on 0008 keeps working while others roll over:

- ``outbox.allow_external`` (NOT NULL, server default false): a person chose this row for an
  external channel. Rows written by 0008 code get false, which is the safe answer: the drainer of
  this release holds back anything of theirs bound for an external channel.
- ``standups``/``retro_series``/``digests``: ``external_confirmed_by``/``_at``, who confirmed
  posting the ritual in an external channel, and when (NULL: nobody).
- ``insight_status_changes``: ``thread_reply_by``/``_at``, who chose to tell the customer's
  thread about this change, and when (NULL: nobody, or an internal thread answered by default).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHO_AND_WHEN = {
    "standups": ("external_confirmed_by", "external_confirmed_at"),
    "retro_series": ("external_confirmed_by", "external_confirmed_at"),
    "digests": ("external_confirmed_by", "external_confirmed_at"),
    "insight_status_changes": ("thread_reply_by", "thread_reply_at"),
}


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("allow_external", sa.Boolean(), server_default=sa.false(), nullable=False))
    for table, (who, when) in WHO_AND_WHEN.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column(who, sa.String(length=32), nullable=True))
            batch_op.add_column(sa.Column(when, sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table, (who, when) in WHO_AND_WHEN.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(when)
            batch_op.drop_column(who)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("allow_external")
