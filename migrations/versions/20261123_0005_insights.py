"""customer insights

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

Expand/contract: a migration must keep the previous release working while replicas roll over.
Add columns nullable (or with a server default) and tables first; drop or tighten only in a
later release, once no running version reads the old shape.

Full-text search is dialect-specific and lives outside the ORM models (see bot/insights/search.py):
SQLite gets an external-content FTS5 table kept in step by triggers, PostgreSQL a generated
tsvector column with a GIN index. migrations/env.py excludes both from `alembic check`.
A later batch rebuild of `insights` on SQLite drops the triggers: recreate them there.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_FTS_UP = (
    "CREATE VIRTUAL TABLE insights_fts USING fts5("
    "text, customer, segment, content='insights', content_rowid='id', "
    "tokenize='porter unicode61 remove_diacritics 2')",
    "CREATE TRIGGER insights_fts_ai AFTER INSERT ON insights BEGIN "
    "INSERT INTO insights_fts(rowid, text, customer, segment) VALUES (new.id, new.text, new.customer, new.segment); "
    "END",
    "CREATE TRIGGER insights_fts_ad AFTER DELETE ON insights BEGIN "
    "INSERT INTO insights_fts(insights_fts, rowid, text, customer, segment) "
    "VALUES ('delete', old.id, old.text, old.customer, old.segment); "
    "END",
    "CREATE TRIGGER insights_fts_au AFTER UPDATE OF text, customer, segment ON insights BEGIN "
    "INSERT INTO insights_fts(insights_fts, rowid, text, customer, segment) "
    "VALUES ('delete', old.id, old.text, old.customer, old.segment); "
    "INSERT INTO insights_fts(rowid, text, customer, segment) VALUES (new.id, new.text, new.customer, new.segment); "
    "END",
    # Index whatever already exists (nothing on a fresh install; cheap either way).
    "INSERT INTO insights_fts(insights_fts) VALUES ('rebuild')",
)
SQLITE_FTS_DOWN = (
    "DROP TRIGGER IF EXISTS insights_fts_au",
    "DROP TRIGGER IF EXISTS insights_fts_ad",
    "DROP TRIGGER IF EXISTS insights_fts_ai",
    "DROP TABLE IF EXISTS insights_fts",
)
POSTGRES_FTS_UP = (
    "ALTER TABLE insights ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', coalesce(text, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(customer, '')), 'B') || "
    "setweight(to_tsvector('english', coalesce(segment, '')), 'C')) STORED",
    "CREATE INDEX ix_insights_search_vector ON insights USING gin (search_vector)",
)
POSTGRES_FTS_DOWN = (
    "DROP INDEX IF EXISTS ix_insights_search_vector",
    "ALTER TABLE insights DROP COLUMN IF EXISTS search_vector",
)


def upgrade() -> None:
    op.create_table(
        "insight_settings",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("triager_user_ids", sa.JSON(), nullable=False),
        sa.Column("triager_usergroup_id", sa.String(length=32), nullable=True),
        sa.Column("notify_submitter", sa.Boolean(), nullable=False),
        sa.Column("notify_plus_ones", sa.Boolean(), nullable=False),
        sa.Column("notify_thread", sa.Boolean(), nullable=False),
        sa.Column("last_number", sa.Integer(), server_default="0", nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_insight_settings")),
    )
    op.create_table(
        "insight_tags",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_tags")),
        sa.UniqueConstraint("team_id", "name", name=op.f("uq_insight_tags_team_id_name")),
    )
    op.create_index(op.f("ix_insight_tags_team_id"), "insight_tags", ["team_id"], unique=False)

    op.create_table(
        "insights",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("customer", sa.String(length=200), nullable=False),
        sa.Column("segment", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=32), nullable=True),
        sa.Column("category", sa.String(length=32), nullable=True),
        sa.Column("impact", sa.String(length=16), nullable=True),
        sa.Column("evidence_url", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("status_note", sa.Text(), nullable=False),
        sa.Column("roadmap_url", sa.String(length=2000), nullable=False),
        sa.Column("submitted_by", sa.String(length=32), nullable=False),
        sa.Column("source_channel_id", sa.String(length=32), nullable=False),
        sa.Column("source_message_ts", sa.String(length=32), nullable=False),
        sa.Column("source_thread_ts", sa.String(length=32), nullable=False),
        sa.Column("source_author_id", sa.String(length=32), nullable=False),
        sa.Column("source_permalink", sa.String(length=2000), nullable=False),
        sa.Column("capture_view_id", sa.String(length=32), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insights")),
        sa.UniqueConstraint("team_id", "number", name=op.f("uq_insights_team_id_number")),
        sa.UniqueConstraint("team_id", "capture_view_id", name=op.f("uq_insights_team_id_capture_view_id")),
    )
    op.create_index("ix_insights_team_category", "insights", ["team_id", "category"], unique=False)
    op.create_index(op.f("ix_insights_team_id"), "insights", ["team_id"], unique=False)
    op.create_index("ix_insights_team_status", "insights", ["team_id", "status"], unique=False)

    op.create_table(
        "insight_drafts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_drafts")),
    )
    op.create_index(op.f("ix_insight_drafts_team_id"), "insight_drafts", ["team_id"], unique=False)

    op.create_table(
        "insight_status_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("insight_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=False),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("roadmap_url", sa.String(length=2000), nullable=False),
        sa.Column("changed_by", sa.String(length=32), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["insight_id"],
            ["insights.id"],
            name=op.f("fk_insight_status_changes_insight_id_insights"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_status_changes")),
    )
    op.create_index(
        op.f("ix_insight_status_changes_insight_id"), "insight_status_changes", ["insight_id"], unique=False
    )
    op.create_index(op.f("ix_insight_status_changes_team_id"), "insight_status_changes", ["team_id"], unique=False)

    op.create_table(
        "insight_tag_links",
        sa.Column("insight_id", sa.Integer(), nullable=False),
        sa.Column("tag_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["insight_id"], ["insights.id"], name=op.f("fk_insight_tag_links_insight_id_insights"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["tag_id"], ["insight_tags.id"], name=op.f("fk_insight_tag_links_tag_id_insight_tags"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("insight_id", "tag_id", name=op.f("pk_insight_tag_links")),
    )
    op.create_index(op.f("ix_insight_tag_links_tag_id"), "insight_tag_links", ["tag_id"], unique=False)

    op.create_table(
        "insight_votes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("insight_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("customer", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["insight_id"], ["insights.id"], name=op.f("fk_insight_votes_insight_id_insights"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_insight_votes")),
        sa.UniqueConstraint("insight_id", "user_id", name=op.f("uq_insight_votes_insight_id_user_id")),
    )
    op.create_index(op.f("ix_insight_votes_insight_id"), "insight_votes", ["insight_id"], unique=False)
    op.create_index(op.f("ix_insight_votes_team_id"), "insight_votes", ["team_id"], unique=False)

    dialect = op.get_bind().dialect.name
    statements = {"sqlite": SQLITE_FTS_UP, "postgresql": POSTGRES_FTS_UP}.get(dialect, ())
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": SQLITE_FTS_DOWN, "postgresql": POSTGRES_FTS_DOWN}.get(dialect, ()):
        op.execute(statement)
    op.drop_index(op.f("ix_insight_votes_team_id"), table_name="insight_votes")
    op.drop_index(op.f("ix_insight_votes_insight_id"), table_name="insight_votes")
    op.drop_table("insight_votes")
    op.drop_index(op.f("ix_insight_tag_links_tag_id"), table_name="insight_tag_links")
    op.drop_table("insight_tag_links")
    op.drop_index(op.f("ix_insight_status_changes_team_id"), table_name="insight_status_changes")
    op.drop_index(op.f("ix_insight_status_changes_insight_id"), table_name="insight_status_changes")
    op.drop_table("insight_status_changes")
    op.drop_index(op.f("ix_insight_drafts_team_id"), table_name="insight_drafts")
    op.drop_table("insight_drafts")
    op.drop_index("ix_insights_team_status", table_name="insights")
    op.drop_index(op.f("ix_insights_team_id"), table_name="insights")
    op.drop_index("ix_insights_team_category", table_name="insights")
    op.drop_table("insights")
    op.drop_index(op.f("ix_insight_tags_team_id"), table_name="insight_tags")
    op.drop_table("insight_tags")
    op.drop_table("insight_settings")
