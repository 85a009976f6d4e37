"""Database models for launches. Every table carries ``team_id``; every query filters by it.

- ``Launch``: what ships and for whom, the kind, the two leads, the channel and its one message
  (``message_ts``, updated in place), the zone its launch-day message keeps.
- ``LaunchPhase``: a date the launch (or one phase of a staggered launch) goes out, its audience,
  and the leads' go/no-go decision for it. A quiet or full launch has exactly one phase.
- ``LaunchItem``: a checklist item: a side, an owner, an offset in days from its phase's date
  and the due date that gives (kept in step by the services: moving a phase re-dates its items).
- ``LaunchGoal``: the shared goals that are the launch's success metrics.
- ``LaunchNotice``: every DM the plan sent about something, under a unique key per workspace
  (``due:<item>:<date>:<user>``, ``overdue:<item>:<date>:<lead>``, ``gonogo:<phase>:<date>:<lead>``,
  ...): what makes a DM go once even with two replicas ticking, and where the DM landed so it can
  be updated in place.

Dates are local dates of the plan (``date``); instants are aware UTC.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base
from bot.launches.data import AUDIENCE_MAX, ITEM_TITLE_MAX, NAME_MAX, PHASE_NAME_MAX


class Launch(Base):
    __tablename__ = "launches"
    __table_args__ = (
        # A re-sent or double-clicked "new launch" submission saves one launch.
        UniqueConstraint("team_id", "create_view_id"),
        Index("ix_launches_team_status", "team_id", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    what: Mapped[str] = mapped_column(Text, default="")  # what ships and for whom
    kind: Mapped[str] = mapped_column(String(16))  # ids.LaunchKind
    status: Mapped[str] = mapped_column(String(16))  # ids.LaunchStatus
    product_lead: Mapped[str] = mapped_column(String(32))
    marketing_lead: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32))
    # The zone of the plan's channel-wide moments (the launch-day message): the creator's.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)  # set by Hook.POSTED
    version: Mapped[int] = mapped_column(Integer, default=0)  # bumps on every change the message shows
    # The launch retro's series (bot.retro), made with the plan; no FK: the retro keeps its history.
    retro_series_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Who confirmed posting in a channel shared with another organisation, and when (bot.slack.channels).
    external_confirmed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    external_confirmed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    cancelled_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    create_view_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    phases: Mapped[list[LaunchPhase]] = relationship(
        back_populates="launch", order_by="LaunchPhase.position", cascade="all, delete-orphan"
    )
    items: Mapped[list[LaunchItem]] = relationship(
        back_populates="launch", order_by=lambda: [LaunchItem.due_on, LaunchItem.id], cascade="all, delete-orphan"
    )
    goal_links: Mapped[list[LaunchGoal]] = relationship(
        back_populates="launch", order_by="LaunchGoal.id", cascade="all, delete-orphan"
    )

    @property
    def launch_on(self) -> date:
        return self.phases[0].launch_on

    def leads(self) -> tuple[str, str]:
        return (self.product_lead, self.marketing_lead)


class LaunchPhase(Base):
    __tablename__ = "launch_phases"
    __table_args__ = (UniqueConstraint("launch_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    launch_id: Mapped[int] = mapped_column(ForeignKey("launches.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # 0 = the launch date
    name: Mapped[str] = mapped_column(String(PHASE_NAME_MAX))
    audience: Mapped[str] = mapped_column(String(AUDIENCE_MAX), default="")
    launch_on: Mapped[date] = mapped_column(Date)
    # The leads' go/no-go for this date (ids.Decision); cleared when the date moves.
    decision: Mapped[str | None] = mapped_column(String(8), nullable=True)
    decision_reason: Mapped[str] = mapped_column(Text, default="")
    decided_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    shipped_at: Mapped[datetime | None] = mapped_column(nullable=True)  # its launch day came

    launch: Mapped[Launch] = relationship(back_populates="phases")


class LaunchItem(Base):
    __tablename__ = "launch_items"
    __table_args__ = (
        Index("ix_launch_items_team_owner", "team_id", "owner_id", "status"),
        Index("ix_launch_items_launch_due", "launch_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    launch_id: Mapped[int] = mapped_column(ForeignKey("launches.id", ondelete="CASCADE"))
    phase_id: Mapped[int] = mapped_column(ForeignKey("launch_phases.id", ondelete="CASCADE"), index=True)
    template_key: Mapped[str] = mapped_column(String(32), default="")  # "" for items people added
    kind: Mapped[str] = mapped_column(String(16))  # ids.ItemKind
    title: Mapped[str] = mapped_column(String(ITEM_TITLE_MAX))
    side: Mapped[str] = mapped_column(String(16))  # ids.Side
    owner_id: Mapped[str] = mapped_column(String(32))
    offset_days: Mapped[int] = mapped_column(Integer)  # from its phase's date: -21 is T-21
    due_on: Mapped[date] = mapped_column(Date)  # phase date + offset_days
    status: Mapped[str] = mapped_column(String(16))  # ids.ItemStatus
    blocked_reason: Mapped[str] = mapped_column(Text, default="")
    # Done or re-dated after its due date had passed: "late" in the launch retro.
    was_late: Mapped[bool] = mapped_column(Boolean, default=False)
    done_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    done_at: Mapped[datetime | None] = mapped_column(nullable=True)
    dropped_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    dropped_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    launch: Mapped[Launch] = relationship(back_populates="items")
    phase: Mapped[LaunchPhase] = relationship()


class LaunchGoal(Base):
    __tablename__ = "launch_goals"
    __table_args__ = (UniqueConstraint("launch_id", "goal_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    launch_id: Mapped[int] = mapped_column(ForeignKey("launches.id", ondelete="CASCADE"))
    goal_id: Mapped[int] = mapped_column(ForeignKey("goals.id", ondelete="CASCADE"), index=True)

    launch: Mapped[Launch] = relationship(back_populates="goal_links")


class LaunchNotice(Base):
    __tablename__ = "launch_notices"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32))
    launch_id: Mapped[int] = mapped_column(ForeignKey("launches.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(32))
    channel_id: Mapped[str] = mapped_column(String(32), default="")  # the DM, set when posted
    message_ts: Mapped[str | None] = mapped_column(String(32), nullable=True)
    created_at: Mapped[datetime]
