"""Database models for shared goals. Every table carries ``team_id``; every query filters by it.

- ``Goal``: the goal or KPI, its yardstick (metric, unit, baseline, target or healthy range), its
  channel message (``message_ts``, the thread root for check-ins) and its check-in cadence.
- ``GoalOwner``: who owns it, and for which side. A shared goal has owners on both sides.
- ``GoalValue``: every measured value, whoever gave it (a check-in, a push, a pull). The latest
  by ``measured_at`` is the goal's current value. ``dedupe_key`` makes a retried push land once.
- ``GoalRound``: one check-in round, identified by ``(goal_id, due_on)`` where ``due_on`` is the
  owners' local date of the cadence (each owner's schedule fires on that date in their zone).
- ``GoalPrompt``: the one DM an owner got for a round (unique per round and owner), kept so the
  DM can be updated once somebody answers.
- ``GoalCheckin``: an owner's answer (value, confidence, note), posted in the goal's thread.

Values are floats (a double on PostgreSQL): metrics are rates, counts and money at a precision
nobody reads past the cents. Instants are aware UTC; ``due_on`` is a local date.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base
from bot.goals.data import METRIC_MAX, POINTER_MAX, TITLE_MAX, UNIT_LABEL_MAX, URL_MAX


class Goal(Base):
    __tablename__ = "goals"
    __table_args__ = (
        # A re-sent or double-clicked "new goal" submission saves one goal.
        UniqueConstraint("team_id", "create_view_id"),
        Index("ix_goals_team_status", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))  # specific: what, for whom
    why: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(8))  # ids.Kind
    metric_name: Mapped[str] = mapped_column(String(METRIC_MAX))
    unit: Mapped[str] = mapped_column(String(8))  # ids.Unit
    unit_label: Mapped[str] = mapped_column(String(UNIT_LABEL_MAX), default="")  # currency code / custom word
    direction: Mapped[str] = mapped_column(String(4))  # ids.Direction
    baseline: Mapped[float] = mapped_column(Float)
    target: Mapped[float | None] = mapped_column(Float, nullable=True)  # Kind.TARGET
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)  # Kind.TARGET
    range_low: Mapped[float | None] = mapped_column(Float, nullable=True)  # Kind.KPI
    range_high: Mapped[float | None] = mapped_column(Float, nullable=True)  # Kind.KPI
    # One side's own KPI, shared with the other for visibility: owners from one side are fine.
    visibility_only: Mapped[bool] = mapped_column(Boolean, default=False)
    channel_id: Mapped[str] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)  # set by Hook.POSTED
    version: Mapped[int] = mapped_column(Integer, default=0)  # bumps on every change the message shows
    # Check-ins: cadence (ids.CheckinCadence), a weekday (Mon=0) and a time in each owner's zone.
    cadence: Mapped[str] = mapped_column(String(16))
    weekday: Mapped[int] = mapped_column(Integer)
    local_time: Mapped[time] = mapped_column(Time)
    starts_on: Mapped[date] = mapped_column(Date)  # anchor of every-2-weeks
    status: Mapped[str] = mapped_column(String(8))  # ids.Status
    # Two rounds missed in a row: shown as stale (and told to the owners once) until a check-in.
    stale_since: Mapped[datetime | None] = mapped_column(nullable=True)
    # Values pushed in: sha256 of the secret token (the token itself is shown once, never stored).
    push_token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    push_token_created_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Values pulled before each check-in: a URL, a JSON pointer, an optional bearer token
    # (encrypted with TANDEM_ENCRYPTION_KEY like the Slack tokens when that is set).
    pull_url: Mapped[str] = mapped_column(String(URL_MAX), default="")
    pull_pointer: Mapped[str] = mapped_column(String(POINTER_MAX), default="")
    pull_token: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Closing.
    outcome: Mapped[str | None] = mapped_column(String(8), nullable=True)  # ids.Outcome
    learning: Mapped[str] = mapped_column(Text, default="")
    closed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    # Who confirmed posting in a channel shared with another organisation, and when (bot.slack.channels).
    external_confirmed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    external_confirmed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    create_view_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    owners: Mapped[list[GoalOwner]] = relationship(
        back_populates="goal", order_by="GoalOwner.id", cascade="all, delete-orphan"
    )

    def owner_ids(self, side: str | None = None) -> list[str]:
        return [o.user_id for o in self.owners if side is None or o.side == side]


class GoalOwner(Base):
    __tablename__ = "goal_owners"
    __table_args__ = (UniqueConstraint("goal_id", "user_id"), Index("ix_goal_owners_team_user", "team_id", "user_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    side: Mapped[str] = mapped_column(String(16))  # ids.Side

    goal: Mapped[Goal] = relationship(back_populates="owners")


class GoalValue(Base):
    __tablename__ = "goal_values"
    __table_args__ = (
        UniqueConstraint("goal_id", "dedupe_key"),
        Index("ix_goal_values_goal_measured", "goal_id", "measured_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    value: Mapped[float] = mapped_column(Float)
    measured_at: Mapped[datetime]  # when the value was true (the push's "at"; else when it arrived)
    source: Mapped[str] = mapped_column(String(8))  # ids.ValueSource
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(32), default="")  # a user id for check-ins
    # Pushes: the Idempotency-Key header, or a hash of the request (see bot.goals.values).
    dedupe_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime]


class GoalRound(Base):
    __tablename__ = "goal_rounds"
    __table_args__ = (UniqueConstraint("goal_id", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date)  # the owners' local date of this check-in
    status: Mapped[str] = mapped_column(String(8))  # ids.RoundStatus
    opened_at: Mapped[datetime]
    # Why the pull source could not give a value this round (told to the owners once), or "".
    pull_problem: Mapped[str] = mapped_column(Text, default="")
    pulled_value_id: Mapped[int | None] = mapped_column(
        ForeignKey("goal_values.id", ondelete="SET NULL"), nullable=True
    )
    answered_at: Mapped[datetime | None] = mapped_column(nullable=True)


class GoalPrompt(Base):
    __tablename__ = "goal_prompts"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    round_id: Mapped[int] = mapped_column(ForeignKey("goal_rounds.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32), default="")  # the DM, set by Hook.PROMPTED
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reminded_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]


class GoalCheckin(Base):
    __tablename__ = "goal_checkins"
    __table_args__ = (
        # A re-sent or double-clicked check-in modal records one check-in.
        UniqueConstraint("team_id", "view_id"),
        Index("ix_goal_checkins_goal_at", "goal_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"))
    round_id: Mapped[int | None] = mapped_column(ForeignKey("goal_rounds.id", ondelete="SET NULL"), nullable=True)
    value_id: Mapped[int | None] = mapped_column(ForeignKey("goal_values.id", ondelete="SET NULL"), nullable=True)
    value: Mapped[float] = mapped_column(Float)
    previous_value: Mapped[float | None] = mapped_column(Float, nullable=True)  # at the last check-in
    confidence: Mapped[str] = mapped_column(String(16))  # ids.Confidence
    note: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[str] = mapped_column(String(32))
    view_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reply_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)  # set by Hook.CHECKIN_POSTED
    created_at: Mapped[datetime]
