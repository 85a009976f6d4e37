"""The summaries' tables: a workspace's on/off switch and the summaries shown in place.

A stored summary lets a message that is refreshed later (a late stand-up answer, a retro's new
action item) keep the summary it was given, without asking the model again from a listener."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base


class SummarySetting(Base):
    """One row per workspace that changed the default (no row: summaries on)."""

    __tablename__ = "summary_settings"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_by: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime]


class RitualSummary(Base):
    __tablename__ = "ritual_summaries"
    __table_args__ = (UniqueConstraint("team_id", "ritual", "ref_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    ritual: Mapped[str] = mapped_column(String(16))  # data.Ritual
    ref_id: Mapped[str] = mapped_column(String(64))
    sentences: Mapped[str] = mapped_column(Text)  # one sentence per line, as cleaned (not escaped)
    source: Mapped[str] = mapped_column(String(16))  # data.Source
    created_at: Mapped[datetime]
