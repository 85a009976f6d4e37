"""Database models for customer insights. Every table carries ``team_id``; every query filters by it.

Full-text search lives outside these models on purpose (see ``bot.insights.search``): an FTS5
virtual table with triggers on SQLite and a generated ``tsvector`` column with a GIN index on
PostgreSQL, both created by migration 0005 and excluded from ``alembic check`` through
``Base.metadata.info["alembic_exclude"]`` (read by migrations/env.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base
from bot.insights.data import CUSTOMER_MAX, SEGMENT_MAX, TAG_MAX, URL_MAX
from bot.insights.search import SCHEMA_OBJECTS_OUTSIDE_MODELS

Base.metadata.info.setdefault("alembic_exclude", set()).update(SCHEMA_OBJECTS_OUTSIDE_MODELS)


class InsightSettings(Base):
    """Per-workspace preferences, edited with ``/insight setup``."""

    __tablename__ = "insight_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel_id: Mapped[str | None] = mapped_column(String(32))
    triager_user_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    triager_usergroup_id: Mapped[str | None] = mapped_column(String(32))
    notify_submitter: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_plus_ones: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_thread: Mapped[bool] = mapped_column(Boolean, default=True)
    # The last insight number handed out: bumped atomically, so concurrent captures never collide.
    last_number: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    updated_by: Mapped[str] = mapped_column(String(32), default="")
    updated_at: Mapped[datetime]


class InsightTag(Base):
    __tablename__ = "insight_tags"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(TAG_MAX))
    created_at: Mapped[datetime]


class InsightTagLink(Base):
    __tablename__ = "insight_tag_links"

    insight_id: Mapped[int] = mapped_column(ForeignKey("insights.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("insight_tags.id", ondelete="CASCADE"), primary_key=True, index=True)


class Insight(Base):
    __tablename__ = "insights"
    __table_args__ = (
        UniqueConstraint("team_id", "number"),
        # A re-sent or double-clicked submission of the same modal saves one insight.
        UniqueConstraint("team_id", "capture_view_id"),
        Index("ix_insights_team_status", "team_id", "status"),
        Index("ix_insights_team_category", "team_id", "category"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    number: Mapped[int] = mapped_column(Integer)  # per workspace, what people see: "#12"
    text: Mapped[str] = mapped_column(Text)
    customer: Mapped[str] = mapped_column(String(CUSTOMER_MAX), default="")
    segment: Mapped[str] = mapped_column(String(SEGMENT_MAX), default="")
    source: Mapped[str | None] = mapped_column(String(32))  # ids.Source
    category: Mapped[str | None] = mapped_column(String(32))  # ids.Category
    impact: Mapped[str | None] = mapped_column(String(16))  # ids.Impact
    evidence_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    status: Mapped[str] = mapped_column(String(16))  # ids.Status
    status_note: Mapped[str] = mapped_column(Text, default="")
    roadmap_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    submitted_by: Mapped[str] = mapped_column(String(32))
    # Where it was captured from, when it came from a message (message shortcut).
    source_channel_id: Mapped[str] = mapped_column(String(32), default="")
    source_message_ts: Mapped[str] = mapped_column(String(32), default="")
    source_thread_ts: Mapped[str] = mapped_column(String(32), default="")
    source_author_id: Mapped[str] = mapped_column(String(32), default="")
    source_permalink: Mapped[str] = mapped_column(String(URL_MAX), default="")
    capture_view_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # The insight's message in the insights channel (set by the outbox result hook).
    channel_id: Mapped[str] = mapped_column(String(32), default="")
    message_ts: Mapped[str | None] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer, default=0)  # bumps on every change shown in the channel
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    tags: Mapped[list[InsightTag]] = relationship(secondary="insight_tag_links", order_by=InsightTag.name)
    votes: Mapped[list[InsightVote]] = relationship(
        back_populates="insight", order_by="InsightVote.id", cascade="all, delete-orphan"
    )

    @property
    def tag_names(self) -> list[str]:
        return [tag.name for tag in self.tags]


class InsightVote(Base):
    """A "Heard this too": one per person per insight (a second one updates the first)."""

    __tablename__ = "insight_votes"
    __table_args__ = (UniqueConstraint("insight_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    insight_id: Mapped[int] = mapped_column(ForeignKey("insights.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    customer: Mapped[str] = mapped_column(String(CUSTOMER_MAX), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]

    insight: Mapped[Insight] = relationship(back_populates="votes")


class InsightStatusChange(Base):
    """History of triage; each row is one loop-closing fan-out (its id is in the outbox keys)."""

    __tablename__ = "insight_status_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    insight_id: Mapped[int] = mapped_column(ForeignKey("insights.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    roadmap_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    changed_by: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime]
    # Who chose to tell the customer's own thread (a channel shared with another organisation), and when.
    thread_reply_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    thread_reply_at: Mapped[datetime | None] = mapped_column(nullable=True)


class InsightDraft(Base):
    """What someone typed, parked while they choose between a similar insight and "save as new".

    Kept in the database rather than private_metadata: the text alone may be 3,000 characters,
    Slack's whole private_metadata limit.
    """

    __tablename__ = "insight_drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime]
