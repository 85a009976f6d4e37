"""Retro series: setting one up, editing, pausing, resuming and deleting it (the facilitator or a
workspace admin), and listing them. A series' ``retro.open`` schedule opens its runs (``runs``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.goals.lookups import get_goal, require_goal
from bot.retro import forms
from bot.retro.data import (
    COLLECT_CHOICES_HOURS,
    DEFAULT_LOCAL_TIME,
    TITLE_MAX_LENGTH,
    IsAdmin,
    ManageResult,
    OpeningNote,
    RetroError,
    RetroNotFound,
    SeriesForm,
    SeriesLine,
    SeriesSetup,
    SetupResult,
)
from bot.retro.ids import Anonymity, Block, JobKind, RetroStatus, RetroTemplate, StartMode
from bot.retro.lookups import active_series_named, get_series, open_run, plain_title, require_facilitator
from bot.retro.models import Retro, RetroSeries
from bot.retro.runs import open_retro
from bot.retro.summary import refresh_retro_message
from bot.retro.templates import prompts_for
from bot.scheduling.cadence import Cadence, InvalidCadence, local_to_utc, zone
from bot.scheduling.models import Schedule
from bot.scheduling.service import (
    create_schedule,
    delete_schedules_for,
    pause_schedule,
    schedules_for,
    set_paused_for,
    update_schedule,
)
from bot.slack.channels import Confirmation, settle_confirmation


def validate_setup(setup: SeriesSetup, now: datetime, *, past_date_ok: bool = False) -> None:
    """Raise ``RetroError`` on the first field that needs fixing (``forms.validate_setup``)."""
    for block_id, message in forms.validate_setup(setup, now, past_date_ok=past_date_ok).items():
        raise RetroError(message, block_id=block_id)


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
    existing = schedules_for(session, series.team_id, JobKind.OPEN, series.id)
    first_date = setup.first_date
    if setup.start_mode is StartMode.NOW or first_date is None:
        delete_schedules_for(session, series.team_id, JobKind.OPEN, series.id)
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
            kind=JobKind.OPEN,
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
    if active_series_named(session, team_id, setup.title) is not None:
        raise RetroError("There is already a retro with that title. Pick another one.", block_id=Block.TITLE)
    series = RetroSeries(team_id=team_id, facilitator_id=facilitator_id, paused=False, archived=False, created_at=now)
    _settle_confirmation(series, setup, facilitator_id, now, new=True)
    _apply_setup(series, setup)
    # A retro about a shared goal: kept only if that goal is this workspace's (ids are input).
    if setup.goal_id and get_goal(session, team_id, setup.goal_id) is not None:
        series.goal_id = setup.goal_id
    session.add(series)
    session.flush()
    if setup.start_mode is StartMode.NOW:
        retro = open_retro(session, series, now)
        return SetupResult(series, retro, None, "now")
    first_run_at, cadence_text = _schedule_runs(session, series, setup, now)
    return SetupResult(series, None, first_run_at, cadence_text)


# --------------------------------------------------------------------------------------------
# Managing a series: edit, pause, resume, delete (the facilitator or a workspace admin)


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
            local_time=series.local_time or DEFAULT_LOCAL_TIME,
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
    series = active_series_named(session, team_id, title)
    if series is None:
        raise RetroError(f"I couldn't find an active retro called “{plain_title(title)}”. See `/retro list`.")
    require_facilitator(series, user_id, is_admin, f"{verb} this retro")
    return series


def edit_form(
    session: Session, *, team_id: str, user_id: str, is_admin: IsAdmin, title: str = "", series_id: int | None = None
) -> SeriesForm:
    """The edit modal's data for a series named ``title`` (``/retro edit``) or by id (App Home)."""
    if series_id is not None:
        series = get_series(session, team_id, series_id)
        if series.archived:
            raise RetroNotFound()
        require_facilitator(series, user_id, is_admin, "edit this retro")
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
    require_facilitator(series, user_id, is_admin, "edit this retro")
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
    same_title = active_series_named(session, team_id, setup.title)
    if same_title is not None and same_title.id != series.id:
        raise RetroError("There is already a retro with that title. Pick another one.", block_id=Block.TITLE)
    _settle_confirmation(series, setup, user_id, now, new=False)
    _apply_setup(series, setup)
    session.flush()
    if setup.start_mode is StartMode.NOW:
        delete_schedules_for(session, team_id, JobKind.OPEN, series.id)
        opened = None
        if previous_mode is not StartMode.NOW and open_run(session, series) is None:
            opened = open_retro(session, series, now)
        return SetupResult(series, opened, None, "now")
    if unchanged_one_off and before is not None and before <= now:
        return SetupResult(series, None, None, "once")  # it ran already; nothing new to schedule
    next_run_at, cadence_text = _schedule_runs(session, series, setup, now)
    return SetupResult(series, None, next_run_at, cadence_text)


def _upcoming_schedules(session: Session, series: RetroSeries) -> list[Schedule]:
    return [s for s in schedules_for(session, series.team_id, JobKind.OPEN, series.id) if s.next_run_at is not None]


def _manage_result(session: Session, series: RetroSeries, next_run_at: datetime | None = None) -> ManageResult:
    runs = session.scalar(
        select(func.count()).select_from(Retro).where(Retro.team_id == series.team_id, Retro.series_id == series.id)
    )
    still_open = open_run(session, series)
    return ManageResult(series, next_run_at, int(runs or 0), still_open.closes_at if still_open else None)


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
    set_paused_for(session, team_id, JobKind.OPEN, series.id, True, now)
    return _manage_result(session, series)


def resume_series(
    session: Session, *, team_id: str, title: str, user_id: str, is_admin: IsAdmin, now: datetime
) -> ManageResult:
    """Run again from the next scheduled date; runs that fell inside the pause are skipped."""
    series = managed_series(session, team_id=team_id, title=title, user_id=user_id, is_admin=is_admin, verb="resume")
    if not series.paused:
        raise RetroError(f"“{plain_title(series.title)}” isn't paused.")
    series.paused = False
    set_paused_for(session, team_id, JobKind.OPEN, series.id, False, now)
    upcoming = [s.next_run_at for s in _upcoming_schedules(session, series) if s.next_run_at is not None]
    return _manage_result(session, series, min(upcoming) if upcoming else None)


def delete_series(
    session: Session, *, team_id: str, title: str, user_id: str, is_admin: IsAdmin, now: datetime
) -> ManageResult:
    """Stop all future runs and take the series off the lists; past runs, their results and
    action items (and their reminders) are kept. A run still open closes on time."""
    series = managed_series(session, team_id=team_id, title=title, user_id=user_id, is_admin=is_admin, verb="delete")
    archive_series(session, series)
    return _manage_result(session, series)


def archive_series(session: Session, series: RetroSeries) -> None:
    """No more runs, off the lists; past runs and their action items are kept (``/retro
    delete``, or whatever set the series up calling it off: a cancelled launch)."""
    delete_schedules_for(session, series.team_id, JobKind.OPEN, series.id)
    series.archived = True
    series.paused = False
    session.flush()


def set_opening_notes(session: Session, series: RetroSeries, notes: list[OpeningNote], now: datetime) -> None:
    """What the series' retros open with (the launch retro's brief). A run already open shows
    them at once (its message updated in place); otherwise the next run opens with them."""
    series.opening_notes = [note.to_json() for note in notes]
    session.flush()
    running = open_run(session, series)
    if running is not None:
        refresh_retro_message(session, running, now, "opening-notes")


# --------------------------------------------------------------------------------------------
# Listing


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
            for s in schedules_for(session, team_id, JobKind.OPEN, series.id)
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


def setup_about_goal(session: Session, *, team_id: str, goal_id: int) -> SeriesSetup:
    """A new retro about a shared goal, as the setup modal opens pre-filled ("Open a retro about
    it" after the goal closes): titled after the goal, in its channel, the alignment-check
    template, starting now. ``GoalNotFound`` for an id that is not this workspace's."""
    goal = require_goal(session, team_id, goal_id)
    title = f"Retro: {' '.join(goal.title.split())}"
    if len(title) > TITLE_MAX_LENGTH:
        title = title[: TITLE_MAX_LENGTH - 1].rstrip() + "…"
    return SeriesSetup(
        title=title,
        channel_id=goal.channel_id,
        start_mode=StartMode.NOW,
        template=RetroTemplate.ALIGNMENT,
        prompts=prompts_for(RetroTemplate.ALIGNMENT),
        anonymity=Anonymity.OPTIONAL,
        votes_per_person=3,
        collect_minutes=COLLECT_CHOICES_HOURS[2] * 60,
        goal_id=goal.id,
    )
