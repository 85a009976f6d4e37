"""Whose days are working days: public holidays by country and subdivision (the ``holidays``
library), the default calendar a Slack time zone implies, and counting working days.

Pure: no database, no Slack. The per-person choice and the workspace's own days off live in
``daysoff`` (the service that reads them); this module only knows the library and the calendar.

**Defaults from a time zone.** Only zones that name one country *and* one set of public holidays
get a default (``ZONE_DEFAULTS``, below). A zone shared by several countries or subdivisions with
different holidays (``America/Chicago`` spans a dozen US states, ``Europe/Brussels`` is one
country but ``UTC`` is none) has no default: the person is asked to pick in App Home, and until
then only weekends and the workspace's days off count for them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import holidays
from holidays.registry import COUNTRIES

# Slack time zone -> (ISO country, subdivision or ""). Keep it small and unambiguous: a zone is
# here only if the people in it almost all share these public holidays. ``America/New_York``
# covers other states too (New Jersey, Florida...): New York is the default, and people change
# it in App Home; the same goes for ``America/Los_Angeles`` (California).
ZONE_DEFAULTS: dict[str, tuple[str, str]] = {
    "Europe/Berlin": ("DE", "BE"),
    "America/New_York": ("US", "NY"),
    "America/Los_Angeles": ("US", "CA"),
    "Asia/Kolkata": ("IN", ""),
    "Asia/Calcutta": ("IN", ""),
    "Europe/London": ("GB", "ENG"),
    "Europe/Paris": ("FR", ""),
    "Europe/Amsterdam": ("NL", ""),
    "Europe/Dublin": ("IE", ""),
    "Europe/Warsaw": ("PL", ""),
    "Asia/Tokyo": ("JP", ""),
    "Asia/Singapore": ("SG", ""),
    "Australia/Sydney": ("AU", "NSW"),
}

MAX_OPTIONS = 100  # a Slack select's options (and option groups) limit


@dataclass(frozen=True)
class Calendar:
    """One person's public holidays: a country (ISO code, "" = none) and a subdivision ("" = national)."""

    country: str = ""
    subdivision: str = ""
    chosen: bool = False  # picked in App Home (or by an owner), not derived from the time zone

    @property
    def label(self) -> str:
        if not self.country:
            return "none"
        name = country_name(self.country)
        return f"{name} ({self.subdivision})" if self.subdivision else name


def default_for_zone(tz: str) -> Calendar:
    """The calendar ``tz`` implies, or an empty one when the zone is ambiguous or unknown."""
    country, subdivision = ZONE_DEFAULTS.get(tz, ("", ""))
    return Calendar(country, subdivision)


def _split_camel(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


@lru_cache(maxsize=1)
def countries() -> dict[str, str]:
    """ISO code -> English name of every country the library knows, sorted by name."""
    found = {codes[1]: _split_camel(codes[0]) for codes in COUNTRIES.values()}
    return dict(sorted(found.items(), key=lambda item: item[1]))


def country_name(code: str) -> str:
    return countries().get(code, code)


@lru_cache(maxsize=256)
def subdivisions(country: str) -> dict[str, str]:
    """Subdivision code -> its name (the code when the library has no name) for ``country``."""
    if country not in countries():
        return {}
    entity = holidays.country_holidays(country)
    names = {code: name for name, code in getattr(entity, "subdivisions_aliases", {}).items()}
    return {code: names.get(code, code) for code in entity.subdivisions}


def valid(country: str, subdivision: str) -> bool:
    if not country:
        return not subdivision
    return country in countries() and (not subdivision or subdivision in subdivisions(country))


@lru_cache(maxsize=512)
def _year(country: str, subdivision: str, year: int) -> dict[date, str]:
    entity = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    if "en_US" in entity.supported_languages:
        entity = holidays.country_holidays(country, subdiv=subdivision or None, years=year, language="en_US")
    return dict(entity.items())


def public_holiday(calendar: Calendar, day: date) -> str | None:
    """The name of ``day``'s public holiday in ``calendar``, or None."""
    if not calendar.country or not valid(calendar.country, calendar.subdivision):
        return None
    return _year(calendar.country, calendar.subdivision, day.year).get(day)


def is_working_day(day: date, day_off: Callable[[date], str | None]) -> bool:
    return day.weekday() < 5 and day_off(day) is None


def working_days_between(start: date, end: date, day_off: Callable[[date], str | None]) -> int:
    """Working days after ``start`` up to and including ``end`` (weekends and days off excluded).

    An ask made on Monday is 1 working day old on Tuesday and 2 on Wednesday; one made on Friday
    is still 0 on Sunday and 1 on Monday: the weekend never counts."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        if is_working_day(day, day_off):
            count += 1
        day += timedelta(days=1)
    return count
