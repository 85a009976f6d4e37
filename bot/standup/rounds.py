"""A stand-up's rounds: the day's occurrence (its parent message and closing timer), the prompt
DMs, the single reminder, ``/standup now`` and "Skip today".

**Occurrence identity.** An occurrence is ``(standup, local_date)``. In *one zone* mode the date
is the stand-up's zone's date at the prompt instant. In *each person's own zone* mode every
participant has their own prompt schedule in their own zone and is prompted at the stand-up's
wall-clock time on *their* local date; all prompts for the same local date join one occurrence,
so New York's Monday 09:00 and Berlin's Monday 09:00 (six hours earlier in UTC) share one thread.
The occurrence is created by the first prompt of its date (which posts the thread's parent).

**Closing** (``summary.py``). An occurrence closes ``open_minutes`` after its *last* participant's
prompt instant for that date (in one-zone mode: after the single prompt instant). Closing updates
the parent in place with the summary. Answers after closing are still welcome: they join the same
thread (marked late) and the summary is refreshed in place.

**Attention.** One DM per person per occurrence; at most one reminder, ``reminder_minutes``
after that person's prompt, only while the occurrence is open and only if they have neither
answered nor skipped. People out of office, on their own public holiday or a company day off
(``daysoff``: no prompt, no reminder, "off (holiday)" in the summary), or whose local day is not a
stand-up day (one-zone mode across far-apart zones), get nothing and are not counted as missing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import insert_ignore
from bot.scheduling.cadence import local_to_utc
from bot.scheduling.service import schedule_once, schedules_for
from bot.standup import daysoff, outbox
from bot.standup.data import AskLine, Directory, DirectoryUnavailable, NotFound, ParentView, PromptView
from bot.standup.ids import JobKind, ZoneMode
from bot.standup.lookups import (
    get_occurrence,
    get_standup,
    is_away,
    local_today,
    managed,
    open_asks_for,
    participant,
    participants_of,
    prompt_of,
    valid_zone,
)
from bot.standup.models import Standup, StandupAnswer, StandupOccurrence, StandupParticipant, StandupPrompt
from bot.standup.summary import refresh_summary

log = logging.getLogger(__name__)


def _prompt_instant(standup: Standup, day: date, tz: str) -> datetime:
    return local_to_utc(day, time.fromisoformat(standup.local_time), ZoneInfo(valid_zone(tz)))


def _closing_instant(session: Session, standup: Standup, day: date, opened_at: datetime) -> datetime:
    """``open_minutes`` after the last prompt of ``day`` (each person's own zone in personal mode)."""
    last = opened_at
    if standup.zone_mode == ZoneMode.PERSONAL:
        for schedule in schedules_for(session, standup.team_id, JobKind.PROMPT, standup.id):
            if schedule.subject and not schedule.paused:
                last = max(last, _prompt_instant(standup, day, schedule.timezone))
    return last + timedelta(minutes=standup.open_minutes)


def ensure_occurrence(
    session: Session, standup: Standup, day: date, *, opened_at: datetime, now: datetime
) -> StandupOccurrence:
    """The occurrence of ``standup`` on local date ``day``; the first call posts its parent and
    sets its closing timer."""
    found = session.scalar(
        select(StandupOccurrence).where(
            StandupOccurrence.team_id == standup.team_id,
            StandupOccurrence.standup_id == standup.id,
            StandupOccurrence.local_date == day,
        )
    )
    if found is not None:
        return found
    # Per-person schedules of one stand-up may run at the same moment in different processes:
    # exactly one of them creates the day's occurrence (and so posts its parent).
    created = insert_ignore(
        session,
        StandupOccurrence,
        {
            "team_id": standup.team_id,
            "standup_id": standup.id,
            "local_date": day,
            "channel_id": standup.channel_id,
            "opened_at": opened_at,
            "closes_at": _closing_instant(session, standup, day, opened_at),
            "closed_at": None,
            "parent_key": "",
        },
        ["standup_id", "local_date"],
    )
    occurrence = session.scalars(
        select(StandupOccurrence)
        .where(StandupOccurrence.standup_id == standup.id, StandupOccurrence.local_date == day)
        .execution_options(populate_existing=True)
    ).one()
    if not created:
        return occurrence
    occurrence.parent_key = f"standup:{occurrence.id}:parent"
    outbox.post_parent(session, occurrence, ParentView(standup.name, day, occurrence.closes_at), now=now)
    schedule_once(
        session, team_id=standup.team_id, kind=JobKind.CLOSE, ref_id=occurrence.id, at=occurrence.closes_at, now=now
    )
    session.flush()
    return occurrence


def _prompt_view(standup: Standup, occurrence: StandupOccurrence, asks: list[AskLine]) -> PromptView:
    return PromptView(
        occurrence_id=occurrence.id,
        standup_name=standup.name,
        channel_id=standup.channel_id,
        local_date=occurrence.local_date,
        closes_at=occurrence.closes_at,
        asks=asks,
    )


@dataclass
class PromptRun:
    occurrence: StandupOccurrence | None
    prompted: list[str] = field(default_factory=list)
    away: list[str] = field(default_factory=list)
    off: list[str] = field(default_factory=list)  # on a public holiday or company day off
    not_today: list[str] = field(default_factory=list)


def run_prompts(
    session: Session,
    standup: Standup,
    *,
    scheduled_for: datetime,
    tz: str,
    now: datetime,
    subject: str = "",
    directory: Directory | None = None,
    force: bool = False,
) -> PromptRun:
    """Prompt ``subject`` (or everybody) for the occurrence whose local date is that of
    ``scheduled_for`` in ``tz``. ``force`` (``/standup now``) ignores the stand-up days."""
    day = scheduled_for.astimezone(ZoneInfo(valid_zone(tz))).date()
    people = participants_of(session, standup.team_id, standup.id)
    if subject:
        people = [p for p in people if p.user_id == subject]
    if directory is not None:
        people = _drop_departed(session, standup, people, directory, now)
    if not people:
        return PromptRun(None)
    occurrence = ensure_occurrence(session, standup, day, opened_at=scheduled_for, now=now)
    run = PromptRun(occurrence)
    if occurrence.closed_at is not None:
        return run
    for person in people:
        person_day = day if standup.zone_mode == ZoneMode.PERSONAL else local_today(person.timezone, scheduled_for)
        if not force and person_day.weekday() not in standup.days:
            run.not_today.append(person.user_id)
            continue
        if prompt_of(session, standup.team_id, occurrence.id, person.user_id) is not None:
            continue
        away = is_away(session, standup.team_id, person.user_id, person_day)
        holiday = "" if away else daysoff.day_off(session, standup.team_id, person.user_id, person.timezone, person_day)
        prompt = StandupPrompt(
            team_id=standup.team_id,
            occurrence_id=occurrence.id,
            user_id=person.user_id,
            side=person.side,
            due_at=scheduled_for,
            prompted_at=None if away or holiday else now,
            reminded_at=None,
            skipped_at=None,
            away=away,
            holiday=holiday or "",
        )
        session.add(prompt)
        if away:
            run.away.append(person.user_id)
            continue
        if holiday:
            run.off.append(person.user_id)
            continue
        asks = [AskLine(a.id, a.from_user, a.text) for a in open_asks_for(session, standup.team_id, person.user_id)]
        view = _prompt_view(standup, occurrence, asks)
        outbox.send_prompt(session, standup.team_id, person.user_id, view, reminder=False, now=now)
        run.prompted.append(person.user_id)
    session.flush()
    if run.prompted and standup.reminder_minutes > 0:
        remind_at = scheduled_for + timedelta(minutes=standup.reminder_minutes)
        if remind_at < occurrence.closes_at:
            schedule_once(
                session, team_id=standup.team_id, kind=JobKind.REMIND, ref_id=occurrence.id,
                subject=subject, at=remind_at, now=now,
            )  # fmt: skip
    return run


def _drop_departed(
    session: Session, standup: Standup, people: list[StandupParticipant], directory: Directory, now: datetime
) -> list[StandupParticipant]:
    """Leave out (and tell the owner about) participants whose account is gone or deactivated."""
    kept: list[StandupParticipant] = []
    for person in people:
        try:
            user = directory.get_user(person.user_id)
        except (DirectoryUnavailable, OSError) as error:  # Slack unreachable or refusing: prompt as planned
            log.warning("users.info failed for a participant of stand-up %s: %s", standup.id, type(error).__name__)
            kept.append(person)
            continue
        if user is not None and user.active_person:
            kept.append(person)
            continue
        person.active = False
        delete_schedules_for_subject(session, standup, person.user_id)
        outbox.send_owner_note(
            session, standup.team_id, standup.owner_id,
            key=f"standup:{standup.id}:departed:{person.user_id}:{now.date().isoformat()}",
            text=f"{person.name or 'A participant'} has left the workspace or was deactivated, so I took them off "
            f"the stand-up “{standup.name}”.",
            now=now,
        )  # fmt: skip
    session.flush()
    return kept


def delete_schedules_for_subject(session: Session, standup: Standup, user_id: str) -> None:
    for schedule in schedules_for(session, standup.team_id, JobKind.PROMPT, standup.id):
        if schedule.subject == user_id:
            session.delete(schedule)
    session.flush()


def start_now(
    session: Session,
    directory: Directory,
    *,
    team_id: str,
    name: str,
    actor_id: str,
    actor_is_admin: bool,
    now: datetime,
) -> PromptRun:
    """``/standup now``: an occurrence today (in the stand-up's zone) for everybody, right away."""
    standup = managed(session, team_id, name, actor_id, actor_is_admin)
    return run_prompts(
        session, standup, scheduled_for=now, tz=standup.timezone, now=now, directory=directory, force=True
    )


def send_reminders(session: Session, *, team_id: str, occurrence_id: int, subject: str, now: datetime) -> list[str]:
    """The single reminder, to those prompted who have neither answered nor skipped."""
    occurrence = get_occurrence(session, team_id, occurrence_id)
    if occurrence is None or occurrence.closed_at is not None or now >= occurrence.closes_at:
        return []
    standup = get_standup(session, team_id, occurrence.standup_id)
    if standup is None or standup.paused:
        return []
    answered = set(
        session.scalars(
            select(StandupAnswer.user_id).where(
                StandupAnswer.team_id == team_id, StandupAnswer.occurrence_id == occurrence.id
            )
        )
    )
    query = select(StandupPrompt).where(
        StandupPrompt.team_id == team_id,
        StandupPrompt.occurrence_id == occurrence.id,
        StandupPrompt.prompted_at.is_not(None),
        StandupPrompt.reminded_at.is_(None),
        StandupPrompt.skipped_at.is_(None),
        StandupPrompt.away.is_(False),
    )
    if subject:
        query = query.where(StandupPrompt.user_id == subject)
    reminded: list[str] = []
    for prompt in session.scalars(query):
        if prompt.user_id in answered:
            continue
        person = participant(session, team_id, standup.id, prompt.user_id)
        if person is None or not person.active:
            continue
        if is_away(session, team_id, prompt.user_id, occurrence.local_date):
            continue
        prompt.reminded_at = now
        view = _prompt_view(standup, occurrence, [])
        outbox.send_prompt(session, team_id, prompt.user_id, view, reminder=True, now=now)
        reminded.append(prompt.user_id)
    session.flush()
    return reminded


def skip_occurrence(
    session: Session, *, team_id: str, user_id: str, occurrence_id: int, now: datetime
) -> StandupOccurrence:
    occurrence = get_occurrence(session, team_id, occurrence_id)
    if occurrence is None:
        raise NotFound("That stand-up is gone.")
    prompt = prompt_of(session, team_id, occurrence.id, user_id)
    if prompt is None:
        raise NotFound("You were not asked for this stand-up.")
    if prompt.skipped_at is None:
        prompt.skipped_at = now
    session.flush()
    if occurrence.closed_at is not None:
        refresh_summary(session, occurrence, now=now, reason=f"skip-{user_id}")
    return occurrence
