"""The launches feature: its listeners, jobs and outbox hooks, listed in bot/features.py.

On this branch (wt-ldates) only the dates part is wired: go/no-go, moving a date, launch day, and
a minimal ``/launch`` (``move``, ``help``); the full ``/launch`` router and the other helpers'
jobs and listeners are merged in by the lead.
"""

from __future__ import annotations

from slack_bolt import App

from bot.feature import Feature
from bot.launches import dates_outbox, jobs_dates, listeners_dates, outbox
from bot.services import Services


def register(app: App, services: Services) -> None:
    listeners_dates.register(app, services)
    listeners_dates.register_command(app, services)


FEATURE = Feature(
    name="launches",
    register=register,
    jobs=jobs_dates.JOBS,
    result_hooks={**outbox.RESULT_HOOKS, **dates_outbox.RESULT_HOOKS},
)
