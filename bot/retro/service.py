"""Retro domain logic: setting up a series, opening and closing runs, items, votes, ratings and
action items. Services take a session and only flush; time comes in as ``now``.

What the channel sees is one message per retro, updated in place as items arrive (see
``views.build_retro_message``), and at close one summary reply in that message's thread.
Every ritual post goes through the outbox; this module never calls the Web API.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.retro.ids import (
    RETRO_MESSAGE_HOOK,
    ActionStatus,
    Anonymity,
    RetroBlock,
    RetroJob,
    RetroStatus,
    RetroTemplate,
    Side,
    StartMode,
    Strand,
)
from bot.retro.models import (
    Retro,
    RetroActionItem,
    RetroItem,
    RetroPersonSide,
    RetroRating,
    RetroSeries,
    RetroVote,
)
from bot.retro.templates import INSIGHTS_PROMPT, TEMPLATES
from bot.scheduling.cadence import Cadence, InvalidCadence, local_to_utc, zone
from bot.scheduling.models import Schedule
from bot.scheduling.service import (
    create_schedule,
    delete_schedules_for,
    pause_schedule,
    schedule_once,
    schedules_for,
    set_paused_for,
    update_schedule,
)
from bot.slack import delivery
from bot.slack.channels import Confirmation, settle_confirmation
from bot.slack.text import name_key

log = logging.getLogger(__name__)

ITEM_MAX_LENGTH = 1000
ACTION_MAX_LENGTH = 300
TITLE_MAX_LENGTH = 80
MAX_ITEMS_PER_RETRO = 90  # the vote modal lists every item, and a modal holds 100 blocks
MIN_RATERS_PER_SIDE = 2  # a side's averages with one rater would reveal that person's scores
REMINDER_LOCAL_TIME = time(9, 0)
MAX_VOTES_PER_PERSON = 10
COLLECT_CHOICES_HOURS = (1, 4, 24, 48, 72, 168, 336)
MAX_DAYS_AFTER_LAUNCH = 90


class RetroError(Exception):
    """Something the user asked for cannot be done. ``str()`` is the message to show them."""


class NotAllowed(RetroError):
    pass


class RetroNotFound(RetroError):
    def __init__(self) -> None:
        super().__init__("I couldn't find that retro. It may have been deleted.")


class InputError(RetroError):
    """A modal field that needs fixing: ``block_id`` says which."""

    def __init__(self, block_id: str, message: str) -> None:
        super().__init__(message)
        self.block_id = block_id


IsAdmin = Callable[[], bool]


# --------------------------------------------------------------------------------------------
# Hashing: who voted / rated, recoverable only while the retro is open


def app_secret(signing_secret: str) -> bytes:
    """The HMAC key for vote and rating hashes, derived from a secret the database never holds."""
    return hashlib.sha256(b"tandem-retro-people|" + signing_secret.encode()).digest()


def person_hash(app_secret: bytes, retro: Retro, user_id: str) -> str:
    """HMAC of the user id under the app secret and the retro's salt.

    A database reader without the app secret cannot brute-force it from the workspace's user
    list; once the retro closes the salt is wiped and nobody can.
    """
    if not retro.secret_salt:
        raise RetroError("Voting has closed for this retro.")
    message = f"{retro.team_id}|{retro.id}|{retro.secret_salt}|{user_id}".encode()
    return hmac.new(app_secret, message, hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------------------------
# Setup


@dataclass(frozen=True)
class SeriesSetup:
    """A ``/retro`` setup, parsed from the modal (see ``views.parse_setup``)."""

    title: str
    channel_id: str
    start_mode: StartMode
    template: RetroTemplate
    prompts: list[str]
    anonymity: Anonymity
    votes_per_person: int
    collect_minutes: int
    start_date: date | None = None
    local_time: time = time(15, 0)
    timezone: str = "UTC"
    repeat_weeks: int = 1
    include_insights: bool = False
    # "N days after a launch": the first retro's date is launch_date + days_after_launch.
    launch_date: date | None = None
    days_after_launch: int | None = None
    external_ok: bool = False  # "post there anyway" was ticked (a channel shared with another organisation)
    channel_external: bool = False  # the channel is shared with another organisation (checked at submit)

    @property
    def first_date(self) -> date | None:
        """The local date of the first (or only) run: picked directly, or counted from the launch."""
        if self.launch_date is not None:
            return self.launch_date + timedelta(days=self.days_after_launch or 0)
        return self.start_date


def validate_setup(setup: SeriesSetup, now: datetime, *, past_date_ok: bool = False) -> None:
    """Raise InputError for the first field that needs fixing.

    ``past_date_ok``: an edit that keeps a one-off's date which has already passed (the retro
    ran) is fine; it just schedules nothing new.
    """
    if not setup.title.strip():
        raise InputError(RetroBlock.TITLE, "Give the retro a title.")
    if len(setup.title) > TITLE_MAX_LENGTH:
        raise InputError(RetroBlock.TITLE, f"Keep the title under {TITLE_MAX_LENGTH} characters.")
    if not setup.prompts:
        raise InputError(RetroBlock.PROMPTS, "Add at least one prompt, one per line.")
    if not 1 <= setup.votes_per_person <= MAX_VOTES_PER_PERSON:
        raise InputError(RetroBlock.VOTES, f"Pick 1 to {MAX_VOTES_PER_PERSON} votes per person.")
    if setup.start_mode is StartMode.NOW:
        return
    try:
        tz = zone(setup.timezone)
    except InvalidCadence as error:
        raise InputError(RetroBlock.TIMEZONE, f"{error} Use a name like Europe/Berlin or America/New_York.") from None
    days = setup.days_after_launch
    if days is not None and not 0 <= days <= MAX_DAYS_AFTER_LAUNCH:
        raise InputError(RetroBlock.DAYS_AFTER_LAUNCH, f"Pick 0 to {MAX_DAYS_AFTER_LAUNCH} days after the launch.")
    if days is not None and setup.launch_date is None:
        raise InputError(RetroBlock.LAUNCH_DATE, "Pick the launch date the days are counted from.")
    if setup.launch_date is not None and setup.start_date is not None:
        raise InputError(RetroBlock.DATE, "Pick either the retro's date or a launch date, not both. Clear one of them.")
    first_date = setup.first_date
    if first_date is None:
        raise InputError(
            RetroBlock.DATE, "Pick the date of the first retro, or a launch date and how many days after it."
        )
    first = local_to_utc(first_date, setup.local_time, tz)
    if setup.start_mode is StartMode.ON_DATE and first <= now and not past_date_ok:
        block = RetroBlock.LAUNCH_DATE if setup.launch_date is not None else RetroBlock.DATE
        raise InputError(block, "That date and time have passed. Pick a later one, or choose Start now.")
    if setup.start_mode is StartMode.RECURRING and not 1 <= setup.repeat_weeks <= 52:
        raise InputError(RetroBlock.REPEAT, "Repeat every 1 to 52 weeks.")


def _active_series_named(session: Session, team_id: str, title: str) -> RetroSeries | None:
    """The active series whose title matches ``title`` by ``name_key``; the oldest if rows from
    before the key clash."""
    return session.scalar(
        select(RetroSeries)
        .where(
            RetroSeries.team_id == team_id,
            RetroSeries.archived.is_(False),
            RetroSeries.title_key == name_key(title),
        )
        .order_by(RetroSeries.id)
        .limit(1)
    )


@dataclass(frozen=True)
class SetupResult:
    series: RetroSeries
    opened: Retro | None
    first_run_at: datetime | None
    cadence_text: str


def _external_confirmed(series: RetroSeries, retro: Retro) -> bool:
    """The facilitator confirmed posting this series in its channel although it is shared with
    another organisation (``bot.slack.channels``); without it the drainer holds such posts back."""
    return bool(series.external_confirmed_by) and retro.channel_id == series.channel_id


def _settle_confirmation(series: RetroSeries, setup: SeriesSetup, user_id: str, now: datetime, *, new: bool) -> None:
    confirmation = settle_confirmation(
        external=setup.channel_external,
        ticked=setup.external_ok,
        previous=Confirmation(series.external_confirmed_by, series.external_confirmed_at),
        channel_changed=new or series.channel_id != setup.channel_id,
        user_id=user_id,
        now=now,
    )
    series.external_confirmed_by, series.external_confirmed_at = confirmation.by, confirmation.at


def _apply_setup(series: RetroSeries, setup: SeriesSetup) -> None:
    series.title = setup.title.strip()
    series.channel_id = setup.channel_id
    series.template = setup.template.value
    series.prompts = list(setup.prompts)
    series.anonymity = setup.anonymity.value
    series.votes_per_person = setup.votes_per_person
    series.collect_minutes = setup.collect_minutes
    series.include_insights = setup.include_insights
    series.start_mode = setup.start_mode.value
    scheduled = setup.start_mode is not StartMode.NOW
    series.starts_on = setup.start_date if scheduled else None
    series.launch_on = setup.launch_date if scheduled else None
    series.days_after_launch = (setup.days_after_launch or 0) if scheduled and setup.launch_date else None
    series.local_time = setup.local_time if scheduled else None
    series.timezone = setup.timezone if scheduled else "UTC"
    series.repeat_weeks = setup.repeat_weeks if setup.start_mode is StartMode.RECURRING else 1


def _schedule_runs(
    session: Session, series: RetroSeries, setup: SeriesSetup, now: datetime
) -> tuple[datetime | None, str]:
    """Point the series' ``retro.open`` schedule at ``setup`` (create, update or delete it).

    Returns (next run, cadence text). A paused series keeps its schedule paused.
    """
    existing = schedules_for(session, series.team_id, RetroJob.OPEN, series.id)
    first_date = setup.first_date
    if setup.start_mode is StartMode.NOW or first_date is None:
        delete_schedules_for(session, series.team_id, RetroJob.OPEN, series.id)
        return None, "now"
    if setup.start_mode is StartMode.ON_DATE:
        cadence = Cadence.once(first_date)
        cadence_text = "once"
    else:
        cadence = Cadence.every_n_weeks(setup.repeat_weeks, first_date.weekday())
        cadence_text = cadence.describe()
    if existing:
        for extra in existing[1:]:
            session.delete(extra)
        schedule = update_schedule(
            session,
            existing[0],
            now=now,
            cadence=cadence,
            local_time=setup.local_time,
            timezone=setup.timezone,
            starts_on=first_date,
        )
    else:
        schedule = create_schedule(
            session,
            team_id=series.team_id,
            kind=RetroJob.OPEN,
            ref_id=series.id,
            cadence=cadence,
            local_time=setup.local_time,
            timezone=setup.timezone,
            starts_on=first_date,
            now=now,
        )
    if series.paused and not schedule.paused:
        pause_schedule(session, schedule, now=now)
    return schedule.next_run_at, cadence_text


def create_series(
    session: Session, *, team_id: str, facilitator_id: str, setup: SeriesSetup, now: datetime
) -> SetupResult:
    validate_setup(setup, now)
    if _active_series_named(session, team_id, setup.title) is not None:
        raise InputError(RetroBlock.TITLE, "There is already a retro with that title. Pick another one.")
    series = RetroSeries(team_id=team_id, facilitator_id=facilitator_id, paused=False, archived=False, created_at=now)
    _settle_confirmation(series, setup, facilitator_id, now, new=True)
    _apply_setup(series, setup)
    session.add(series)
    session.flush()
    if setup.start_mode is StartMode.NOW:
        retro = open_retro(session, series, now)
        return SetupResult(series, retro, None, "now")
    first_run_at, cadence_text = _schedule_runs(session, series, setup, now)
    return SetupResult(series, None, first_run_at, cadence_text)


# --------------------------------------------------------------------------------------------
# Managing a series: edit, pause, resume, delete (the facilitator or a workspace admin)


@dataclass(frozen=True)
class SeriesForm:
    """What the setup modal shows when it edits a series."""

    series_id: int
    setup: SeriesSetup


def series_form(series: RetroSeries) -> SeriesForm:
    template = RetroTemplate(series.template)
    return SeriesForm(
        series.id,
        SeriesSetup(
            title=series.title,
            channel_id=series.channel_id,
            start_mode=StartMode(series.start_mode),
            template=template,
            prompts=list(series.prompts),
            anonymity=Anonymity(series.anonymity),
            votes_per_person=series.votes_per_person,
            collect_minutes=series.collect_minutes,
            start_date=series.starts_on,
            local_time=series.local_time or time(15, 0),
            timezone=series.timezone,
            repeat_weeks=series.repeat_weeks,
            include_insights=series.include_insights,
            launch_date=series.launch_on,
            days_after_launch=series.days_after_launch,
            external_ok=bool(series.external_confirmed_by),
        ),
    )


def managed_series(
    session: Session, *, team_id: str, title: str, user_id: str, is_admin: IsAdmin, verb: str
) -> RetroSeries:
    """The active series called ``title`` (any case), if ``user_id`` may manage it."""
    if not title.strip():
        raise RetroError(f"Which retro? Try `/retro {verb} Launch review` (see `/retro list`).")
    series = _active_series_named(session, team_id, title)
    if series is None:
        raise RetroError(f"I couldn't find an active retro called “{plain_title(title)}”. See `/retro list`.")
    _require_facilitator(series, user_id, is_admin, f"{verb} this retro")
    return series


def plain_title(title: str) -> str:
    """A title echoed back from a command, short and harmless (no mentions, no formatting)."""
    from bot.slack.text import plain, truncate

    return plain(truncate(title.strip(), 80))


def edit_form(
    session: Session, *, team_id: str, user_id: str, is_admin: IsAdmin, title: str = "", series_id: int | None = None
) -> SeriesForm:
    """The edit modal's data for a series named ``title`` (``/retro edit``) or by id (App Home)."""
    if series_id is not None:
        series = get_series(session, team_id, series_id)
        if series.archived:
            raise RetroNotFound()
        _require_facilitator(series, user_id, is_admin, "edit this retro")
    else:
        series = managed_series(session, team_id=team_id, title=title, user_id=user_id, is_admin=is_admin, verb="edit")
    return series_form(series)


def _scheduled_instant(series: RetroSeries) -> datetime | None:
    first = series.launch_on + timedelta(days=series.days_after_launch or 0) if series.launch_on else series.starts_on
    if first is None or series.local_time is None:
        return None
    try:
        return local_to_utc(first, series.local_time, zone(series.timezone))
    except InvalidCadence:
        return None


def update_series(
    session: Session,
    *,
    team_id: str,
    series_id: int,
    user_id: str,
    is_admin: IsAdmin,
    setup: SeriesSetup,
    now: datetime,
) -> SetupResult:
    """Save the edit modal: the series changes and its schedule follows, from the next tick.

    A run already open keeps what it promised (prompts, anonymity, votes, closing time); the
    changes apply from the next run. Choosing "Start now" for a scheduled series stops the
    schedule and opens a run now, unless one is open already.
    """
    series = get_series(session, team_id, series_id)
    if series.archived:
        raise RetroNotFound()
    _require_facilitator(series, user_id, is_admin, "edit this retro")
    previous_mode = StartMode(series.start_mode)
    before = _scheduled_instant(series)
    unchanged_one_off = previous_mode is StartMode.ON_DATE and setup.start_mode is StartMode.ON_DATE
    if unchanged_one_off and setup.first_date is not None:
        try:
            after = local_to_utc(setup.first_date, setup.local_time, zone(setup.timezone))
        except InvalidCadence:
            after = None
        unchanged_one_off = after is not None and after == before
    else:
        unchanged_one_off = False
    validate_setup(setup, now, past_date_ok=unchanged_one_off)
    same_title = _active_series_named(session, team_id, setup.title)
    if same_title is not None and same_title.id != series.id:
        raise InputError(RetroBlock.TITLE, "There is already a retro with that title. Pick another one.")
    _settle_confirmation(series, setup, user_id, now, new=False)
    _apply_setup(series, setup)
    session.flush()
    if setup.start_mode is StartMode.NOW:
        delete_schedules_for(session, team_id, RetroJob.OPEN, series.id)
        opened = None
        if previous_mode is not StartMode.NOW and _open_run(session, series) is None:
            opened = open_retro(session, series, now)
        return SetupResult(series, opened, None, "now")
    if unchanged_one_off and before is not None and before <= now:
        return SetupResult(series, None, None, "once")  # it ran already; nothing new to schedule
    next_run_at, cadence_text = _schedule_runs(session, series, setup, now)
    return SetupResult(series, None, next_run_at, cadence_text)


def _open_run(session: Session, series: RetroSeries) -> Retro | None:
    return session.scalar(
        select(Retro)
        .where(Retro.team_id == series.team_id, Retro.series_id == series.id, Retro.status == RetroStatus.OPEN)
        .order_by(Retro.number.desc())
        .limit(1)
    )


@dataclass(frozen=True)
class ManageResult:
    series: RetroSeries
    next_run_at: datetime | None  # the next scheduled run (after resume), if any
    runs: int  # past and current runs (kept after delete)
    open_closes_at: datetime | None  # a run still collecting items closes then


def _upcoming_schedules(session: Session, series: RetroSeries) -> list[Schedule]:
    return [s for s in schedules_for(session, series.team_id, RetroJob.OPEN, series.id) if s.next_run_at is not None]


def _manage_result(session: Session, series: RetroSeries, next_run_at: datetime | None = None) -> ManageResult:
    runs = session.scalar(
        select(func.count()).select_from(Retro).where(Retro.team_id == series.team_id, Retro.series_id == series.id)
    )
    open_run = _open_run(session, series)
    return ManageResult(series, next_run_at, int(runs or 0), open_run.closes_at if open_run else None)


def pause_series(
    session: Session, *, team_id: str, title: str, user_id: str, is_admin: IsAdmin, now: datetime
) -> ManageResult:
    """Stop opening new runs until resumed (a run already open still closes on time)."""
    series = managed_series(session, team_id=team_id, title=title, user_id=user_id, is_admin=is_admin, verb="pause")
    if series.paused:
        raise RetroError(
            f"“{plain_title(series.title)}” is already paused. `/retro resume` with its title restarts it."
        )
    if not _upcoming_schedules(session, series):
        raise RetroError(f"“{plain_title(series.title)}” has no upcoming retros, so there is nothing to pause.")
    series.paused = True
    set_paused_for(session, team_id, RetroJob.OPEN, series.id, True, now)
    return _manage_result(session, series)


def resume_series(
    session: Session, *, team_id: str, title: str, user_id: str, is_admin: IsAdmin, now: datetime
) -> ManageResult:
    """Run again from the next scheduled date; runs that fell inside the pause are skipped."""
    series = managed_series(session, team_id=team_id, title=title, user_id=user_id, is_admin=is_admin, verb="resume")
    if not series.paused:
        raise RetroError(f"“{plain_title(series.title)}” isn't paused.")
    series.paused = False
    set_paused_for(session, team_id, RetroJob.OPEN, series.id, False, now)
    upcoming = [s.next_run_at for s in _upcoming_schedules(session, series) if s.next_run_at is not None]
    return _manage_result(session, series, min(upcoming) if upcoming else None)


def delete_series(
    session: Session, *, team_id: str, title: str, user_id: str, is_admin: IsAdmin, now: datetime
) -> ManageResult:
    """Stop all future runs and take the series off the lists; past runs, their results and
    action items (and their reminders) are kept. A run still open closes on time."""
    series = managed_series(session, team_id=team_id, title=title, user_id=user_id, is_admin=is_admin, verb="delete")
    delete_schedules_for(session, team_id, RetroJob.OPEN, series.id)
    series.archived = True
    series.paused = False
    session.flush()
    return _manage_result(session, series)


# --------------------------------------------------------------------------------------------
# Lookups (always scoped by team)


def get_series(session: Session, team_id: str, series_id: int) -> RetroSeries:
    series = session.scalar(select(RetroSeries).where(RetroSeries.team_id == team_id, RetroSeries.id == series_id))
    if series is None:
        raise RetroNotFound()
    return series


def get_retro(session: Session, team_id: str, retro_id: int) -> Retro:
    retro = session.scalar(select(Retro).where(Retro.team_id == team_id, Retro.id == retro_id))
    if retro is None:
        raise RetroNotFound()
    return retro


def get_action_item(session: Session, team_id: str, action_id: int) -> RetroActionItem:
    action = session.scalar(
        select(RetroActionItem).where(RetroActionItem.team_id == team_id, RetroActionItem.id == action_id)
    )
    if action is None:
        raise RetroError("I couldn't find that action item. It may have been deleted.")
    return action


def _items(session: Session, retro: Retro) -> list[RetroItem]:
    return list(
        session.scalars(
            select(RetroItem)
            .where(RetroItem.team_id == retro.team_id, RetroItem.retro_id == retro.id)
            .order_by(RetroItem.id)
        )
    )


def _previous_retro(session: Session, retro: Retro) -> Retro | None:
    return session.scalar(
        select(Retro)
        .where(Retro.team_id == retro.team_id, Retro.series_id == retro.series_id, Retro.number < retro.number)
        .order_by(Retro.number.desc())
        .limit(1)
    )


def _require_facilitator(series: RetroSeries, user_id: str, is_admin: IsAdmin, what: str) -> None:
    if user_id != series.facilitator_id and not is_admin():
        raise NotAllowed(f"Only the facilitator (<@{series.facilitator_id}>) or a workspace admin can {what}.")


# --------------------------------------------------------------------------------------------
# Read models handed to the pure view builders


@dataclass(frozen=True)
class ItemView:
    id: int
    prompt_index: int
    text: str
    author_id: str | None
    votes: int = 0


@dataclass(frozen=True)
class ActionView:
    id: int
    text: str
    owner_id: str
    due_on: date
    status: ActionStatus
    retro_title: str = ""


@dataclass(frozen=True)
class InsightLine:
    number: int
    text: str


@dataclass(frozen=True)
class RetroCard:
    """Everything the channel message of a retro shows."""

    retro_id: int
    title: str
    number: int
    template: RetroTemplate
    prompts: list[str]
    items: list[ItemView]
    anonymity: Anonymity
    votes_per_person: int
    closes_at: datetime
    status: RetroStatus
    facilitator_id: str
    rates_partnership: bool
    rating_count: int
    previous_actions: list[ActionView]
    insights: list[InsightLine] = field(default_factory=list)
    insights_prompt_index: int | None = None


def _action_view(action: RetroActionItem, title: str = "") -> ActionView:
    return ActionView(action.id, action.text, action.owner_id, action.due_on, ActionStatus(action.status), title)


def _review_actions(session: Session, retro: Retro) -> list[ActionView]:
    """Last time's action items with their status, plus older ones of the series still open."""
    previous = _previous_retro(session, retro)
    if previous is None:
        return []
    query = (
        select(RetroActionItem)
        .where(
            RetroActionItem.team_id == retro.team_id,
            RetroActionItem.series_id == retro.series_id,
            RetroActionItem.retro_id < retro.id,
        )
        .order_by(RetroActionItem.id)
    )
    return [
        _action_view(a) for a in session.scalars(query) if a.retro_id == previous.id or a.status == ActionStatus.OPEN
    ]


def _insights_since(session: Session, team_id: str, since: datetime, until: datetime) -> list[InsightLine]:
    """Customer insights captured in ``(since, until]``: read-only, through one small query."""
    from bot.insights.models import Insight

    rows = session.execute(
        select(Insight.number, Insight.text)
        .where(Insight.team_id == team_id, Insight.created_at > since, Insight.created_at <= until)
        .order_by(Insight.created_at)
        .limit(20)
    )
    return [InsightLine(number, text) for number, text in rows]


def retro_card(session: Session, retro: Retro) -> RetroCard:
    series = get_series(session, retro.team_id, retro.series_id)
    template = RetroTemplate(series.template)
    ratings = session.scalar(
        select(func.count())
        .select_from(RetroRating)
        .where(RetroRating.team_id == retro.team_id, RetroRating.retro_id == retro.id)
    )
    insights: list[InsightLine] = []
    insights_index = None
    if INSIGHTS_PROMPT in retro.prompts:
        insights_index = retro.prompts.index(INSIGHTS_PROMPT)
        previous = _previous_retro(session, retro)
        since = previous.opened_at if previous is not None else series.created_at - timedelta(days=30)
        insights = _insights_since(session, retro.team_id, since, retro.opened_at)
    return RetroCard(
        retro_id=retro.id,
        title=series.title,
        number=retro.number,
        template=template,
        prompts=list(retro.prompts),
        items=[ItemView(i.id, i.prompt_index, i.text, i.author_id, i.votes) for i in _items(session, retro)],
        anonymity=Anonymity(retro.anonymity),
        votes_per_person=retro.votes_per_person,
        closes_at=retro.closes_at,
        status=RetroStatus(retro.status),
        facilitator_id=series.facilitator_id,
        rates_partnership=TEMPLATES[template].rates_partnership,
        rating_count=int(ratings or 0),
        previous_actions=_review_actions(session, retro),
        insights=insights,
        insights_prompt_index=insights_index,
    )


# --------------------------------------------------------------------------------------------
# Opening and refreshing the channel message


def _message_key(retro: Retro) -> str:
    return f"retro:{retro.id}:message"


def _render_message(session: Session, retro: Retro) -> dict[str, Any]:
    from bot.retro.views import build_retro_message

    return build_retro_message(retro_card(session, retro))


def open_retro(session: Session, series: RetroSeries, now: datetime) -> Retro:
    """Start a run of ``series`` at ``now``: post its message and set the closing timer."""
    last = session.scalar(
        select(func.max(Retro.number)).where(Retro.team_id == series.team_id, Retro.series_id == series.id)
    )
    prompts = list(series.prompts)
    if series.include_insights and INSIGHTS_PROMPT not in prompts:
        prompts.append(INSIGHTS_PROMPT)
    retro = Retro(
        team_id=series.team_id,
        series_id=series.id,
        number=int(last or 0) + 1,
        status=RetroStatus.OPEN.value,
        channel_id=series.channel_id,
        prompts=prompts,
        anonymity=series.anonymity,
        votes_per_person=series.votes_per_person,
        opened_at=now,
        closes_at=now + timedelta(minutes=series.collect_minutes),
        secret_salt=secrets.token_hex(16),
    )
    session.add(retro)
    session.flush()
    message = _render_message(session, retro)
    delivery.enqueue(
        session,
        team_id=retro.team_id,
        method="chat.postMessage",
        args={"channel": retro.channel_id, **message},
        key=_message_key(retro),
        ritual=delivery.Ritual("retro", series.id, series.facilitator_id),
        allow_external=_external_confirmed(series, retro),
        on_result=RETRO_MESSAGE_HOOK,
        now=now,
    )
    schedule_once(session, team_id=retro.team_id, kind=RetroJob.CLOSE, ref_id=retro.id, at=retro.closes_at, now=now)
    return retro


def record_message_ts(session: Session, team_id: str, retro_id: int, ts: str) -> None:
    """Result hook: remember the ts Slack gave the retro's message."""
    retro = session.scalar(select(Retro).where(Retro.team_id == team_id, Retro.id == retro_id))
    if retro is not None and not retro.message_ts:
        retro.message_ts = ts
        session.flush()


def refresh_retro_message(session: Session, retro: Retro, now: datetime, reason: str) -> None:
    """chat.update the retro's message in place (after its first post is sent: a reference).

    ``reason`` makes the outbox key unique per change; it must never name a person (an
    anonymous item's refresh would otherwise point at its author).
    """
    series = get_series(session, retro.team_id, retro.series_id)
    message = _render_message(session, retro)
    ts: Any = retro.message_ts or delivery.result_ref(_message_key(retro))
    delivery.enqueue(
        session,
        team_id=retro.team_id,
        method="chat.update",
        args={"channel": retro.channel_id, "ts": ts, **message},
        key=f"retro:{retro.id}:update:{reason}",
        ritual=delivery.Ritual("retro", series.id, series.facilitator_id),
        allow_external=_external_confirmed(series, retro),
        now=now,
    )


# --------------------------------------------------------------------------------------------
# Items


def _require_open(retro: Retro) -> None:
    if retro.status != RetroStatus.OPEN:
        raise RetroError("This retro has closed, so it no longer takes items or votes.")


def add_item(
    session: Session,
    *,
    team_id: str,
    retro_id: int,
    user_id: str,
    prompt_index: int,
    text: str,
    anonymous: bool,
    now: datetime,
) -> RetroItem:
    """Add an item. An anonymous item stores no author and nothing else that points at one."""
    retro = get_retro(session, team_id, retro_id)
    _require_open(retro)
    cleaned = text.strip()
    if not cleaned:
        raise InputError(RetroBlock.ITEM_TEXT, "Write something first: the item is empty.")
    if len(cleaned) > ITEM_MAX_LENGTH:
        raise InputError(
            RetroBlock.ITEM_TEXT,
            f"Keep items under {ITEM_MAX_LENGTH:,} characters (this one is {len(cleaned):,}). Your text is still here.",
        )
    if not 0 <= prompt_index < len(retro.prompts):
        raise InputError(RetroBlock.ITEM_PROMPT, "Pick one of the prompts.")
    mode = Anonymity(retro.anonymity)
    is_anonymous = mode is Anonymity.ALWAYS or (mode is Anonymity.OPTIONAL and anonymous)
    count = session.scalar(
        select(func.count()).select_from(RetroItem).where(RetroItem.team_id == team_id, RetroItem.retro_id == retro.id)
    )
    if int(count or 0) >= MAX_ITEMS_PER_RETRO:
        raise InputError(RetroBlock.ITEM_TEXT, "This retro is full. Bring your point to the discussion instead.")
    item = RetroItem(
        team_id=team_id,
        retro_id=retro.id,
        prompt_index=prompt_index,
        text=cleaned,
        author_id=None if is_anonymous else user_id,
        votes=0,
    )
    session.add(item)
    session.flush()
    refresh_retro_message(session, retro, now, f"item:{item.id}")
    return item


# --------------------------------------------------------------------------------------------
# Votes: each person sees only their own until the retro closes


@dataclass(frozen=True)
class VoteState:
    retro_id: int
    title: str
    prompts: list[str]
    items: list[ItemView]
    mine: frozenset[int]
    allowed: int
    notice: str = ""

    @property
    def left(self) -> int:
        return max(0, self.allowed - len(self.mine))


def vote_state(session: Session, *, team_id: str, retro_id: int, user_id: str, app_secret: bytes) -> VoteState:
    retro = get_retro(session, team_id, retro_id)
    _require_open(retro)
    return _vote_state(session, retro, user_id, app_secret)


def _vote_state(session: Session, retro: Retro, user_id: str, app_secret: bytes, notice: str = "") -> VoteState:
    series = get_series(session, retro.team_id, retro.series_id)
    voter = person_hash(app_secret, retro, user_id)
    mine = frozenset(
        session.scalars(
            select(RetroVote.item_id).where(
                RetroVote.team_id == retro.team_id, RetroVote.retro_id == retro.id, RetroVote.voter_hash == voter
            )
        )
    )
    # Totals stay hidden while voting is open: items are handed over without their counts.
    items = [ItemView(i.id, i.prompt_index, i.text, None) for i in _items(session, retro)]
    return VoteState(retro.id, series.title, list(retro.prompts), items, mine, retro.votes_per_person, notice)


def toggle_vote(
    session: Session, *, team_id: str, retro_id: int, item_id: int, user_id: str, app_secret: bytes
) -> VoteState:
    """Vote for an item, or take the vote back. One vote per item, ``votes_per_person`` in all."""
    retro = get_retro(session, team_id, retro_id)
    _require_open(retro)
    item = session.scalar(
        select(RetroItem).where(RetroItem.team_id == team_id, RetroItem.retro_id == retro.id, RetroItem.id == item_id)
    )
    if item is None:
        raise RetroNotFound()
    voter = person_hash(app_secret, retro, user_id)
    existing = session.scalar(
        select(RetroVote).where(
            RetroVote.team_id == team_id, RetroVote.item_id == item.id, RetroVote.voter_hash == voter
        )
    )
    notice = ""
    if existing is not None:
        session.delete(existing)
    else:
        used = session.scalar(
            select(func.count())
            .select_from(RetroVote)
            .where(RetroVote.team_id == team_id, RetroVote.retro_id == retro.id, RetroVote.voter_hash == voter)
        )
        if int(used or 0) >= retro.votes_per_person:
            notice = f"You've used all {retro.votes_per_person} of your votes. Take one back to vote for this item."
        else:
            session.add(RetroVote(team_id=team_id, retro_id=retro.id, item_id=item.id, voter_hash=voter))
    session.flush()
    return _vote_state(session, retro, user_id, app_secret, notice)


# --------------------------------------------------------------------------------------------
# Partnership health ratings


@dataclass(frozen=True)
class RatingForm:
    retro_id: int
    title: str
    side: Side | None


def rating_form(session: Session, *, team_id: str, retro_id: int, user_id: str) -> RatingForm:
    retro = get_retro(session, team_id, retro_id)
    _require_open(retro)
    series = get_series(session, team_id, retro.series_id)
    if not TEMPLATES[RetroTemplate(series.template)].rates_partnership:
        raise RetroError("This retro doesn't ask for partnership ratings.")
    remembered = session.get(RetroPersonSide, (team_id, user_id))
    return RatingForm(retro.id, series.title, Side(remembered.side) if remembered else None)


def save_rating(
    session: Session,
    *,
    team_id: str,
    retro_id: int,
    user_id: str,
    side: Side,
    scores: dict[Strand, int],
    focus: Strand,
    app_secret: bytes,
    now: datetime,
) -> bool:
    """Store (or replace) this person's rating; remember their side. True if it replaced one."""
    retro = get_retro(session, team_id, retro_id)
    _require_open(retro)
    if any(not 1 <= scores.get(strand, 0) <= 5 for strand in Strand):
        raise InputError(RetroBlock.TRUST, "Rate each strand from 1 to 5.")
    rater = person_hash(app_secret, retro, user_id)
    rating = session.scalar(
        select(RetroRating).where(
            RetroRating.team_id == team_id, RetroRating.retro_id == retro.id, RetroRating.rater_hash == rater
        )
    )
    replaced = rating is not None
    if rating is None:
        rating = RetroRating(team_id=team_id, retro_id=retro.id, rater_hash=rater)
        session.add(rating)
    rating.side = side.value
    rating.trust = scores[Strand.TRUST]
    rating.ownership = scores[Strand.OWNERSHIP]
    rating.planning = scores[Strand.PLANNING]
    rating.focus = focus.value
    remembered = session.get(RetroPersonSide, (team_id, user_id))
    if remembered is None:
        session.add(RetroPersonSide(team_id=team_id, user_id=user_id, side=side.value))
    else:
        remembered.side = side.value
    session.flush()
    if not replaced:
        count = session.scalar(
            select(func.count())
            .select_from(RetroRating)
            .where(RetroRating.team_id == team_id, RetroRating.retro_id == retro.id)
        )
        refresh_retro_message(session, retro, now, f"ratings:{count}")
    return replaced


@dataclass(frozen=True)
class SideHealth:
    side: Side
    raters: int
    averages: dict[Strand, float] | None  # None: too few raters to show without exposing anyone
    change: dict[Strand, float] | None  # vs the previous retro of the series, when both are shown


@dataclass(frozen=True)
class HealthSummary:
    sides: list[SideHealth]
    focus_counts: dict[Strand, int]
    previous_number: int | None


def _side_averages(session: Session, retro: Retro) -> dict[Side, tuple[int, dict[Strand, float]]]:
    rows = session.scalars(
        select(RetroRating).where(RetroRating.team_id == retro.team_id, RetroRating.retro_id == retro.id)
    )
    grouped: dict[Side, list[RetroRating]] = defaultdict(list)
    for rating in rows:
        grouped[Side(rating.side)].append(rating)
    result: dict[Side, tuple[int, dict[Strand, float]]] = {}
    for side, ratings in grouped.items():
        n = len(ratings)
        result[side] = (
            n,
            {
                Strand.TRUST: sum(r.trust for r in ratings) / n,
                Strand.OWNERSHIP: sum(r.ownership for r in ratings) / n,
                Strand.PLANNING: sum(r.planning for r in ratings) / n,
            },
        )
    return result


def health_summary(session: Session, retro: Retro) -> HealthSummary:
    current = _side_averages(session, retro)
    previous_retro = _previous_retro(session, retro)
    previous = _side_averages(session, previous_retro) if previous_retro is not None else {}
    sides: list[SideHealth] = []
    for side in Side:
        if side not in current:
            continue
        raters, averages = current[side]
        shown = averages if raters >= MIN_RATERS_PER_SIDE else None
        change = None
        before = previous.get(side)
        if shown is not None and before is not None and before[0] >= MIN_RATERS_PER_SIDE:
            change = {strand: shown[strand] - before[1][strand] for strand in Strand}
        sides.append(SideHealth(side, raters, shown, change))
    focus: dict[Strand, int] = dict.fromkeys(Strand, 0)
    for strand in session.scalars(
        select(RetroRating.focus).where(RetroRating.team_id == retro.team_id, RetroRating.retro_id == retro.id)
    ):
        focus[Strand(strand)] += 1
    return HealthSummary(sides, focus, previous_retro.number if previous_retro is not None else None)


# --------------------------------------------------------------------------------------------
# Closing


@dataclass(frozen=True)
class RetroSummary:
    retro_id: int
    title: str
    number: int
    prompts: list[str]
    items: list[ItemView]  # ordered by prompt, then votes (most first)
    health: HealthSummary | None
    facilitator_id: str
    action_items: list[ActionView]


def retro_summary(session: Session, retro: Retro) -> RetroSummary:
    series = get_series(session, retro.team_id, retro.series_id)
    items = sorted(_items(session, retro), key=lambda i: (i.prompt_index, -i.votes, i.id))
    template = RetroTemplate(series.template)
    actions = session.scalars(
        select(RetroActionItem)
        .where(RetroActionItem.team_id == retro.team_id, RetroActionItem.retro_id == retro.id)
        .order_by(RetroActionItem.id)
    )
    return RetroSummary(
        retro_id=retro.id,
        title=series.title,
        number=retro.number,
        prompts=list(retro.prompts),
        items=[ItemView(i.id, i.prompt_index, i.text, i.author_id, i.votes) for i in items],
        health=health_summary(session, retro) if TEMPLATES[template].rates_partnership else None,
        facilitator_id=series.facilitator_id,
        action_items=[_action_view(a) for a in actions],
    )


def _summary_key(retro: Retro) -> str:
    return f"retro:{retro.id}:summary"


def close_retro(session: Session, retro: Retro, now: datetime) -> RetroSummary:
    """Tally the votes, forget who cast them, and post the summary in the retro's thread."""
    if retro.status == RetroStatus.CLOSED:
        return retro_summary(session, retro)
    series = get_series(session, retro.team_id, retro.series_id)
    tallies = dict(
        session.execute(
            select(RetroVote.item_id, func.count())
            .where(RetroVote.team_id == retro.team_id, RetroVote.retro_id == retro.id)
            .group_by(RetroVote.item_id)
        ).all()
    )
    for item in _items(session, retro):
        item.votes = int(tallies.get(item.id, 0))
    session.execute(delete(RetroVote).where(RetroVote.team_id == retro.team_id, RetroVote.retro_id == retro.id))
    retro.status = RetroStatus.CLOSED.value
    retro.closed_at = now
    retro.secret_salt = None
    session.flush()
    delete_schedules_for(session, retro.team_id, RetroJob.CLOSE, retro.id)
    refresh_retro_message(session, retro, now, "closed")
    summary = retro_summary(session, retro)
    from bot.retro.views import build_summary_message

    message = build_summary_message(summary)
    thread_ts: Any = retro.message_ts or delivery.result_ref(_message_key(retro))
    delivery.enqueue(
        session,
        team_id=retro.team_id,
        method="chat.postMessage",
        args={"channel": retro.channel_id, "thread_ts": thread_ts, "reply_broadcast": True, **message},
        key=_summary_key(retro),
        ritual=delivery.Ritual("retro", series.id, series.facilitator_id),
        allow_external=_external_confirmed(series, retro),
        now=now,
    )
    return summary


def close_retro_by_user(
    session: Session, *, team_id: str, retro_id: int, user_id: str, is_admin: IsAdmin, now: datetime
) -> RetroSummary:
    retro = get_retro(session, team_id, retro_id)
    series = get_series(session, team_id, retro.series_id)
    _require_facilitator(series, user_id, is_admin, "close this retro")
    if retro.status == RetroStatus.CLOSED:
        raise RetroError("This retro is already closed.")
    return close_retro(session, retro, now)


def close_by_title(
    session: Session, *, team_id: str, title: str, user_id: str, is_admin: IsAdmin, now: datetime
) -> tuple[RetroSeries, RetroSummary]:
    """``/retro close <title>``: close the open run of that series and stop it recurring."""
    if not title.strip():
        raise RetroError("Which retro? Try `/retro close Launch review` (see `/retro list`).")
    series = _active_series_named(session, team_id, title)
    if series is None:
        raise RetroError(f"I couldn't find an active retro called “{plain_title(title)}”. See `/retro list`.")
    _require_facilitator(series, user_id, is_admin, "close this retro")
    retro = session.scalar(
        select(Retro)
        .where(Retro.team_id == team_id, Retro.series_id == series.id, Retro.status == RetroStatus.OPEN)
        .order_by(Retro.number.desc())
        .limit(1)
    )
    if retro is None:
        raise RetroError("That retro isn't collecting items right now, so there is nothing to close.")
    return series, close_retro(session, retro, now)


# --------------------------------------------------------------------------------------------
# Listing


@dataclass(frozen=True)
class SeriesLine:
    id: int
    title: str
    channel_id: str
    facilitator_id: str
    template: RetroTemplate
    open_retro_closes_at: datetime | None
    next_open_at: datetime | None
    runs: int
    paused: bool = False


def list_series(session: Session, team_id: str) -> list[SeriesLine]:
    lines: list[SeriesLine] = []
    for series in session.scalars(
        select(RetroSeries)
        .where(RetroSeries.team_id == team_id, RetroSeries.archived.is_(False))
        .order_by(RetroSeries.title)
    ):
        runs = list(
            session.scalars(
                select(Retro).where(Retro.team_id == team_id, Retro.series_id == series.id).order_by(Retro.number)
            )
        )
        open_run = next((r for r in reversed(runs) if r.status == RetroStatus.OPEN), None)
        upcoming = [
            s.next_run_at
            for s in schedules_for(session, team_id, RetroJob.OPEN, series.id)
            if s.next_run_at is not None and not s.paused
        ]
        lines.append(
            SeriesLine(
                series.id,
                series.title,
                series.channel_id,
                series.facilitator_id,
                RetroTemplate(series.template),
                open_run.closes_at if open_run else None,
                min(upcoming) if upcoming else None,
                len(runs),
                series.paused,
            )
        )
    return lines


# --------------------------------------------------------------------------------------------
# Action items: assigned by the facilitator, DM'd to the owner, reminded the day before


@dataclass(frozen=True)
class ActionForm:
    retro_id: int
    title: str
    items: list[ItemView]


def action_form(session: Session, *, team_id: str, retro_id: int, user_id: str, is_admin: IsAdmin) -> ActionForm:
    retro = get_retro(session, team_id, retro_id)
    series = get_series(session, team_id, retro.series_id)
    _require_facilitator(series, user_id, is_admin, "add action items")
    if retro.status != RetroStatus.CLOSED:
        raise RetroError("Close the retro first; then turn its items into action items.")
    items = sorted(_items(session, retro), key=lambda i: (-i.votes, i.id))
    return ActionForm(retro.id, series.title, [ItemView(i.id, i.prompt_index, i.text, None, i.votes) for i in items])


def _reminder_at(due_on: date, tz_name: str) -> datetime:
    try:
        tz = zone(tz_name)
    except InvalidCadence:
        tz = zone("UTC")
    return local_to_utc(due_on - timedelta(days=1), REMINDER_LOCAL_TIME, tz)


def _schedule_reminder(session: Session, action: RetroActionItem, now: datetime) -> None:
    delete_schedules_for(session, action.team_id, RetroJob.ACTION_REMINDER, action.id)
    at = _reminder_at(action.due_on, action.owner_tz)
    if at > now:
        schedule_once(session, team_id=action.team_id, kind=RetroJob.ACTION_REMINDER, ref_id=action.id, at=at, now=now)


def _validate_due(due_on: date | None, today: date, block_id: str) -> date:
    if due_on is None:
        raise InputError(block_id, "Pick a due date.")
    if due_on < today:
        raise InputError(block_id, "That date has passed. Pick today or a later date.")
    return due_on


def _dm_action(session: Session, action: RetroActionItem, title: str, kind: str, key: str, now: datetime) -> None:
    from bot.retro.views import build_action_dm

    message = build_action_dm(_action_view(action, title), kind)
    delivery.enqueue(
        session,
        team_id=action.team_id,
        method="chat.postMessage",
        args={"channel": action.owner_id, **message},
        key=key,
        ritual=delivery.Ritual("retro", action.series_id, action.created_by),
        now=now,
    )


def add_action_item(
    session: Session,
    *,
    team_id: str,
    retro_id: int,
    user_id: str,
    is_admin: IsAdmin,
    text: str,
    owner_id: str,
    owner_tz: str,
    due_on: date | None,
    item_id: int | None,
    now: datetime,
) -> RetroActionItem:
    form = action_form(session, team_id=team_id, retro_id=retro_id, user_id=user_id, is_admin=is_admin)
    retro = get_retro(session, team_id, form.retro_id)
    source = None
    if item_id is not None:
        source = session.scalar(
            select(RetroItem).where(
                RetroItem.team_id == team_id, RetroItem.retro_id == retro.id, RetroItem.id == item_id
            )
        )
        if source is None:
            raise InputError(RetroBlock.ACTION_SOURCE, "Pick one of this retro's items.")
    cleaned = text.strip() or (source.text.strip() if source is not None else "")
    if not cleaned:
        raise InputError(RetroBlock.ACTION_TEXT, "Say what should happen, or pick the item it comes from.")
    if len(cleaned) > ACTION_MAX_LENGTH:
        raise InputError(
            RetroBlock.ACTION_TEXT,
            f"Keep action items under {ACTION_MAX_LENGTH} characters (this one is {len(cleaned)}).",
        )
    if not owner_id:
        raise InputError(RetroBlock.ACTION_OWNER, "Pick who owns it.")
    today = now.astimezone(zone(owner_tz if _known_zone(owner_tz) else "UTC")).date()
    due = _validate_due(due_on, today, RetroBlock.ACTION_DUE)
    action = RetroActionItem(
        team_id=team_id,
        series_id=retro.series_id,
        retro_id=retro.id,
        item_id=source.id if source is not None else None,
        text=cleaned,
        owner_id=owner_id,
        due_on=due,
        owner_tz=owner_tz if _known_zone(owner_tz) else "UTC",
        status=ActionStatus.OPEN.value,
        created_by=user_id,
        created_at=now,
    )
    session.add(action)
    session.flush()
    _dm_action(session, action, form.title, "assigned", f"retro:action:{action.id}:assigned", now)
    _schedule_reminder(session, action, now)
    _refresh_summary(session, retro, now, f"action:{action.id}")
    return action


def _known_zone(name: str) -> bool:
    try:
        zone(name)
    except InvalidCadence:
        return False
    return True


def _refresh_summary(session: Session, retro: Retro, now: datetime, reason: str) -> None:
    """Update the summary reply in place so it lists the action items as they are added."""
    from bot.retro.views import build_summary_message

    series = get_series(session, retro.team_id, retro.series_id)
    message = build_summary_message(retro_summary(session, retro))
    delivery.enqueue(
        session,
        team_id=retro.team_id,
        method="chat.update",
        args={"channel": retro.channel_id, "ts": delivery.result_ref(_summary_key(retro)), **message},
        key=f"retro:{retro.id}:summary:{reason}",
        ritual=delivery.Ritual("retro", series.id, series.facilitator_id),
        allow_external=_external_confirmed(series, retro),
        now=now,
    )


def _owned_action(session: Session, team_id: str, action_id: int, user_id: str, is_admin: IsAdmin) -> RetroActionItem:
    action = get_action_item(session, team_id, action_id)
    if user_id not in (action.owner_id, action.created_by) and not is_admin():
        raise NotAllowed("Only the owner of this action item, the facilitator or an admin can change it.")
    return action


def list_open_action_items(session: Session, team_id: str, user_id: str) -> list[ActionView]:
    """The open action items ``user_id`` owns, soonest due first (for the App Home)."""
    rows = session.execute(
        select(RetroActionItem, RetroSeries.title)
        .join(RetroSeries, RetroSeries.id == RetroActionItem.series_id)
        .where(
            RetroActionItem.team_id == team_id,
            RetroSeries.team_id == team_id,
            RetroActionItem.owner_id == user_id,
            RetroActionItem.status == ActionStatus.OPEN,
        )
        .order_by(RetroActionItem.due_on, RetroActionItem.id)
    )
    return [_action_view(action, title) for action, title in rows]


def complete_action_item(
    session: Session, *, team_id: str, action_id: int, user_id: str, now: datetime, is_admin: IsAdmin = lambda: False
) -> ActionView:
    action = _owned_action(session, team_id, action_id, user_id, is_admin)
    if action.status != ActionStatus.DONE:
        action.status = ActionStatus.DONE.value
        action.completed_at = now
        delete_schedules_for(session, team_id, RetroJob.ACTION_REMINDER, action.id)
        session.flush()
    series = get_series(session, team_id, action.series_id)
    return _action_view(action, series.title)


def reschedule_action_item(
    session: Session,
    *,
    team_id: str,
    action_id: int,
    user_id: str,
    due_on: date | None,
    now: datetime,
    is_admin: IsAdmin = lambda: False,
) -> ActionView:
    action = _owned_action(session, team_id, action_id, user_id, is_admin)
    today = now.astimezone(zone(action.owner_tz)).date()
    action.due_on = _validate_due(due_on, today, RetroBlock.ACTION_DUE)
    if action.status == ActionStatus.DONE:
        action.status = ActionStatus.OPEN.value
        action.completed_at = None
    _schedule_reminder(session, action, now)
    session.flush()
    series = get_series(session, team_id, action.series_id)
    return _action_view(action, series.title)


def action_view(session: Session, team_id: str, action_id: int) -> ActionView:
    action = get_action_item(session, team_id, action_id)
    return _action_view(action, get_series(session, team_id, action.series_id).title)


def remind_action_item(session: Session, action: RetroActionItem, now: datetime) -> bool:
    """Job body: DM the owner the day before the due date, unless it is done."""
    if action.status != ActionStatus.OPEN:
        return False
    series = get_series(session, action.team_id, action.series_id)
    key = f"retro:action:{action.id}:reminder:{action.due_on.isoformat()}"
    _dm_action(session, action, series.title, "reminder", key, now)
    return True
