"""Database models for retros.

Anonymity is a property of the schema, not of the views:

- An anonymous item has ``author_id`` NULL. Nothing else records who added it: no timestamp,
  no outbox row naming the author, no log line.
- Votes and partnership ratings carry only ``voter_hash`` / ``rater_hash``: an HMAC of the
  user id keyed by the app's secret and the retro's random ``secret_salt``. The hash is needed
  while a retro is open (vote limits, "your votes", one rating per person). At close the votes
  are tallied onto the items, the vote rows deleted and ``secret_salt`` wiped, so afterwards no
  one — admins and database readers included — can link a vote or rating to a person.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from bot.db import Base, computed_from
from bot.retro.ids import ActionStatus, Anonymity, RetroStatus, StartMode
from bot.slack import text as slack_text


class RetroSeries(Base):
    """A retro as set up with ``/retro``: one-off or recurring. Each run is a ``Retro``."""

    __tablename__ = "retro_series"
    __table_args__ = (
        Index("ix_retro_series_team", "team_id", "archived"),
        Index("ix_retro_series_team_title_key", "team_id", "title_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(150))
    # ``bot.slack.text.name_key(title)``: what finding a series by title and the duplicate check
    # compare. Set with the title (below; the default covers Core inserts). Text: a key can be
    # longer than its title. Not unique: rows from before the key may clash.
    title_key: Mapped[str] = mapped_column(Text, default=computed_from("title", slack_text.name_key))
    channel_id: Mapped[str] = mapped_column(String(32))
    facilitator_id: Mapped[str] = mapped_column(String(32))
    template: Mapped[str] = mapped_column(String(32))  # RetroTemplate
    prompts: Mapped[list[str]] = mapped_column(JSON)
    anonymity: Mapped[str] = mapped_column(String(16), default=Anonymity.OPTIONAL)
    votes_per_person: Mapped[int] = mapped_column(Integer, default=3)
    collect_minutes: Mapped[int] = mapped_column(Integer)
    include_insights: Mapped[bool] = mapped_column(Boolean, default=False)
    start_mode: Mapped[str] = mapped_column(String(16), default=StartMode.NOW)
    # When it runs, as set up (the ``retro.open`` schedule holds the computed instants): kept so
    # ``/retro edit`` can show the form as it was filled in.
    starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    local_time: Mapped[time | None] = mapped_column(Time, nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    repeat_weeks: Mapped[int] = mapped_column(Integer, default=1)
    launch_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # "N days after the launch"
    days_after_launch: Mapped[int | None] = mapped_column(Integer, nullable=True)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # Deleted with ``/retro delete``: no more runs; past runs and action items are kept.
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who confirmed posting in a channel shared with another organisation, and when (bot.slack.channels).
    external_confirmed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    external_confirmed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # The shared goal this retro was opened about (bot.goals, "Open a retro about it"); no FK.
    goal_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # What the retro opens with, handed to it by whatever set it up (the launch retro's brief):
    # ``[{"title": str, "lines": [str, ...]}, ...]``, plain text the views escape. NULL: none.
    opening_notes: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime]

    @validates("title")
    def _set_title_key(self, _attribute: str, title: str) -> str:
        self.title_key = slack_text.name_key(title)
        return title


class Retro(Base):
    """One run of a series: collects items and votes from ``opened_at`` until it closes."""

    __tablename__ = "retros"
    __table_args__ = (
        UniqueConstraint("series_id", "number"),
        Index("ix_retros_team_status", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    series_id: Mapped[int] = mapped_column(ForeignKey("retro_series.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(8), default=RetroStatus.OPEN)
    channel_id: Mapped[str] = mapped_column(String(32))
    # Copied from the series when the run opens, like the prompts: editing the series never
    # changes the promise made to people already adding items (anonymity) or voting.
    prompts: Mapped[list[str]] = mapped_column(JSON)
    anonymity: Mapped[str] = mapped_column(String(16), default=Anonymity.OPTIONAL)
    votes_per_person: Mapped[int] = mapped_column(Integer, default=3)
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Random per retro; wiped at close so vote and rating hashes can no longer be recomputed.
    secret_salt: Mapped[str | None] = mapped_column(String(64), nullable=True)


class RetroItem(Base):
    __tablename__ = "retro_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id", ondelete="CASCADE"), index=True)
    prompt_index: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[str | None] = mapped_column(String(32), nullable=True)  # NULL: anonymous
    votes: Mapped[int] = mapped_column(Integer, default=0)  # tallied at close; 0 while open


class RetroVote(Base):
    __tablename__ = "retro_votes"
    __table_args__ = (UniqueConstraint("item_id", "voter_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("retro_items.id", ondelete="CASCADE"))
    voter_hash: Mapped[str] = mapped_column(String(64))


class RetroRating(Base):
    """A partnership-health rating: three strands 1-5, a side and one strand to work on."""

    __tablename__ = "retro_ratings"
    __table_args__ = (UniqueConstraint("retro_id", "rater_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id", ondelete="CASCADE"), index=True)
    rater_hash: Mapped[str] = mapped_column(String(64))
    side: Mapped[str] = mapped_column(String(16))  # Side
    trust: Mapped[int] = mapped_column(Integer)
    ownership: Mapped[int] = mapped_column(Integer)
    planning: Mapped[int] = mapped_column(Integer)
    focus: Mapped[str] = mapped_column(String(16))  # Strand


class RetroPersonSide(Base):
    """Which side a person said they are on, so the rating modal can preselect it next time."""

    __tablename__ = "retro_person_sides"

    team_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    side: Mapped[str] = mapped_column(String(16))


class RetroActionItem(Base):
    __tablename__ = "retro_action_items"
    __table_args__ = (
        Index("ix_retro_action_items_owner", "team_id", "owner_id", "status"),
        Index("ix_retro_action_items_series", "team_id", "series_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    series_id: Mapped[int] = mapped_column(ForeignKey("retro_series.id", ondelete="CASCADE"))
    retro_id: Mapped[int] = mapped_column(ForeignKey("retros.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("retro_items.id", ondelete="SET NULL"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[str] = mapped_column(String(32))
    due_on: Mapped[date] = mapped_column(Date)
    owner_tz: Mapped[str] = mapped_column(String(64), default="UTC")
    status: Mapped[str] = mapped_column(String(8), default=ActionStatus.OPEN)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    completed_at: Mapped[datetime | None] = mapped_column(nullable=True)
