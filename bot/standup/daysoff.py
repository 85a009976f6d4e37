"""Days off: each person's public holidays (their chosen calendar, else their time zone's default)
and the workspace's company days off (``/standup holiday add|remove|list``, admins only).

Dates are always the person's own local dates: a holiday in Berlin is Berlin's 25 December, so a
Berlin participant prompted at 09:00 Berlin time on that date gets nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import insert_ignore
from bot.slack.text import escape
from bot.standup.calendars import (
    Calendar,
    countries,
    default_for_zone,
    public_holiday,
    subdivisions,
    valid,
    working_days_between,
)
from bot.standup.data import HolidaysForm, NotAllowed, NotFound, StandupError
from bot.standup.ids import Block
from bot.standup.models import CompanyDayOff, HolidayCalendar, Standup, StandupParticipant

DAY_OFF_NAME_LIMIT = 80
DAYS_OFF_LISTED = 30


def valid_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def calendar_of(session: Session, team_id: str, user_id: str, tz: str) -> Calendar:
    """The person's chosen calendar, else the one their time zone implies (maybe none)."""
    row = session.scalar(
        select(HolidayCalendar).where(HolidayCalendar.team_id == team_id, HolidayCalendar.user_id == user_id)
    )
    if row is not None:
        return Calendar(row.country, row.subdivision, chosen=True)
    return default_for_zone(tz)


def company_day_off(session: Session, team_id: str, day: date) -> str | None:
    name = session.scalar(select(CompanyDayOff.name).where(CompanyDayOff.team_id == team_id, CompanyDayOff.day == day))
    return None if name is None else (name or "Company day off")


def day_off(session: Session, team_id: str, user_id: str, tz: str, day: date) -> str | None:
    """Why ``day`` (the person's local date) is a day off for them, or None: a company day off
    first, then their public holiday."""
    return company_day_off(session, team_id, day) or public_holiday(calendar_of(session, team_id, user_id, tz), day)


def days_off_for(session: Session, team_id: str, user_id: str, tz: str) -> Callable[[date], str | None]:
    """``day_off`` for one person, reading their calendar once (for counting working days)."""
    calendar = calendar_of(session, team_id, user_id, tz)
    company = {
        row.day: row.name or "Company day off"
        for row in session.scalars(select(CompanyDayOff).where(CompanyDayOff.team_id == team_id))
    }
    return lambda day: company.get(day) or public_holiday(calendar, day)


def working_age(session: Session, team_id: str, user_id: str, tz: str, since: datetime, now: datetime) -> int:
    """Working days ``user_id`` has had since ``since``: their local dates, weekends and days off
    excluded (``calendars.working_days_between``)."""
    zone = ZoneInfo(valid_zone(tz))
    day_off = days_off_for(session, team_id, user_id, tz)
    return working_days_between(since.astimezone(zone).date(), now.astimezone(zone).date(), day_off)


def zone_of(session: Session, team_id: str, user_id: str) -> str:
    """A person's zone as their newest stand-up participation has it ("UTC" if none)."""
    tz = session.scalar(
        select(StandupParticipant.timezone)
        .where(StandupParticipant.team_id == team_id, StandupParticipant.user_id == user_id)
        .order_by(StandupParticipant.id.desc())
        .limit(1)
    )
    return tz or "UTC"


def may_set_calendar(session: Session, team_id: str, actor_id: str, user_id: str, actor_is_admin: bool) -> bool:
    """The person themselves, a workspace admin, or the owner of a stand-up they take part in."""
    if actor_id == user_id or actor_is_admin:
        return True
    owned = session.scalar(
        select(Standup.id)
        .join(StandupParticipant, StandupParticipant.standup_id == Standup.id)
        .where(
            Standup.team_id == team_id,
            Standup.owner_id == actor_id,
            StandupParticipant.team_id == team_id,
            StandupParticipant.user_id == user_id,
        )
        .limit(1)
    )
    return owned is not None


def set_calendar(
    session: Session,
    *,
    team_id: str,
    actor_id: str,
    actor_is_admin: bool,
    user_id: str,
    country: str,
    subdivision: str,
    now: datetime,
) -> Calendar:
    if not may_set_calendar(session, team_id, actor_id, user_id, actor_is_admin):
        raise NotAllowed(
            "Only that person, the owner of a stand-up they are in, or a workspace admin can change their holidays."
        )
    if country and country not in countries():
        raise StandupError("Pick a country from the list.", block_id=Block.HOLIDAY_COUNTRY)
    if not valid(country, subdivision):
        raise StandupError("Pick a region of the chosen country (or the whole country).",
                           block_id=Block.HOLIDAY_SUBDIVISION)  # fmt: skip
    row = session.scalar(
        select(HolidayCalendar).where(HolidayCalendar.team_id == team_id, HolidayCalendar.user_id == user_id)
    )
    if row is None:
        row = HolidayCalendar(team_id=team_id, user_id=user_id)
        session.add(row)
    row.country, row.subdivision, row.updated_by, row.updated_at = country, subdivision, actor_id, now
    session.flush()
    return Calendar(country, subdivision, chosen=True)


def add_company_day_off(
    session: Session, *, team_id: str, actor_id: str, actor_is_admin: bool, day: date, name: str, now: datetime
) -> CompanyDayOff:
    if not actor_is_admin:
        raise NotAllowed("Only a workspace admin can add or remove company days off.")
    name = " ".join(name.split())
    if len(name) > DAY_OFF_NAME_LIMIT:
        raise StandupError(f"Keep the name under {DAY_OFF_NAME_LIMIT} characters.")
    created = insert_ignore(
        session,
        CompanyDayOff,
        {"team_id": team_id, "day": day, "name": name, "created_by": actor_id, "created_at": now},
        ["team_id", "day"],
    )
    row = session.scalars(
        select(CompanyDayOff)
        .where(CompanyDayOff.team_id == team_id, CompanyDayOff.day == day)
        .execution_options(populate_existing=True)
    ).one()
    if not created:
        shown = f" (“{escape(row.name)}”)" if row.name else ""
        raise StandupError(f"{day.isoformat()} is already a company day off{shown}.")
    return row


def remove_company_day_off(session: Session, *, team_id: str, actor_is_admin: bool, day: date) -> CompanyDayOff:
    if not actor_is_admin:
        raise NotAllowed("Only a workspace admin can add or remove company days off.")
    row = session.scalar(select(CompanyDayOff).where(CompanyDayOff.team_id == team_id, CompanyDayOff.day == day))
    if row is None:
        raise NotFound(f"{day.isoformat()} is not a company day off. See `/standup holiday list`.")
    session.delete(row)
    session.flush()
    return row


def company_days_off(session: Session, team_id: str, *, since: date) -> list[tuple[date, str]]:
    rows = session.scalars(
        select(CompanyDayOff)
        .where(CompanyDayOff.team_id == team_id, CompanyDayOff.day >= since)
        .order_by(CompanyDayOff.day)
        .limit(DAYS_OFF_LISTED)
    )
    return [(row.day, row.name) for row in rows]


def holidays_form(session: Session, team_id: str, user_id: str, tz: str, *, country: str | None = None) -> HolidaysForm:
    """The "My public holidays" modal for ``user_id``: their calendar now (or ``country``, just
    picked in the open modal, with its regions)."""
    current = calendar_of(session, team_id, user_id, tz)
    default = default_for_zone(tz)
    picked = current.country if country is None else country
    return HolidaysForm(
        user_id=user_id,
        country=picked,
        subdivision=current.subdivision if picked == current.country else "",
        zone=tz,
        zone_default=default.label if default.country else "",
        countries=list(countries().items()),
        subdivisions=list(subdivisions(picked).items()) if picked else [],
    )
