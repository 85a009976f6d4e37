"""Database models for joint stand-ups. Every table carries ``team_id``; every query filters by it.

Occurrence identity is ``(standup_id, local_date)``: see ``bot.standup.rounds`` for the rule.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, validates

from bot.db import Base, computed_from
from bot.slack import text as slack_text


class Standup(Base):
    __tablename__ = "standups"
    __table_args__ = (
        UniqueConstraint("team_id", "name"),
        Index("ix_standups_team_name_key", "team_id", "name_key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(String(80))
    # ``bot.slack.text.name_key(name)``: what finding a stand-up by name and the duplicate check
    # compare. Set with the name (below; the default covers Core inserts). Text: a key can be
    # longer than its name. Not unique: rows from before the key may clash.
    name_key: Mapped[str] = mapped_column(Text, default=computed_from("name", slack_text.name_key))
    channel_id: Mapped[str] = mapped_column(String(32))
    owner_id: Mapped[str] = mapped_column(String(32))
    weekdays: Mapped[str] = mapped_column(String(16))  # ISO weekdays Mon=0, e.g. "0,1,2,3,4"
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM"
    zone_mode: Mapped[str] = mapped_column(String(16))  # ids.ZoneMode
    timezone: Mapped[str] = mapped_column(String(64))  # the one zone in fixed mode
    # {"all": [...], "product": [...], "marketing": [...], "other": [...]}; only "all" is required.
    questions: Mapped[dict[str, Any]] = mapped_column(JSON)
    blocker_question: Mapped[str] = mapped_column(String(300))
    usergroups: Mapped[dict[str, Any]] = mapped_column(JSON)  # side -> [usergroup ids]
    reminder_minutes: Mapped[int] = mapped_column(Integer)  # 0 = no reminder
    # An ask or blocker open this many working days is raised once to the owner (``escalation``).
    escalate_after_days: Mapped[int] = mapped_column(Integer, default=2, server_default="2")
    open_minutes: Mapped[int] = mapped_column(Integer)
    prefill: Mapped[bool] = mapped_column(Boolean)
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    # Who confirmed posting in a channel shared with another organisation, and when (bot.slack.channels).
    external_confirmed_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    external_confirmed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def days(self) -> list[int]:
        return sorted(int(d) for d in self.weekdays.split(",") if d.strip())

    @validates("name")
    def _set_name_key(self, _attribute: str, name: str) -> str:
        self.name_key = slack_text.name_key(name)
        return name


class StandupParticipant(Base):
    __tablename__ = "standup_participants"
    __table_args__ = (UniqueConstraint("standup_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standups.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    side: Mapped[str] = mapped_column(String(16))  # ids.Side
    timezone: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_at: Mapped[datetime]
    # The user group this person came through (None: picked by name). Group members follow the
    # group (``resync_usergroups``); people picked by name stay until the stand-up is edited.
    via_group: Mapped[str | None] = mapped_column(String(32), nullable=True, default=None)


class StandupOccurrence(Base):
    __tablename__ = "standup_occurrences"
    __table_args__ = (UniqueConstraint("standup_id", "local_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standups.id", ondelete="CASCADE"), index=True)
    local_date: Mapped[date] = mapped_column(Date)
    channel_id: Mapped[str] = mapped_column(String(32))
    opened_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    parent_key: Mapped[str] = mapped_column(String(200))  # outbox key of the parent message
    parent_ts: Mapped[str | None] = mapped_column(String(32))


class StandupPrompt(Base):
    """One participant's place in one occurrence: prompted once, reminded at most once, maybe skipped."""

    __tablename__ = "standup_prompts"
    __table_args__ = (UniqueConstraint("occurrence_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("standup_occurrences.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    side: Mapped[str] = mapped_column(String(16))
    due_at: Mapped[datetime]  # when this person was (or is) prompted
    prompted_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    skipped_at: Mapped[datetime | None]
    away: Mapped[bool] = mapped_column(Boolean, default=False)  # out of office: never prompted
    # The public holiday or company day off this person had on the occurrence's date ("" = none):
    # never prompted, shown "off (holiday)" in the summary.
    holiday: Mapped[str] = mapped_column(String(200), default="", server_default="")


class StandupAnswer(Base):
    __tablename__ = "standup_answers"
    __table_args__ = (UniqueConstraint("occurrence_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standups.id", ondelete="CASCADE"), index=True)
    occurrence_id: Mapped[int] = mapped_column(ForeignKey("standup_occurrences.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    side: Mapped[str] = mapped_column(String(16))
    responses: Mapped[list[dict[str, str]]] = mapped_column(JSON)  # [{"question": ..., "answer": ...}]
    blocker: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    edited_at: Mapped[datetime | None]
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    message_key: Mapped[str] = mapped_column(String(200))  # outbox key of the thread reply
    message_ts: Mapped[str | None] = mapped_column(String(32))


class StandupAsk(Base):
    __tablename__ = "standup_asks"
    __table_args__ = (Index("ix_standup_asks_team_to_user", "team_id", "to_user", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standups.id", ondelete="CASCADE"), index=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("standup_answers.id", ondelete="CASCADE"), index=True)
    from_user: Mapped[str] = mapped_column(String(32))
    to_user: Mapped[str] = mapped_column(String(32))
    to_name: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # ids.AskStatus
    created_at: Mapped[datetime]
    handled_at: Mapped[datetime | None]


class StandupAbsence(Base):
    """Out of office for every stand-up in the workspace, in the person's local dates (inclusive)."""

    __tablename__ = "standup_absences"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime]


class HolidayCalendar(Base):
    """A person's public holidays as they (or a stand-up's owner) chose them, for the whole
    workspace. Without a row, their Slack time zone's default applies (``calendars.ZONE_DEFAULTS``)."""

    __tablename__ = "holiday_calendars"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    user_id: Mapped[str] = mapped_column(String(32))
    country: Mapped[str] = mapped_column(String(8))  # ISO code; "" = no public holidays
    subdivision: Mapped[str] = mapped_column(String(16))  # "" = national holidays only
    updated_by: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[datetime]


class CompanyDayOff(Base):
    """A day the whole workspace is off (``/standup holiday add``), in everybody's local date."""

    __tablename__ = "company_days_off"
    __table_args__ = (UniqueConstraint("team_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(80))
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime]


class StandupEscalation(Base):
    """An ask or blocker raised to the stand-up's owner: one row each, so it is raised once
    (unique across replicas), and nudged at most once."""

    __tablename__ = "standup_escalations"
    __table_args__ = (UniqueConstraint("team_id", "kind", "ref_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    team_id: Mapped[str] = mapped_column(String(32), index=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standups.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # ids.EscalationKind
    ref_id: Mapped[int] = mapped_column(Integer)  # the ask's id, or the blocker's first answer's id
    owner_id: Mapped[str] = mapped_column(String(32))
    target_user: Mapped[str] = mapped_column(String(32))  # who a nudge goes to
    raised_at: Mapped[datetime]
    nudged_at: Mapped[datetime | None]
    nudged_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
