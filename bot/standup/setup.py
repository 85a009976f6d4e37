"""Setting a stand-up up and managing it: create or edit (participants resolved through the
``Directory``, prompt schedules recreated), pause, resume, delete, the edit form, out of office."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.scheduling.cadence import Cadence
from bot.scheduling.service import create_schedule, delete_schedules_for, set_paused_for
from bot.slack.channels import Confirmation, settle_confirmation
from bot.slack.text import escape
from bot.slack.users import SlackUser
from bot.standup.data import Directory, NotAllowed, NotFound, SetupForm, StandupError, StandupInput
from bot.standup.ids import JobKind, Side, ZoneMode
from bot.standup.lookups import can_manage, find_by_name, get_standup, managed, participants_of, valid_zone
from bot.standup.models import (
    Standup,
    StandupAbsence,
    StandupAnswer,
    StandupAsk,
    StandupOccurrence,
    StandupParticipant,
    StandupPrompt,
)


@dataclass
class SaveResult:
    standup: Standup
    created: bool
    participants: list[StandupParticipant]
    dropped: list[str] = field(default_factory=list)  # user ids left out: deactivated, bots, unknown


@dataclass(frozen=True)
class Resolved:
    """Someone who takes part: their side, Slack profile and the user group they came through
    (None when picked by name)."""

    user_id: str
    side: Side
    user: SlackUser
    via_group: str | None = None


def sides_of(
    directory: Directory, people: dict[Side, list[str]], groups: dict[Side, list[str]]
) -> dict[str, tuple[Side, str | None]]:
    """Everyone named directly or through a user group -> (side, group or None), in order.

    A person listed on several sides keeps the first: people picked by name before groups,
    product before marketing before other.
    """
    seen: dict[str, tuple[Side, str | None]] = {}
    for side in Side:
        for user_id in people.get(side, []):
            seen.setdefault(user_id, (side, None))
    for side in Side:
        for group_id in groups.get(side, []):
            for user_id in directory.group_members(group_id):
                seen.setdefault(user_id, (side, group_id))
    return seen


def resolve_people(
    directory: Directory, people: dict[Side, list[str]], groups: dict[Side, list[str]]
) -> tuple[list[Resolved], list[str]]:
    """Everyone named directly or through a user group, with their side, minus the inactive
    (returned second: deactivated accounts, bots and unknown ids)."""
    kept: list[Resolved] = []
    dropped: list[str] = []
    for user_id, (side, via_group) in sides_of(directory, people, groups).items():
        user = directory.get_user(user_id)
        if user is None or not user.active_person:
            dropped.append(user_id)
            continue
        kept.append(Resolved(user_id, side, user, via_group))
    return kept, dropped


def save_standup(
    session: Session,
    directory: Directory,
    *,
    team_id: str,
    actor_id: str,
    actor_is_admin: bool,
    data: StandupInput,
    now: datetime,
    standup_id: int | None = None,
) -> SaveResult:
    """Create (``standup_id`` None) or edit a stand-up, its participants and its schedules."""
    other = find_by_name(session, team_id, data.name)
    if other is not None and other.id != standup_id:
        raise StandupError(f"There is already a stand-up called “{escape(data.name)}”. Pick another name.")
    resolved, dropped = resolve_people(directory, data.people, data.groups)
    if not resolved:
        raise StandupError("None of the people picked can take part (deactivated accounts and bots are left out).")
    created = standup_id is None
    if standup_id is None:
        standup = Standup(team_id=team_id, owner_id=actor_id, created_at=now, paused=False)
        session.add(standup)
    else:
        found = get_standup(session, team_id, standup_id)
        if found is None:
            raise NotFound("That stand-up no longer exists.")
        if not can_manage(found, actor_id, actor_is_admin):
            raise NotAllowed("Only the stand-up's owner or a workspace admin can change it.")
        standup = found
    confirmation = settle_confirmation(
        external=data.channel_external,
        ticked=data.external_ok,
        previous=Confirmation(standup.external_confirmed_by, standup.external_confirmed_at),
        channel_changed=standup_id is None or standup.channel_id != data.channel_id,
        user_id=actor_id,
        now=now,
    )
    standup.external_confirmed_by, standup.external_confirmed_at = confirmation.by, confirmation.at
    standup.name = data.name.strip()
    standup.channel_id = data.channel_id
    standup.weekdays = ",".join(str(d) for d in sorted(set(data.days)))
    standup.local_time = data.local_time
    standup.zone_mode = data.zone_mode.value
    standup.timezone = data.timezone
    standup.questions = {k: list(v) for k, v in data.questions.items() if v}
    standup.blocker_question = data.blocker_question.strip()
    standup.usergroups = {side.value: list(ids) for side, ids in data.groups.items() if ids}
    standup.reminder_minutes = data.reminder_minutes
    standup.open_minutes = data.open_minutes
    standup.escalate_after_days = data.escalate_after_days
    standup.prefill = data.prefill
    standup.updated_at = now
    session.flush()

    existing = {p.user_id: p for p in participants_of(session, team_id, standup.id, active_only=False)}
    wanted = {person.user_id for person in resolved}
    for person in resolved:
        take_part(session, standup, existing.get(person.user_id), person, now)
    for user_id, row in existing.items():
        if user_id not in wanted:
            row.active = False
    session.flush()
    _sync_prompt_schedules(session, standup, now)
    return SaveResult(standup, created, participants_of(session, team_id, standup.id), dropped)


def take_part(
    session: Session, standup: Standup, row: StandupParticipant | None, person: Resolved, now: datetime
) -> StandupParticipant:
    """Add ``person`` to the stand-up, or bring their row up to date and active."""
    if row is None:
        row = StandupParticipant(team_id=standup.team_id, standup_id=standup.id, user_id=person.user_id, joined_at=now)
        session.add(row)
    row.side = person.side.value
    row.timezone = person.user.tz or "UTC"
    row.name = person.user.name
    row.via_group = person.via_group
    row.active = True
    return row


def _sync_prompt_schedules(session: Session, standup: Standup, now: datetime) -> None:
    """Recreate the prompt schedules: one in one-zone mode, one per participant otherwise."""
    delete_schedules_for(session, standup.team_id, JobKind.PROMPT, standup.id)
    if standup.zone_mode == ZoneMode.FIXED:
        create_schedule(
            session, team_id=standup.team_id, kind=JobKind.PROMPT, ref_id=standup.id,
            cadence=Cadence.days(*standup.days), local_time=time.fromisoformat(standup.local_time),
            timezone=standup.timezone, now=now,
        )  # fmt: skip
    else:
        for person in participants_of(session, standup.team_id, standup.id):
            add_personal_schedule(session, standup, person, now)
    if standup.paused:
        set_paused_for(session, standup.team_id, JobKind.PROMPT, standup.id, True, now)


def add_personal_schedule(session: Session, standup: Standup, person: StandupParticipant, now: datetime) -> None:
    """Each-person's-own-time mode: ``person``'s prompt schedule, in their Slack zone."""
    create_schedule(
        session, team_id=standup.team_id, kind=JobKind.PROMPT, ref_id=standup.id, cadence=Cadence.days(*standup.days),
        local_time=time.fromisoformat(standup.local_time), timezone=valid_zone(person.timezone),
        subject=person.user_id, now=now, follow_user_timezone=True,
    )  # fmt: skip


def set_paused(
    session: Session, *, team_id: str, name: str, actor_id: str, actor_is_admin: bool, paused: bool, now: datetime
) -> Standup:
    standup = managed(session, team_id, name, actor_id, actor_is_admin)
    standup.paused = paused
    standup.updated_at = now
    set_paused_for(session, team_id, JobKind.PROMPT, standup.id, paused, now)
    session.flush()
    return standup


def delete_standup(session: Session, *, team_id: str, name: str, actor_id: str, actor_is_admin: bool) -> str:
    standup = managed(session, team_id, name, actor_id, actor_is_admin)
    occurrence_ids = list(
        session.scalars(
            select(StandupOccurrence.id).where(
                StandupOccurrence.team_id == team_id, StandupOccurrence.standup_id == standup.id
            )
        )
    )
    delete_schedules_for(session, team_id, JobKind.PROMPT, standup.id)
    for occurrence_id in occurrence_ids:
        delete_schedules_for(session, team_id, JobKind.REMIND, occurrence_id)
        delete_schedules_for(session, team_id, JobKind.CLOSE, occurrence_id)
    for model in (StandupAsk, StandupAnswer):
        session.execute(delete(model).where(model.team_id == team_id, model.standup_id == standup.id))
    if occurrence_ids:
        session.execute(
            delete(StandupPrompt).where(
                StandupPrompt.team_id == team_id, StandupPrompt.occurrence_id.in_(occurrence_ids)
            )
        )
    for model2 in (StandupOccurrence, StandupParticipant):
        session.execute(delete(model2).where(model2.team_id == team_id, model2.standup_id == standup.id))
    name = standup.name
    session.delete(standup)
    session.flush()
    return name


def managed_for_edit(session: Session, *, team_id: str, name: str, actor_id: str, actor_is_admin: bool) -> SetupForm:
    standup = managed(session, team_id, name, actor_id, actor_is_admin)
    people = participants_of(session, team_id, standup.id)
    return setup_form_from(standup, people)


def setup_form_from(standup: Standup, people: Sequence[StandupParticipant]) -> SetupForm:
    by_side: dict[Side, list[str]] = {side: [] for side in Side}
    groups = standup.usergroups or {}
    for person in people:
        if person.via_group is None:  # group members come with their group
            by_side[Side(person.side)].append(person.user_id)
    return SetupForm(
        standup_id=standup.id,
        name=standup.name,
        channel_id=standup.channel_id,
        people=by_side,
        groups={side: list(groups.get(side.value, [])) for side in Side},
        days=standup.days,
        local_time=standup.local_time,
        zone_mode=ZoneMode(standup.zone_mode),
        timezone=standup.timezone,
        questions={k: list(v) for k, v in (standup.questions or {}).items()},
        blocker_question=standup.blocker_question,
        reminder_minutes=standup.reminder_minutes,
        open_minutes=standup.open_minutes,
        escalate_after_days=standup.escalate_after_days,
        prefill=standup.prefill,
        external_ok=bool(standup.external_confirmed_by),
    )


def add_absence(
    session: Session, *, team_id: str, user_id: str, starts_on: date, ends_on: date, now: datetime
) -> StandupAbsence:
    """Out of office on ``starts_on``..``ends_on`` (local dates): no prompts, no reminders.

    Prompts already sent for those dates are marked skipped so no reminder follows them.
    """
    if ends_on < starts_on:
        raise StandupError("That date is in the past. Use `/standup skip until YYYY-MM-DD` with a future date.")
    if (ends_on - starts_on).days > 366:
        raise StandupError("Skip at most a year at a time.")
    absence = StandupAbsence(team_id=team_id, user_id=user_id, starts_on=starts_on, ends_on=ends_on, created_at=now)
    session.add(absence)
    prompts = session.scalars(
        select(StandupPrompt)
        .join(StandupOccurrence, StandupOccurrence.id == StandupPrompt.occurrence_id)
        .where(
            StandupPrompt.team_id == team_id,
            StandupPrompt.user_id == user_id,
            StandupPrompt.skipped_at.is_(None),
            StandupOccurrence.closed_at.is_(None),
            StandupOccurrence.local_date >= starts_on,
            StandupOccurrence.local_date <= ends_on,
        )
    )
    for prompt in prompts:
        prompt.skipped_at = now
    session.flush()
    return absence
