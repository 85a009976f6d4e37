"""Check-in rounds of a goal: opening a round, the owners' prompts, the one reminder, missing a
round, going stale; and recording a check-in (from a prompt, the channel message or App Home).

**Round identity.** A round is ``(goal, due_on)`` where ``due_on`` is the owner's local date of
the cadence occurrence: every owner has their own ``goals.prompt`` schedule in their own zone at
the goal's weekday and time, so a Tokyo owner's Monday 09:30 (Sunday 00:30 UTC) and a New York
owner's Monday 09:30 (Monday 14:30 UTC) both land in Monday's round. The first firing of a date
opens the round (``INSERT .. ON CONFLICT DO NOTHING`` on ``(goal_id, due_on)``, so two replicas
ticking at once open it exactly once); only that firing pulls the value from the goal's source
and sets the round's ``goals.miss`` timer.

**Attention.** Each owner gets one DM per round (``GoalPrompt`` is unique per round and owner),
unless the round is already answered by then. One reminder per owner, a working day later at
the same local time, only while the round is open. Once an owner answers, the round is answered,
every owner's DM of it says so (updated in place), and nobody is reminded.

**Missing and staleness.** A round still open when the next round opens, or at its ``goals.miss``
timer (``MISS_AFTER`` after it opened), is missed. Two rounds missed in a row with no check-in
since make the goal stale (``stale_since``): its message shows it, and the owners are told once,
by DM. The next check-in clears it.

Services only: no views, no Slack client (the outbox renders and sends).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.db import insert_ignore
from bot.goals import checkin_outbox, outbox
from bot.goals.data import STALE_AFTER_MISSED, CheckinInput, GoalClosed, GoalView, NotGoalOwner
from bot.goals.ids import JobKind, RoundStatus, Status, ValueSource
from bot.goals.lookups import checkin_view, get_goal, goal_view, require_goal
from bot.goals.models import Goal, GoalCheckin, GoalPrompt, GoalRound, GoalValue
from bot.goals.pull import PullResult, fetch_value
from bot.goals.secrets import unseal
from bot.goals.values import record_value
from bot.scheduling.cadence import local_to_utc
from bot.scheduling.service import schedule_once
from bot.slack.installations import EncryptionKeyError

log = logging.getLogger(__name__)

# An unanswered round is missed a week after it opened (or when the next round opens, if sooner).
MISS_AFTER = timedelta(days=7)

Fetch = Callable[[str, str, str | None], PullResult]
IsAdmin = Callable[[], bool]


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_due_on(scheduled_for: datetime, tz: str) -> date:
    """The round a prompt belongs to: the owner's local date of the cadence occurrence."""
    return scheduled_for.astimezone(_zone(tz)).date()


def reminder_at(scheduled_for: datetime, tz: str) -> datetime:
    """One working day (Mon-Fri, the owner's zone) after the prompt, at the same local time."""
    zone = _zone(tz)
    local = scheduled_for.astimezone(zone)
    day = local.date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return local_to_utc(day, local.time(), zone)


# --- reading --------------------------------------------------------------------------------------


def get_round(session: Session, team_id: str, round_id: int) -> GoalRound | None:
    return session.scalar(select(GoalRound).where(GoalRound.team_id == team_id, GoalRound.id == round_id))


def open_round_of(session: Session, goal: Goal) -> GoalRound | None:
    """The goal's open round (the latest, should there be more than one)."""
    return session.scalar(
        select(GoalRound)
        .where(GoalRound.team_id == goal.team_id, GoalRound.goal_id == goal.id, GoalRound.status == RoundStatus.OPEN)
        .order_by(GoalRound.due_on.desc())
        .limit(1)
    )


def pulled_value(session: Session, check_round: GoalRound | None) -> float | None:
    if check_round is None or check_round.pulled_value_id is None:
        return None
    value = session.get(GoalValue, check_round.pulled_value_id)
    return value.value if value is not None and value.team_id == check_round.team_id else None


def can_check_in(goal: Goal, user_id: str, is_admin: IsAdmin) -> bool:
    """Owners and whoever created the goal; workspace admins too (asked only when needed)."""
    return user_id in goal.owner_ids() or user_id == goal.created_by or is_admin()


# --- rounds ---------------------------------------------------------------------------------------


def ensure_round(session: Session, goal: Goal, due_on: date, *, opened_at: datetime) -> tuple[GoalRound, bool]:
    """The goal's round of ``due_on``; True when this call opened it (exactly one caller does)."""
    created = insert_ignore(
        session,
        GoalRound,
        {
            "team_id": goal.team_id,
            "goal_id": goal.id,
            "due_on": due_on,
            "status": RoundStatus.OPEN.value,
            "opened_at": opened_at,
            "pull_problem": "",
            "pulled_value_id": None,
            "answered_at": None,
        },
        ["goal_id", "due_on"],
    )
    check_round = session.scalars(
        select(GoalRound)
        .where(GoalRound.goal_id == goal.id, GoalRound.due_on == due_on)
        .execution_options(populate_existing=True)
    ).one()
    return check_round, created


def pull_for_round(
    session: Session, goal: Goal, check_round: GoalRound, *, now: datetime, encryption_key: str | None, fetch: Fetch
) -> None:
    """Fetch the goal's value from its source: a ``pull`` value, or the reason it could not."""
    try:
        token = unseal(goal.pull_token, encryption_key)
    except EncryptionKeyError:
        check_round.pull_problem = "its token can no longer be decrypted; enter the token again in the goal's values"
        return
    result = fetch(goal.pull_url, goal.pull_pointer, token)
    if result.value is None:
        log.info("goal %s: pull failed: %s", goal.id, result.problem)
        check_round.pull_problem = result.problem or "the source gave no value"
        return
    recorded = record_value(
        session, goal, value=result.value, source=ValueSource.PULL, now=now, dedupe_key=f"pull:round:{check_round.id}"
    )
    check_round.pulled_value_id = recorded.value.id


def miss_round(session: Session, goal: Goal, check_round: GoalRound, now: datetime) -> bool:
    """Mark an open round missed (once, even when two processes try); then maybe stale."""
    done = session.execute(
        update(GoalRound)
        .where(GoalRound.id == check_round.id, GoalRound.status == RoundStatus.OPEN.value)
        .values(status=RoundStatus.MISSED.value)
        .execution_options(synchronize_session=False)
    )
    session.refresh(check_round)
    if not getattr(done, "rowcount", 0):
        return False
    mark_stale_if_due(session, goal, now)
    return True


def mark_stale_if_due(session: Session, goal: Goal, now: datetime) -> bool:
    """Two rounds missed in a row and no check-in since: stale, told once to the owners."""
    if goal.stale_since is not None or goal.status != Status.ACTIVE:
        return False
    latest = session.scalars(
        select(GoalRound)
        .where(GoalRound.team_id == goal.team_id, GoalRound.goal_id == goal.id)
        .order_by(GoalRound.due_on.desc())
        .limit(STALE_AFTER_MISSED)
    ).all()
    if len(latest) < STALE_AFTER_MISSED or any(r.status != RoundStatus.MISSED for r in latest):
        return False
    since = session.scalar(
        select(func.count())
        .select_from(GoalCheckin)
        .where(
            GoalCheckin.team_id == goal.team_id,
            GoalCheckin.goal_id == goal.id,
            GoalCheckin.created_at >= latest[-1].opened_at,
        )
    )
    if since:
        return False
    goal.stale_since = now
    session.flush()
    outbox.update_goal_message(session, goal, now)
    checkin_outbox.tell_stale(session, goal, latest[0], now)
    return True


def miss_earlier_rounds(session: Session, goal: Goal, before: date, now: datetime) -> int:
    """Rounds still open when a later one opens are missed."""
    earlier = session.scalars(
        select(GoalRound)
        .where(
            GoalRound.team_id == goal.team_id,
            GoalRound.goal_id == goal.id,
            GoalRound.status == RoundStatus.OPEN.value,
            GoalRound.due_on < before,
        )
        .order_by(GoalRound.due_on)
    ).all()
    return sum(miss_round(session, goal, r, now) for r in earlier)


@dataclass(frozen=True)
class PromptRun:
    round_id: int | None
    opened: bool = False
    prompted: bool = False
    why_not: str = ""  # "answered", "prompted already", "not an owner", "goal not active"


def run_prompt(
    session: Session,
    *,
    team_id: str,
    goal_id: int,
    user_id: str,
    scheduled_for: datetime,
    tz: str,
    now: datetime,
    encryption_key: str | None = None,
    fetch: Fetch = fetch_value,
) -> PromptRun:
    """One owner's schedule fired: open the round of their local date if needed, ask them once."""
    goal = get_goal(session, team_id, goal_id)
    if goal is None or goal.status != Status.ACTIVE:
        return PromptRun(None, why_not="goal not active")
    if user_id not in goal.owner_ids():
        return PromptRun(None, why_not="not an owner")
    due_on = local_due_on(scheduled_for, tz)
    miss_earlier_rounds(session, goal, due_on, now)
    check_round, opened = ensure_round(session, goal, due_on, opened_at=scheduled_for)
    if opened:
        if goal.pull_url:
            pull_for_round(session, goal, check_round, now=now, encryption_key=encryption_key, fetch=fetch)
        schedule_once(
            session, team_id=team_id, kind=JobKind.MISS, ref_id=check_round.id, at=scheduled_for + MISS_AFTER, now=now
        )
    if check_round.status != RoundStatus.OPEN:
        return PromptRun(check_round.id, opened, why_not=check_round.status)
    created = insert_ignore(
        session,
        GoalPrompt,
        {"team_id": team_id, "round_id": check_round.id, "user_id": user_id, "channel_id": "", "message_ts": None,
         "reminded_at": None, "created_at": now},
        ["round_id", "user_id"],
    )  # fmt: skip
    if not created:
        return PromptRun(check_round.id, opened, why_not="prompted already")
    pulled = pulled_value(session, check_round)
    checkin_outbox.send_prompt(session, goal, check_round, user_id, pulled=pulled, reminder=False, now=now)
    schedule_once(
        session, team_id=team_id, kind=JobKind.REMIND, ref_id=check_round.id, subject=user_id,
        at=reminder_at(scheduled_for, tz), now=now,
    )  # fmt: skip
    session.flush()
    return PromptRun(check_round.id, opened, prompted=True)


def run_remind(session: Session, *, team_id: str, round_id: int, user_id: str, now: datetime) -> bool:
    """The one reminder, only while the round is open and the person is still an owner."""
    check_round = get_round(session, team_id, round_id)
    if check_round is None or check_round.status != RoundStatus.OPEN:
        return False
    goal = get_goal(session, team_id, check_round.goal_id)
    if goal is None or goal.status != Status.ACTIVE or user_id not in goal.owner_ids():
        return False
    prompt = session.scalar(
        select(GoalPrompt).where(
            GoalPrompt.team_id == team_id, GoalPrompt.round_id == check_round.id, GoalPrompt.user_id == user_id
        )
    )
    if prompt is None or prompt.reminded_at is not None:
        return False
    prompt.reminded_at = now
    checkin_outbox.send_prompt(
        session, goal, check_round, user_id, pulled=pulled_value(session, check_round), reminder=True, now=now
    )
    session.flush()
    return True


def run_miss(session: Session, *, team_id: str, round_id: int, now: datetime) -> bool:
    """The round's timer: still open means missed."""
    check_round = get_round(session, team_id, round_id)
    if check_round is None:
        return False
    goal = get_goal(session, team_id, check_round.goal_id)
    if goal is None:
        return False
    return miss_round(session, goal, check_round, now)


# --- checking in ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckinForm:
    """What the check-in modal shows: the goal, and the value pulled for the open round, if any."""

    goal: GoalView
    pulled: float | None


def _checkable(session: Session, team_id: str, goal_id: int, user_id: str, is_admin: IsAdmin, *,
               for_update: bool = False) -> Goal:  # fmt: skip
    goal = require_goal(session, team_id, goal_id, for_update=for_update)
    if not can_check_in(goal, user_id, is_admin):
        raise NotGoalOwner("check in on")
    if goal.status == Status.CLOSED:
        raise GoalClosed()
    return goal


def checkin_form(session: Session, *, team_id: str, goal_id: int, user_id: str, is_admin: IsAdmin) -> CheckinForm:
    """The modal's content for someone allowed to check in (else ``GoalError``)."""
    goal = _checkable(session, team_id, goal_id, user_id, is_admin)
    return CheckinForm(goal_view(session, goal), pulled_value(session, open_round_of(session, goal)))


def record_checkin(
    session: Session,
    *,
    team_id: str,
    goal_id: int,
    user_id: str,
    data: CheckinInput,
    now: datetime,
    is_admin: IsAdmin,
    view_id: str | None = None,
) -> GoalCheckin:
    """A check-in: the value, the round answered, the message updated, the thread reply, every
    owner's DM of the round updated, staleness cleared. The same modal submitted twice records once."""
    goal = _checkable(session, team_id, goal_id, user_id, is_admin, for_update=True)
    if view_id:
        existing = session.scalar(
            select(GoalCheckin).where(GoalCheckin.team_id == team_id, GoalCheckin.view_id == view_id)
        )
        if existing is not None:
            return existing
    last = session.scalar(
        select(GoalCheckin)
        .where(GoalCheckin.team_id == team_id, GoalCheckin.goal_id == goal.id)
        .order_by(GoalCheckin.created_at.desc(), GoalCheckin.id.desc())
        .limit(1)
    )
    previous = last.value if last is not None else None
    value = GoalValue(
        team_id=team_id, goal_id=goal.id, value=data.value, measured_at=now, source=ValueSource.CHECKIN.value,
        note=data.note, recorded_by=user_id, dedupe_key=None, created_at=now,
    )  # fmt: skip
    session.add(value)
    session.flush()
    check_round = open_round_of(session, goal)
    if check_round is not None:
        answered = session.execute(
            update(GoalRound)
            .where(GoalRound.id == check_round.id, GoalRound.status == RoundStatus.OPEN.value)
            .values(status=RoundStatus.ANSWERED.value, answered_at=now)
            .execution_options(synchronize_session=False)
        )
        session.refresh(check_round)
        if not getattr(answered, "rowcount", 0):
            check_round = None  # missed meanwhile: this check-in stands on its own
    checkin = GoalCheckin(
        team_id=team_id, goal_id=goal.id, round_id=check_round.id if check_round else None, value_id=value.id,
        value=data.value, previous_value=previous, confidence=data.confidence.value, note=data.note,
        user_id=user_id, view_id=view_id, reply_ts=None, created_at=now,
    )  # fmt: skip
    session.add(checkin)
    goal.stale_since = None
    goal.updated_at = now
    session.flush()
    outbox.update_goal_message(session, goal, now)
    view = checkin_view(checkin)
    checkin_outbox.post_checkin(session, goal, checkin, view, previous, now)
    if check_round is not None:
        prompts = list(
            session.scalars(
                select(GoalPrompt)
                .where(GoalPrompt.team_id == team_id, GoalPrompt.round_id == check_round.id)
                .order_by(GoalPrompt.id)
            )
        )
        checkin_outbox.mark_prompts_answered(session, goal, check_round, prompts, view, previous, now)
    return checkin
