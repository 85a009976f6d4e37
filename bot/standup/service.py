"""Joint stand-ups: setup, occurrences, prompts, answers, asks, reminders and closing.

**Occurrence identity.** An occurrence is ``(standup, local_date)``. In *one zone* mode the date
is the stand-up's zone's date at the prompt instant. In *each person's own zone* mode every
participant has their own prompt schedule in their own zone and is prompted at the stand-up's
wall-clock time on *their* local date; all prompts for the same local date join one occurrence,
so New York's Monday 09:00 and Berlin's Monday 09:00 (six hours earlier in UTC) share one thread.
The occurrence is created by the first prompt of its date (which posts the thread's parent).

**Closing.** An occurrence closes ``open_minutes`` after its *last* participant's prompt instant
for that date (in one-zone mode: after the single prompt instant). Closing updates the parent in
place with the summary. Answers after closing are still welcome: they join the same thread
(marked late) and the summary is refreshed in place.

**Attention.** One DM per person per occurrence; at most one reminder, ``reminder_minutes``
after that person's prompt, only while the occurrence is open and only if they have neither
answered nor skipped. People out of office, or whose local day is not a stand-up day (one-zone
mode across far-apart zones), get nothing and are not counted as missing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import insert_ignore
from bot.scheduling.cadence import Cadence, local_to_utc
from bot.scheduling.service import (
    create_schedule,
    delete_schedules_for,
    schedule_once,
    schedules_for,
    set_paused_for,
)
from bot.services import Services
from bot.slack import users as slack_users
from bot.slack.channels import Confirmation, channel_choice_problem, is_external, settle_confirmation
from bot.slack.clients import WorkspaceNotInstalled
from bot.slack.text import escape, name_key, truncate
from bot.standup import outbox, views
from bot.standup.ids import AskStatus, JobKind, Side, ZoneMode
from bot.standup.models import (
    Standup,
    StandupAbsence,
    StandupAnswer,
    StandupAsk,
    StandupOccurrence,
    StandupParticipant,
    StandupPrompt,
)

log = logging.getLogger(__name__)

DEFAULT_QUESTIONS = ("What did you move forward since last time?", "What's next?")
DEFAULT_BLOCKER_QUESTION = "Anything blocked, or anything you need from the other team?"
ANSWER_LIMIT = views.ANSWER_LIMIT  # the modals declare these as max_length too
QUESTION_LIMIT = views.QUESTION_LIMIT
MAX_QUESTIONS = 6
NAME_LIMIT = views.NAME_LIMIT
PROMPT_KIND_PREFIX = "standup."


class StandupError(Exception):
    """A user-presentable problem (``str()`` is the message)."""


class NotAllowed(StandupError):
    pass


class NotFound(StandupError):
    pass


class AskRejected(StandupError):
    """The ask in an answer cannot go to that person (shown as a modal error on the ask field)."""


# ---------------------------------------------------------------------------- directory


class Directory(Protocol):
    """Who people are: Slack users.info / usergroups, behind a protocol so tests can fake it."""

    def get_user(self, user_id: str) -> slack_users.SlackUser | None: ...

    def group_members(self, group_id: str) -> list[str]: ...


@dataclass
class SlackDirectory:
    client: WebClient
    team_id: str

    def get_user(self, user_id: str) -> slack_users.SlackUser | None:
        try:
            return slack_users.get_user(self.client, self.team_id, user_id)
        except slack_users.UserNotFound:
            return None

    def group_members(self, group_id: str) -> list[str]:
        return slack_users.usergroup_members(self.client, group_id)


# ---------------------------------------------------------------------------- setup


@dataclass
class StandupInput:
    """What the setup modal collected, already parsed (see ``listeners.parse_setup``)."""

    name: str
    channel_id: str
    people: dict[Side, list[str]]
    groups: dict[Side, list[str]]
    days: list[int]
    local_time: str  # "HH:MM"
    zone_mode: ZoneMode
    timezone: str
    questions: dict[str, list[str]]  # "all" plus optional per-side overrides
    blocker_question: str
    reminder_minutes: int
    open_minutes: int
    prefill: bool
    external_ok: bool = False  # the "post there anyway" box was ticked
    channel_external: bool = False  # the channel is shared with another organisation (``check_channel``)


def parse_questions(text: str | None) -> list[str]:
    return [line.strip(" -•\t") for line in (text or "").splitlines() if line.strip(" -•\t")]


def validate_setup(data: StandupInput) -> dict[str, str]:
    """Field problems keyed by the setup modal's block ids (empty when fine). Pure."""
    from bot.standup.ids import Block

    errors: dict[str, str] = {}
    if not data.name.strip():
        errors[Block.NAME] = "Give the stand-up a name, e.g. “Launch sync”."
    elif len(data.name) > NAME_LIMIT:
        errors[Block.NAME] = f"Keep the name under {NAME_LIMIT} characters (it has {len(data.name)})."
    if not data.channel_id:
        errors[Block.CHANNEL] = "Pick the channel where answers are shared."
    if not any(data.people.values()) and not any(data.groups.values()):
        errors[Block.PEOPLE_PRODUCT] = "Add at least one person or user group."
    if not data.days:
        errors[Block.DAYS] = "Pick at least one day."
    try:
        time.fromisoformat(data.local_time)
    except ValueError:
        errors[Block.TIME] = "Pick a time of day."
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        errors[Block.TIMEZONE] = "Pick a time zone from the list."
    for key, block in [("all", str(Block.QUESTIONS))] + [(side.value, Block.questions(side)) for side in Side]:
        questions = data.questions.get(key) or []
        if key == "all" and not questions:
            errors[block] = "Add at least one question, one per line."
        elif len(questions) > MAX_QUESTIONS:
            errors[block] = f"Up to {MAX_QUESTIONS} questions, one per line (there are {len(questions)})."
        elif any(len(q) > QUESTION_LIMIT for q in questions):
            errors[block] = f"Keep each question under {QUESTION_LIMIT} characters."
    if not data.blocker_question.strip():
        errors[Block.BLOCKER_QUESTION] = "Ask about blockers, e.g. “" + DEFAULT_BLOCKER_QUESTION + "”"
    elif len(data.blocker_question) > QUESTION_LIMIT:
        errors[Block.BLOCKER_QUESTION] = f"Keep it under {QUESTION_LIMIT} characters."
    return errors


@dataclass
class SaveResult:
    standup: Standup
    created: bool
    participants: list[StandupParticipant]
    dropped: list[str] = field(default_factory=list)  # user ids left out: deactivated, bots, unknown


def find_by_name(session: Session, team_id: str, name: str) -> Standup | None:
    """The stand-up whose name matches ``name`` by ``name_key`` (case, accents' encoding, width and
    spacing aside); the oldest if rows from before the key clash."""
    wanted = name_key(name)
    if not wanted:
        return None
    return session.scalar(
        select(Standup).where(Standup.team_id == team_id, Standup.name_key == wanted).order_by(Standup.id).limit(1)
    )


def get_standup(session: Session, team_id: str, standup_id: int) -> Standup | None:
    return session.scalar(select(Standup).where(Standup.team_id == team_id, Standup.id == standup_id))


def list_standups(session: Session, team_id: str) -> list[tuple[Standup, int]]:
    counts = (
        select(StandupParticipant.standup_id, func.count().label("n"))
        .where(StandupParticipant.team_id == team_id, StandupParticipant.active.is_(True))
        .group_by(StandupParticipant.standup_id)
        .subquery()
    )
    rows = session.execute(
        select(Standup, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.standup_id == Standup.id)
        .where(Standup.team_id == team_id)
        .order_by(Standup.name)
    )
    return [(standup, int(n)) for standup, n in rows]


def participants_of(
    session: Session, team_id: str, standup_id: int, *, active_only: bool = True
) -> list[StandupParticipant]:
    query = select(StandupParticipant).where(
        StandupParticipant.team_id == team_id, StandupParticipant.standup_id == standup_id
    )
    if active_only:
        query = query.where(StandupParticipant.active.is_(True))
    return list(session.scalars(query.order_by(StandupParticipant.id)))


def participant(session: Session, team_id: str, standup_id: int, user_id: str) -> StandupParticipant | None:
    return session.scalar(
        select(StandupParticipant).where(
            StandupParticipant.team_id == team_id,
            StandupParticipant.standup_id == standup_id,
            StandupParticipant.user_id == user_id,
        )
    )


def can_manage(standup: Standup, user_id: str, is_admin: bool) -> bool:
    return standup.owner_id == user_id or is_admin


@dataclass(frozen=True)
class Resolved:
    """Someone who takes part: their side, Slack profile and the user group they came through
    (None when picked by name)."""

    user_id: str
    side: Side
    user: slack_users.SlackUser
    via_group: str | None = None


def _sides_of(
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
    for user_id, (side, via_group) in _sides_of(directory, people, groups).items():
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
    standup.prefill = data.prefill
    standup.updated_at = now
    session.flush()

    existing = {p.user_id: p for p in participants_of(session, team_id, standup.id, active_only=False)}
    wanted = {person.user_id for person in resolved}
    for person in resolved:
        _take_part(session, standup, existing.get(person.user_id), person, now)
    for user_id, row in existing.items():
        if user_id not in wanted:
            row.active = False
    session.flush()
    _sync_prompt_schedules(session, standup, now)
    return SaveResult(standup, created, participants_of(session, team_id, standup.id), dropped)


def _take_part(
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
            _add_personal_schedule(session, standup, person, now)
    if standup.paused:
        set_paused_for(session, standup.team_id, JobKind.PROMPT, standup.id, True, now)


def _add_personal_schedule(session: Session, standup: Standup, person: StandupParticipant, now: datetime) -> None:
    """Each-person's-own-time mode: ``person``'s prompt schedule, in their Slack zone."""
    create_schedule(
        session, team_id=standup.team_id, kind=JobKind.PROMPT, ref_id=standup.id, cadence=Cadence.days(*standup.days),
        local_time=time.fromisoformat(standup.local_time), timezone=_valid_zone(person.timezone),
        subject=person.user_id, now=now, follow_user_timezone=True,
    )  # fmt: skip


# ---------------------------------------------------------------------------- user groups


@dataclass(frozen=True)
class GroupChange:
    """What re-reading a stand-up's user groups changed."""

    team_id: str
    standup_id: int
    name: str
    added: list[str]
    removed: list[str]


@dataclass(frozen=True)
class _GroupSnapshot:
    team_id: str
    standup_id: int
    groups: dict[Side, list[str]]
    named: dict[Side, list[str]]  # people picked by name, active
    active: set[str]  # everyone active now


def resync_usergroups(services: Services, now: datetime, *, team_id: str | None = None) -> list[GroupChange]:
    """Bring every stand-up that has user groups in line with the groups' members in Slack.

    Members who joined a group take part from their next stand-up day (with their own prompt
    schedule in each-person's-time mode); members who left it stop being prompted. People picked
    by name are never touched. Slack is read outside any transaction (usergroups.users.list per
    group, users.info per newcomer); a group that cannot be read changes nothing for its stand-up.
    """
    with services.db.unit_of_work() as session:
        query = select(Standup).order_by(Standup.id)
        if team_id is not None:
            query = query.where(Standup.team_id == team_id)
        snapshots = []
        for standup in session.scalars(query):
            groups = {Side(k): list(v) for k, v in (standup.usergroups or {}).items() if v}
            if not groups:
                continue
            people = participants_of(session, standup.team_id, standup.id)
            named = {side: [p.user_id for p in people if p.via_group is None and p.side == side] for side in Side}
            snapshots.append(_GroupSnapshot(standup.team_id, standup.id, groups, named, {p.user_id for p in people}))
    changes = []
    for snapshot in snapshots:
        try:
            directory = SlackDirectory(services.slack.for_team(snapshot.team_id), snapshot.team_id)
            wanted = _sides_of(directory, snapshot.named, snapshot.groups)
            newcomers = {
                user_id: directory.get_user(user_id)
                for user_id, (_side, via_group) in wanted.items()
                if via_group is not None and user_id not in snapshot.active
            }
        except (SlackClientError, WorkspaceNotInstalled) as error:
            log.warning("stand-up %s: user groups not re-read: %s", snapshot.standup_id, type(error).__name__)
            continue
        try:
            with services.db.unit_of_work() as session:
                change = _apply_group_members(session, snapshot, wanted, newcomers, now)
        except IntegrityError:
            # Another replica added the same person at the same moment: theirs stands.
            log.info("stand-up %s: user groups re-synced by another process meanwhile", snapshot.standup_id)
            continue
        if change is not None and (change.added or change.removed):
            log.info("stand-up %s: %d joined and %d left through user groups", change.standup_id,
                     len(change.added), len(change.removed))  # fmt: skip
            changes.append(change)
    return changes


def _apply_group_members(
    session: Session,
    snapshot: _GroupSnapshot,
    wanted: dict[str, tuple[Side, str | None]],
    newcomers: dict[str, slack_users.SlackUser | None],
    now: datetime,
) -> GroupChange | None:
    standup = get_standup(session, snapshot.team_id, snapshot.standup_id)
    if standup is None:
        return None
    personal = standup.zone_mode == ZoneMode.PERSONAL
    rows = {p.user_id: p for p in participants_of(session, standup.team_id, standup.id, active_only=False)}
    added: list[str] = []
    removed: list[str] = []
    for user_id, (side, via_group) in wanted.items():
        row = rows.get(user_id)
        if via_group is None or (row is not None and row.active and row.via_group is None):
            continue  # picked by name: theirs to change with /standup edit
        if row is not None and row.active:
            row.side, row.via_group = side.value, via_group  # moved to another group or side
            continue
        user = newcomers.get(user_id)
        if user is None or not user.active_person:
            continue  # deactivated, a bot, or joined after the snapshot: next time
        person = _take_part(session, standup, row, Resolved(user_id, side, user, via_group), now)
        session.flush()
        if personal:
            _add_personal_schedule(session, standup, person, now)
        added.append(user_id)
    for user_id, row in rows.items():
        if row.active and row.via_group is not None and user_id not in wanted:
            row.active = False
            delete_schedules_for(session, standup.team_id, JobKind.PROMPT, standup.id, subject=user_id)
            removed.append(user_id)
    if added and standup.paused:
        set_paused_for(session, standup.team_id, JobKind.PROMPT, standup.id, True, now)
    session.flush()
    return GroupChange(standup.team_id, standup.id, standup.name, added, removed)


def _valid_zone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def set_paused(
    session: Session, *, team_id: str, name: str, actor_id: str, actor_is_admin: bool, paused: bool, now: datetime
) -> Standup:
    standup = _managed(session, team_id, name, actor_id, actor_is_admin)
    standup.paused = paused
    standup.updated_at = now
    set_paused_for(session, team_id, JobKind.PROMPT, standup.id, paused, now)
    session.flush()
    return standup


def delete_standup(session: Session, *, team_id: str, name: str, actor_id: str, actor_is_admin: bool) -> str:
    standup = _managed(session, team_id, name, actor_id, actor_is_admin)
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


def _managed(session: Session, team_id: str, name: str, actor_id: str, actor_is_admin: bool) -> Standup:
    standup = find_by_name(session, team_id, name)
    if standup is None:
        raise NotFound(_not_found(session, team_id, name))
    if not can_manage(standup, actor_id, actor_is_admin):
        raise NotAllowed(
            f"Only the owner of “{escape(standup.name)}” (<@{standup.owner_id}>) or a workspace admin can change it."
        )
    return standup


def _not_found(session: Session, team_id: str, name: str) -> str:
    names = [s.name for s, _ in list_standups(session, team_id)]
    if not name.strip():
        return "Which stand-up? Add its name, e.g. `/standup pause Launch sync`."
    if not names:
        return "There are no stand-ups yet. Type `/standup` to set one up."
    shown = escape(truncate(name.strip(), 80))
    return f"I can't find a stand-up called “{shown}”. Stand-ups here: " + ", ".join(f"“{escape(n)}”" for n in names)


def managed_for_edit(
    session: Session, *, team_id: str, name: str, actor_id: str, actor_is_admin: bool
) -> views.SetupForm:
    standup = _managed(session, team_id, name, actor_id, actor_is_admin)
    people = participants_of(session, team_id, standup.id)
    return setup_form_from(standup, people)


def setup_form_from(standup: Standup, people: Sequence[StandupParticipant]) -> views.SetupForm:
    by_side: dict[Side, list[str]] = {side: [] for side in Side}
    groups = standup.usergroups or {}
    for person in people:
        if person.via_group is None:  # group members come with their group
            by_side[Side(person.side)].append(person.user_id)
    return views.SetupForm(
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
        prefill=standup.prefill,
        external_ok=bool(standup.external_confirmed_by),
    )


# ---------------------------------------------------------------------------- out of office


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


def is_away(session: Session, team_id: str, user_id: str, on: date) -> bool:
    return (
        session.scalar(
            select(StandupAbsence.id)
            .where(
                StandupAbsence.team_id == team_id,
                StandupAbsence.user_id == user_id,
                StandupAbsence.starts_on <= on,
                StandupAbsence.ends_on >= on,
            )
            .limit(1)
        )
        is not None
    )


def local_today(tz: str, now: datetime) -> date:
    return now.astimezone(ZoneInfo(_valid_zone(tz))).date()


# ---------------------------------------------------------------------------- occurrences and prompts


def _prompt_instant(standup: Standup, day: date, tz: str) -> datetime:
    return local_to_utc(day, time.fromisoformat(standup.local_time), ZoneInfo(_valid_zone(tz)))


def _closing_instant(session: Session, standup: Standup, day: date, opened_at: datetime) -> datetime:
    """``open_minutes`` after the last prompt of ``day`` (each person's own zone in personal mode)."""
    last = opened_at
    if standup.zone_mode == ZoneMode.PERSONAL:
        for schedule in schedules_for(session, standup.team_id, JobKind.PROMPT, standup.id):
            if schedule.subject and not schedule.paused:
                last = max(last, _prompt_instant(standup, day, schedule.timezone))
    return last + timedelta(minutes=standup.open_minutes)


def get_occurrence(session: Session, team_id: str, occurrence_id: int) -> StandupOccurrence | None:
    return session.scalar(
        select(StandupOccurrence).where(StandupOccurrence.team_id == team_id, StandupOccurrence.id == occurrence_id)
    )


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
    outbox.post_parent(
        session,
        occurrence,
        views.build_parent_message(views.ParentView(standup.name, day, occurrence.closes_at)),
        now=now,
    )
    schedule_once(
        session, team_id=standup.team_id, kind=JobKind.CLOSE, ref_id=occurrence.id, at=occurrence.closes_at, now=now
    )
    session.flush()
    return occurrence


@dataclass
class PromptRun:
    occurrence: StandupOccurrence | None
    prompted: list[str] = field(default_factory=list)
    away: list[str] = field(default_factory=list)
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
    day = scheduled_for.astimezone(ZoneInfo(_valid_zone(tz))).date()
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
        existing = session.scalar(
            select(StandupPrompt).where(
                StandupPrompt.team_id == standup.team_id,
                StandupPrompt.occurrence_id == occurrence.id,
                StandupPrompt.user_id == person.user_id,
            )
        )
        if existing is not None:
            continue
        away = is_away(session, standup.team_id, person.user_id, person_day)
        prompt = StandupPrompt(
            team_id=standup.team_id,
            occurrence_id=occurrence.id,
            user_id=person.user_id,
            side=person.side,
            due_at=scheduled_for,
            prompted_at=None if away else now,
            reminded_at=None,
            skipped_at=None,
            away=away,
        )
        session.add(prompt)
        if away:
            run.away.append(person.user_id)
            continue
        asks = open_asks_for(session, standup.team_id, person.user_id)
        outbox.send_dm(
            session,
            team_id=standup.team_id,
            user_id=person.user_id,
            key=f"standup:{occurrence.id}:prompt:{person.user_id}",
            message=views.build_prompt_message(
                views.PromptView(
                    occurrence_id=occurrence.id,
                    standup_name=standup.name,
                    channel_id=standup.channel_id,
                    local_date=occurrence.local_date,
                    closes_at=occurrence.closes_at,
                    asks=[views.AskLine(a.id, a.from_user, a.text) for a in asks],
                )
            ),
            now=now,
        )
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
        except (SlackClientError, OSError) as error:  # Slack unreachable or refusing: prompt as planned
            log.warning("users.info failed for a participant of stand-up %s: %s", standup.id, type(error).__name__)
            kept.append(person)
            continue
        if user is not None and user.active_person:
            kept.append(person)
            continue
        person.active = False
        delete_schedules_for_subject(session, standup, person.user_id)
        outbox.send_dm(
            session,
            team_id=standup.team_id,
            user_id=standup.owner_id,
            key=f"standup:{standup.id}:departed:{person.user_id}:{now.date().isoformat()}",
            message=views.build_owner_note(
                f"{person.name or 'A participant'} has left the workspace or was deactivated, so I took them off "
                f"the stand-up “{standup.name}”."
            ),
            now=now,
        )
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
    standup = _managed(session, team_id, name, actor_id, actor_is_admin)
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
        outbox.send_dm(
            session,
            team_id=team_id,
            user_id=prompt.user_id,
            key=f"standup:{occurrence.id}:remind:{prompt.user_id}",
            message=views.build_reminder_message(
                views.PromptView(
                    occurrence_id=occurrence.id,
                    standup_name=standup.name,
                    channel_id=standup.channel_id,
                    local_date=occurrence.local_date,
                    closes_at=occurrence.closes_at,
                )
            ),
            now=now,
        )
        reminded.append(prompt.user_id)
    session.flush()
    return reminded


def skip_occurrence(
    session: Session, *, team_id: str, user_id: str, occurrence_id: int, now: datetime
) -> StandupOccurrence:
    occurrence = get_occurrence(session, team_id, occurrence_id)
    if occurrence is None:
        raise NotFound("That stand-up is gone.")
    prompt = session.scalar(
        select(StandupPrompt).where(
            StandupPrompt.team_id == team_id,
            StandupPrompt.occurrence_id == occurrence.id,
            StandupPrompt.user_id == user_id,
        )
    )
    if prompt is None:
        raise NotFound("You were not asked for this stand-up.")
    if prompt.skipped_at is None:
        prompt.skipped_at = now
    session.flush()
    if occurrence.closed_at is not None:
        refresh_summary(session, occurrence, now=now, reason=f"skip-{user_id}")
    return occurrence


# ---------------------------------------------------------------------------- answers and asks


def open_asks_for(session: Session, team_id: str, user_id: str) -> list[StandupAsk]:
    return list(
        session.scalars(
            select(StandupAsk)
            .where(StandupAsk.team_id == team_id, StandupAsk.to_user == user_id, StandupAsk.status == AskStatus.OPEN)
            .order_by(StandupAsk.id)
        )
    )


def questions_for(standup: Standup, side: str) -> list[str]:
    questions = standup.questions or {}
    return list(questions.get(side) or questions.get("all") or DEFAULT_QUESTIONS)


def answer_form(session: Session, *, team_id: str, user_id: str, occurrence_id: int) -> views.AnswerForm:
    """What the answer modal shows: the questions for this person's side, their current answer
    (editing) or their last one (pre-fill), open asks for them and their open blockers."""
    occurrence = get_occurrence(session, team_id, occurrence_id)
    if occurrence is None:
        raise NotFound("That stand-up is gone.")
    standup = get_standup(session, team_id, occurrence.standup_id)
    if standup is None:
        raise NotFound("That stand-up is gone.")
    person = participant(session, team_id, standup.id, user_id)
    if person is None or not person.active:
        raise NotAllowed(
            f"You are not a participant of “{escape(standup.name)}”. Its owner can add you with `/standup edit`."
        )
    questions = questions_for(standup, person.side)
    current = _answer_of(session, team_id, occurrence.id, user_id)
    source = current
    if source is None and standup.prefill:
        source = session.scalar(
            select(StandupAnswer)
            .where(
                StandupAnswer.team_id == team_id,
                StandupAnswer.standup_id == standup.id,
                StandupAnswer.user_id == user_id,
            )
            .order_by(StandupAnswer.created_at.desc(), StandupAnswer.id.desc())
            .limit(1)
        )
    initial = _initial_answers(questions, source)
    ask: StandupAsk | None = None
    if current is not None:
        ask = session.scalar(
            select(StandupAsk).where(
                StandupAsk.team_id == team_id,
                StandupAsk.answer_id == current.id,
                StandupAsk.status != AskStatus.WITHDRAWN,
            )
        )
    my_blockers = list(
        session.scalars(
            select(StandupAnswer.blocker)
            .where(
                StandupAnswer.team_id == team_id,
                StandupAnswer.standup_id == standup.id,
                StandupAnswer.user_id == user_id,
                StandupAnswer.blocker != "",
                StandupAnswer.occurrence_id != occurrence.id,
            )
            .order_by(StandupAnswer.created_at.desc())
            .limit(1)
        )
    )
    return views.AnswerForm(
        occurrence_id=occurrence.id,
        standup_name=standup.name,
        local_date=occurrence.local_date,
        questions=questions,
        blocker_question=standup.blocker_question,
        initial=initial,
        blocker=(source.blocker if source is not None else ""),
        ask_user=ask.to_user if ask is not None else None,
        ask_text=ask.text if ask is not None else "",
        editing=current is not None,
        asks_for_me=[views.AskLine(a.id, a.from_user, a.text) for a in open_asks_for(session, team_id, user_id)],
        my_last_blocker=my_blockers[0] if my_blockers else "",
    )


def _initial_answers(questions: list[str], source: StandupAnswer | None) -> list[str]:
    if source is None:
        return ["" for _ in questions]
    by_question = {r.get("question", ""): r.get("answer", "") for r in source.responses}
    positional = [r.get("answer", "") for r in source.responses]
    return [by_question.get(q, positional[i] if i < len(positional) else "") for i, q in enumerate(questions)]


def _answer_of(session: Session, team_id: str, occurrence_id: int, user_id: str) -> StandupAnswer | None:
    return session.scalar(
        select(StandupAnswer).where(
            StandupAnswer.team_id == team_id,
            StandupAnswer.occurrence_id == occurrence_id,
            StandupAnswer.user_id == user_id,
        )
    )


def get_answer(session: Session, team_id: str, answer_id: int) -> StandupAnswer | None:
    return session.scalar(select(StandupAnswer).where(StandupAnswer.team_id == team_id, StandupAnswer.id == answer_id))


def validate_answer(
    answers: Sequence[str], blocker: str, ask_user: str | None, ask_text: str, user_id: str
) -> dict[str, str]:
    """Modal errors keyed by block id; empty when fine. Pure: nothing typed is lost either way."""
    from bot.standup.ids import Block

    errors: dict[str, str] = {}
    for index, text in enumerate(answers):
        if not text.strip():
            errors[Block.answer(index)] = "Please write a few words here (or use “Skip today” in my message)."
        elif len(text) > ANSWER_LIMIT:
            errors[Block.answer(index)] = f"That's {len(text)} characters; please keep it under {ANSWER_LIMIT}."
    if len(blocker) > ANSWER_LIMIT:
        errors[Block.BLOCKER] = f"That's {len(blocker)} characters; please keep it under {ANSWER_LIMIT}."
    if len(ask_text) > ANSWER_LIMIT:
        errors[Block.ASK_TEXT] = f"That's {len(ask_text)} characters; please keep it under {ANSWER_LIMIT}."
    if ask_user and not ask_text.strip():
        errors[Block.ASK_TEXT] = "Say what you need from them."
    if ask_text.strip() and not ask_user:
        errors[Block.ASK_USER] = "Pick who on the other team you are asking."
    if ask_user and ask_user == user_id:
        errors[Block.ASK_USER] = "Pick someone on the other team (not yourself)."
    return errors


@dataclass
class AnswerResult:
    answer: StandupAnswer
    edited: bool
    channel_id: str


def submit_answer(
    session: Session,
    directory: Directory,
    *,
    team_id: str,
    user_id: str,
    occurrence_id: int,
    answers: Sequence[str],
    blocker: str,
    ask_user: str | None,
    ask_text: str,
    now: datetime,
) -> AnswerResult:
    """Store a new answer (posted as a thread reply) or an edit (its message updated in place)."""
    occurrence = get_occurrence(session, team_id, occurrence_id)
    if occurrence is None:
        raise NotFound("That stand-up is gone.")
    standup = get_standup(session, team_id, occurrence.standup_id)
    if standup is None:
        raise NotFound("That stand-up is gone.")
    person = participant(session, team_id, standup.id, user_id)
    if person is None or not person.active:
        raise NotAllowed(f"You are not a participant of “{escape(standup.name)}”.")
    if ask_user:
        target = participant(session, team_id, standup.id, ask_user)
        if target is not None and target.side == person.side and person.side != Side.OTHER:
            raise AskRejected(f"{target.name or 'They'} are on your side; asks go to someone on the other team.")
    questions = questions_for(standup, person.side)
    responses = [{"question": q, "answer": a.strip()} for q, a in zip(questions, answers, strict=False)]
    answer = _answer_of(session, team_id, occurrence.id, user_id)
    edited = answer is not None
    if answer is None:
        answer = StandupAnswer(
            team_id=team_id,
            standup_id=standup.id,
            occurrence_id=occurrence.id,
            user_id=user_id,
            side=person.side,
            created_at=now,
            edited_at=None,
            late=occurrence.closed_at is not None or now >= occurrence.closes_at,
            message_key="",
        )
        session.add(answer)
    else:
        answer.edited_at = now
    answer.responses = responses
    answer.blocker = blocker.strip()
    session.flush()
    ask = _sync_ask(session, directory, standup, answer, ask_user, ask_text.strip(), now)
    prompt = session.scalar(
        select(StandupPrompt).where(
            StandupPrompt.team_id == team_id,
            StandupPrompt.occurrence_id == occurrence.id,
            StandupPrompt.user_id == user_id,
        )
    )
    if prompt is not None and prompt.skipped_at is not None:
        prompt.skipped_at = None  # answered after all
    message = views.build_answer_message(_answer_view(standup, person, answer, ask))
    if not edited:
        answer.message_key = f"standup:{occurrence.id}:answer:{user_id}"
        outbox.post_reply(session, occurrence, answer, message, now=now)
    else:
        assert answer.edited_at is not None
        outbox.update_answer(
            session, occurrence, answer, message, key_suffix=f"edit:{answer.edited_at.isoformat()}", now=now
        )
    if occurrence.closed_at is not None:
        refresh_summary(session, occurrence, now=now, reason=f"answer-{answer.id}")
    session.flush()
    return AnswerResult(answer, edited, standup.channel_id)


def _answer_view(
    standup: Standup, person: StandupParticipant, answer: StandupAnswer, ask: StandupAsk | None
) -> views.AnswerView:
    return views.AnswerView(
        answer_id=answer.id,
        user_id=answer.user_id,
        name=person.name,
        side=Side(person.side),
        responses=[(r["question"], r["answer"]) for r in answer.responses],
        blocker_question=standup.blocker_question,
        blocker=answer.blocker,
        ask_to_name=_ask_name(ask),
        ask_text=ask.text if ask is not None else "",
        ask_handled=ask is not None and ask.status == AskStatus.HANDLED,
        edited=answer.edited_at is not None,
        late=answer.late,
    )


def _ask_name(ask: StandupAsk | None) -> str:
    if ask is None:
        return ""
    return ask.to_name or "someone on the other team"


def _sync_ask(
    session: Session,
    directory: Directory,
    standup: Standup,
    answer: StandupAnswer,
    ask_user: str | None,
    ask_text: str,
    now: datetime,
) -> StandupAsk | None:
    """One ask per answer. A new target is notified once; a changed target withdraws the old ask."""
    current = session.scalar(
        select(StandupAsk).where(
            StandupAsk.team_id == standup.team_id,
            StandupAsk.answer_id == answer.id,
            StandupAsk.status != AskStatus.WITHDRAWN,
        )
    )
    if current is not None and (not ask_user or current.to_user != ask_user):
        if current.status == AskStatus.OPEN:
            current.status = AskStatus.WITHDRAWN
        current = None if not ask_user or current.to_user != ask_user else current
    if not ask_user:
        session.flush()
        return None
    target = participant(session, standup.team_id, standup.id, ask_user)
    name = target.name if target is not None and target.name else ""
    if not name:
        user = directory.get_user(ask_user)
        name = user.name if user is not None else ""
    if current is not None:
        current.text = ask_text
        current.to_name = name
        session.flush()
        return current
    ask = StandupAsk(
        team_id=standup.team_id,
        standup_id=standup.id,
        answer_id=answer.id,
        from_user=answer.user_id,
        to_user=ask_user,
        to_name=name,
        text=ask_text,
        status=AskStatus.OPEN,
        created_at=now,
        handled_at=None,
    )
    session.add(ask)
    session.flush()
    outbox.send_dm(
        session,
        team_id=standup.team_id,
        user_id=ask_user,
        key=f"standup:ask:{ask.id}",
        message=views.build_ask_message(
            views.AskLine(ask.id, ask.from_user, ask.text), standup_name=standup.name, channel_id=standup.channel_id
        ),
        now=now,
    )
    return ask


def mark_ask_handled(session: Session, *, team_id: str, user_id: str, ask_id: int, now: datetime) -> StandupAsk:
    ask = session.scalar(select(StandupAsk).where(StandupAsk.team_id == team_id, StandupAsk.id == ask_id))
    if ask is None:
        raise NotFound("That ask is gone.")
    if user_id not in (ask.to_user, ask.from_user):
        raise NotAllowed("Only the person asked (or the person asking) can mark this handled.")
    if ask.status != AskStatus.OPEN:
        return ask
    ask.status = AskStatus.HANDLED
    ask.handled_at = now
    session.flush()
    # Show it in the thread too: the asker's answer is re-rendered in place.
    answer = get_answer(session, team_id, ask.answer_id)
    standup = get_standup(session, team_id, ask.standup_id)
    if answer is not None and standup is not None and answer.message_key:
        occurrence = get_occurrence(session, team_id, answer.occurrence_id)
        person = participant(session, team_id, standup.id, answer.user_id)
        if occurrence is not None and person is not None:
            message = views.build_answer_message(_answer_view(standup, person, answer, ask))
            outbox.update_answer(session, occurrence, answer, message, key_suffix=f"ask-handled:{ask.id}", now=now)
            if occurrence.closed_at is not None:
                refresh_summary(session, occurrence, now=now, reason=f"ask-{ask.id}")
    return ask


def name_taken(session: Session, team_id: str, name: str, standup_id: int | None) -> bool:
    other = find_by_name(session, team_id, name)
    return other is not None and other.id != standup_id


@dataclass(frozen=True)
class ChannelCheck:
    problem: str | None  # why the stand-up can't be saved with this channel (the fix), or None
    external: bool = False  # shared with another organisation


def check_channel(client: WebClient, channel_id: str, *, confirmed: bool) -> ChannelCheck:
    """Can the stand-up post in ``channel_id``? The problem comes with its fix. A channel shared
    with another organisation needs the setup modal's confirmation (``bot.slack.channels``)."""
    try:
        response = client.conversations_info(channel=channel_id)
    except SlackApiError as error:
        code = error.response.get("error")
        if code == "channel_not_found":
            return ChannelCheck(
                "I can't see that channel. If it is private, invite me there first "
                "(type `/invite @Tandem` in the channel), then save again."
            )
        log.warning("conversations.info failed at stand-up setup: %s", code)
        # Don't block setup on a hiccup: the drainer checks the channel again before each post
        # and alerts the owner if posting fails or the channel turns out to be external.
        return ChannelCheck(None)
    channel = response.get("channel") or {}
    if channel.get("is_archived"):
        return ChannelCheck("That channel is archived. Pick another one.")
    if not channel.get("is_member"):
        name = channel.get("name") or "that channel"
        return ChannelCheck(f"I'm not in #{name} yet. Type `/invite @Tandem` in #{name}, then save again.")
    external = is_external(channel)
    return ChannelCheck(channel_choice_problem(external=external, ticked=confirmed), external)


# ---------------------------------------------------------------------------- closing and summary


def summary_of(session: Session, occurrence: StandupOccurrence) -> views.SummaryView:
    team_id = occurrence.team_id
    standup = get_standup(session, team_id, occurrence.standup_id)
    assert standup is not None
    names = {p.user_id: p for p in participants_of(session, team_id, standup.id, active_only=False)}
    answers = list(
        session.scalars(
            select(StandupAnswer)
            .where(StandupAnswer.team_id == team_id, StandupAnswer.occurrence_id == occurrence.id)
            .order_by(StandupAnswer.created_at, StandupAnswer.id)
        )
    )
    answered = {a.user_id for a in answers}
    prompts = list(
        session.scalars(
            select(StandupPrompt)
            .where(StandupPrompt.team_id == team_id, StandupPrompt.occurrence_id == occurrence.id)
            .order_by(StandupPrompt.id)
        )
    )
    sides: dict[Side, views.SideCount] = {side: views.SideCount() for side in Side}
    for prompt in prompts:
        count = sides[Side(prompt.side)]
        if prompt.user_id in answered:
            count.answered += 1
        elif prompt.away:
            count.away += 1
        elif prompt.skipped_at is not None:
            count.skipped += 1
        else:
            count.missing += 1
    for answer in answers:  # answered without a prompt (added later, or /standup now)
        if not any(p.user_id == answer.user_id for p in prompts):
            sides[Side(answer.side)].answered += 1

    def name(user_id: str) -> str:
        person = names.get(user_id)
        return person.name if person is not None and person.name else "someone"

    blockers = [(name(a.user_id), Side(a.side), a.blocker) for a in answers if a.blocker]
    asks = list(
        session.scalars(
            select(StandupAsk)
            .where(
                StandupAsk.team_id == team_id,
                StandupAsk.answer_id.in_([a.id for a in answers] or [-1]),
                StandupAsk.status != AskStatus.WITHDRAWN,
            )
            .order_by(StandupAsk.id)
        )
    )
    return views.SummaryView(
        standup_name=standup.name,
        local_date=occurrence.local_date,
        sides={side: count for side, count in sides.items() if count.total},
        blockers=blockers,
        asks=[(name(a.from_user), a.to_name or name(a.to_user), a.text, a.status == AskStatus.HANDLED) for a in asks],
        closed_at=occurrence.closed_at,
    )


def close_occurrence(session: Session, *, team_id: str, occurrence_id: int, now: datetime) -> StandupOccurrence | None:
    occurrence = get_occurrence(session, team_id, occurrence_id)
    if occurrence is None or occurrence.closed_at is not None:
        return occurrence
    occurrence.closed_at = now
    session.flush()
    refresh_summary(session, occurrence, now=now, reason="close")
    return occurrence


def refresh_summary(session: Session, occurrence: StandupOccurrence, *, now: datetime, reason: str) -> None:
    """Update the parent message in place with the summary (only once the occurrence closed)."""
    if occurrence.closed_at is None:
        return
    message = views.build_summary_message(summary_of(session, occurrence))
    outbox.update_parent(session, occurrence, message, key_suffix=f"{reason}:{now.isoformat()}", now=now)


def iter_ids(values: Iterable[Any]) -> list[int]:
    out: list[int] = []
    for value in values:
        try:
            out.append(int(value))
        except (TypeError, ValueError):
            continue
    return out


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
