"""The launch retro: a ``bot.retro`` series made with the plan, on the retro item's date.

``schedule_retro`` sets it up when the launch is created (``plan.create_launch``): the launch
retro template, one run at ``RETRO_TIME`` on the retro item's due date in the launch's zone, the
product lead facilitating, in the launch's channel; its id is kept on ``launch.retro_series_id``.
``move_retro`` follows the plan when a date moves (the retro item moves with its phase), and
``cancel_retro`` calls it off with the launch. The retro knows nothing of launches: its opening
brief is handed to it as notes (``brief``).
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.launches.ids import ItemKind, ItemStatus, LaunchStatus
from bot.launches.models import Launch, LaunchItem
from bot.retro.data import COLLECT_CHOICES_HOURS, TITLE_MAX_LENGTH, RetroError, SeriesSetup
from bot.retro.ids import Anonymity, RetroTemplate, StartMode
from bot.retro.lookups import active_series_named
from bot.retro.models import Retro, RetroSeries
from bot.retro.series import archive_series, create_series, series_form, update_series
from bot.retro.templates import prompts_for
from bot.scheduling.cadence import InvalidCadence, local_to_utc, zone

log = logging.getLogger(__name__)

RETRO_TIME = time(10, 0)  # the brief is written at DAY_START (09:00), an hour before it opens
COLLECT_MINUTES = COLLECT_CHOICES_HOURS[3] * 60  # two days to add items and vote
VOTES = 3


def retro_item(launch: Launch) -> LaunchItem | None:
    """The plan's retro item (the first not dropped): its date is the retro's."""
    return next((i for i in launch.items if i.kind == ItemKind.RETRO and i.status != ItemStatus.DROPPED), None)


def retro_title(launch: Launch, attempt: int = 0) -> str:
    """``Launch retro: <name> (#<id>)``, within the retro's title limit; unique per workspace
    thanks to the id (``attempt`` adds a counter should someone have taken it by hand)."""
    suffix = f" (#{launch.id})" if not attempt else f" (#{launch.id}-{attempt + 1})"
    name = " ".join(launch.name.split())
    room = TITLE_MAX_LENGTH - len("Launch retro: ") - len(suffix)
    if len(name) > room:
        name = name[: room - 1].rstrip() + "…"
    return f"Launch retro: {name}{suffix}"


def _setup(launch: Launch, item: LaunchItem, title: str) -> SeriesSetup:
    external = launch.external_confirmed_by is not None
    return SeriesSetup(
        title=title,
        channel_id=launch.channel_id,
        start_mode=StartMode.ON_DATE,
        template=RetroTemplate.LAUNCH,
        prompts=prompts_for(RetroTemplate.LAUNCH),
        anonymity=Anonymity.OPTIONAL,
        votes_per_person=VOTES,
        collect_minutes=COLLECT_MINUTES,
        local_time=RETRO_TIME,
        timezone=launch.timezone,
        launch_date=item.due_on,
        days_after_launch=0,
        external_ok=external,
        channel_external=external,
    )


def _instant(launch: Launch, item: LaunchItem) -> datetime | None:
    try:
        return local_to_utc(item.due_on, RETRO_TIME, zone(launch.timezone))
    except InvalidCadence:
        return None


def _series(session: Session, launch: Launch) -> RetroSeries | None:
    if launch.retro_series_id is None:
        return None
    return session.scalar(
        select(RetroSeries).where(RetroSeries.team_id == launch.team_id, RetroSeries.id == launch.retro_series_id)
    )


def _has_run(session: Session, series: RetroSeries) -> bool:
    runs = session.scalar(
        select(func.count()).select_from(Retro).where(Retro.team_id == series.team_id, Retro.series_id == series.id)
    )
    return bool(runs)


def schedule_retro(session: Session, launch: Launch, now: datetime) -> RetroSeries | None:
    """Set up the launch retro (once): None when the plan has no retro item or its time passed."""
    existing = _series(session, launch)
    if existing is not None:
        return existing
    item = retro_item(launch)
    instant = _instant(launch, item) if item is not None else None
    if item is None or instant is None or instant <= now or launch.status == LaunchStatus.CANCELLED:
        return None
    attempt = 0
    while active_series_named(session, launch.team_id, retro_title(launch, attempt)) is not None:
        attempt += 1
    result = create_series(
        session,
        team_id=launch.team_id,
        facilitator_id=launch.product_lead,
        setup=_setup(launch, item, retro_title(launch, attempt)),
        now=now,
    )
    launch.retro_series_id = result.series.id
    session.flush()
    return result.series


def move_retro(session: Session, launch: Launch, now: datetime) -> RetroSeries | None:
    """After the plan changed (a date moved, the leads or the channel changed): the retro opens on
    the retro item's date, led by the product lead, in the launch's channel. A retro that has
    run already stays as it was; one whose new time has passed opens no more."""
    series = _series(session, launch)
    if series is None:
        return schedule_retro(session, launch, now)
    if series.archived or _has_run(session, series):
        return series
    item = retro_item(launch)
    instant = _instant(launch, item) if item is not None else None
    if item is None or instant is None or instant <= now:
        archive_series(session, series)
        return series
    series.facilitator_id = launch.product_lead
    setup = replace(_setup(launch, item, series.title), prompts=list(series_form(series).setup.prompts))
    try:
        update_series(
            session, team_id=launch.team_id, series_id=series.id, user_id=series.facilitator_id,
            is_admin=lambda: True, setup=setup, now=now,
        )  # fmt: skip
    except RetroError as error:  # the retro's own checks: keep the plan's change, log the retro's
        log.warning("launch %s: the retro %s could not follow the plan: %s", launch.id, series.id, error)
    return series


def cancel_retro(session: Session, launch: Launch, now: datetime) -> RetroSeries | None:
    """The launch is cancelled: its retro opens no run (one already held keeps its results)."""
    series = _series(session, launch)
    if series is not None and not series.archived:
        archive_series(session, series)
    return series
