"""Database models for weekly digests. Every table carries ``team_id``; every query filters by it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base
from bot.digest.ids import ChartStatus, RunStatus


class Digest(Base):
    """One weekly digest, posted to one channel (several per workspace, at most one per channel)."""

    __tablename__ = "digests"
    __table_args__ = (UniqueConstraint("team_id", "channel_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM" in ``timezone``
    timezone: Mapped[str] = mapped_column(String(64))
    sections: Mapped[list[str]] = mapped_column(JSON)  # ids.Section values
    owner_id: Mapped[str] = mapped_column(String(32))
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who confirmed posting in a channel shared with another organisation, and when (bot.slack.channels).
    external_confirmed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    external_confirmed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DigestRun(Base):
    """One digest sent (scheduled or ``/digest now``): what was posted and what became of the chart."""

    __tablename__ = "digest_runs"
    __table_args__ = (
        UniqueConstraint("team_id", "message_key"),
        Index("ix_digest_runs_digest", "team_id", "digest_id", "period_end"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id", ondelete="SET NULL"), nullable=True)
    channel_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # ids.RunKind
    period_start: Mapped[datetime]
    period_end: Mapped[datetime]
    message_key: Mapped[str] = mapped_column(String(255))  # outbox key of the digest message
    status: Mapped[str] = mapped_column(String(16), default=RunStatus.QUEUED)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    chart_status: Mapped[str] = mapped_column(String(16), default=ChartStatus.NONE)
    chart_file_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    chart_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime]


# Indexes migration 0006 adds on other features' tables for the digest's time-range queries.
# They are not in those models, so `alembic check` must not report them (see migrations/env.py).
READ_INDEXES: frozenset[str] = frozenset(
    {
        "ix_digest_insights_created",
        "ix_digest_insights_submitter",
        "ix_digest_insight_status_changes_changed",
        "ix_digest_standup_answers_created",
        "ix_digest_standup_prompts_prompted",
        "ix_digest_retro_action_items_status",
        "ix_digest_retro_action_items_completed",
    }
)
Base.metadata.info.setdefault("alembic_exclude", set()).update(READ_INDEXES)
