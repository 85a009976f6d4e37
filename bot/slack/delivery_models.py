"""Models for the delivery layer: the outbox (one row per intended Web API call) and the record of
failure alerts already sent to ritual owners."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Index, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class OutboxStatus(StrEnum):
    PENDING = "pending"  # waiting for its turn (next_attempt_at), a retry, or a referenced row
    SENDING = "sending"  # leased by a drainer until lease_until; re-sent if the lease expires
    SENT = "sent"
    FAILED = "failed"  # permanent: see error


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        Index("ix_outbox_ready", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(255))
    method: Mapped[str] = mapped_column(String(64))
    args: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Keys of rows this one refers to with {"$result": key, "field": ...}; it waits for them.
    depends_on: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The channel (or user id for a DM) for pacing and alerts, when args name it directly.
    channel: Mapped[str] = mapped_column(String(32), default="")
    status: Mapped[str] = mapped_column(String(8), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None] = mapped_column(nullable=True)
    lease_owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    on_result: Mapped[str | None] = mapped_column(String(64), nullable=True)  # registered result hook
    ritual_kind: Mapped[str | None] = mapped_column(String(64), nullable=True)  # e.g. "standup"
    ritual_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    ritual_owner: Mapped[str | None] = mapped_column(String(32), nullable=True)  # user id told on failure
    # A person chose to show this in a channel shared with another organisation (bot.slack.channels).
    allow_external: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)

    def __repr__(self) -> str:
        return f"<OutboxMessage {self.id} {self.team_id} {self.key!r} {self.method} {self.status}>"
