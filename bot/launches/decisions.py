"""Go / no-go: the leads' one DM the day before each phase's date, and their decision.

**Asking.** ``timeline.replan`` sets a ``launches.go_no_go`` timer per lead and undecided phase at
09:00 the day before, in the lead's zone. When it fires, the lead gets one DM with Go / No-go,
exactly once per (phase, date, lead): the ``LaunchNotice`` keyed ``gonogo:<phase>:<date>:<lead>``
is inserted with ``ON CONFLICT DO NOTHING`` and only the inserter enqueues the DM (two replicas
ticking at once send one). Nothing is sent once the phase has a decision or has shipped, or the
launch was cancelled.

**Deciding.** Go (a reason optional) or no-go (a reason required), by a lead, whoever created the
launch, or an admin. The decision is stored on the phase (``decision``, ``decision_reason``,
``decided_by``, ``decided_at``); a later answer replaces it (a lead may change their mind, or the
other lead disagree). Every lead's DM for that date is updated in place, the launch message
shows it, and the remaining go/no-go timers of the phase go (``timeline.replan``). Moving the
phase's date clears the decision (``bot.launches.moving``).

Services only: no views, no Slack client.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import insert_ignore_key
from bot.launches import dates_outbox, outbox, timeline
from bot.launches.data import REASON_MAX, Directory, LaunchCancelled, LaunchError, LaunchView, NotLaunchLead, PhaseView
from bot.launches.ids import Block, Decision, LaunchStatus
from bot.launches.lookups import get_launch, get_phase, launch_view, phase_view
from bot.launches.models import Launch, LaunchNotice, LaunchPhase
from bot.slack.delivery_models import OutboxMessage
from bot.slack.text import clean_text

IsAdmin = Callable[[], bool]


class PhaseNotFound(LaunchError):
    def __init__(self) -> None:
        super().__init__("I can't find that launch date: the launch may have been cancelled or changed.")


class DateMoved(LaunchError):
    def __init__(self, asked: date, now_on: date) -> None:
        super().__init__(
            f"That question was about {asked.isoformat()}, and the date has moved to {now_on.isoformat()}: "
            "the leads will be asked again the day before."
        )


class PhaseShipped(LaunchError):
    def __init__(self) -> None:
        super().__init__("That date has come and the phase shipped: there is nothing left to decide or move.")


def notice_key(phase: LaunchPhase, lead: str) -> str:
    return f"gonogo:{phase.id}:{phase.launch_on.isoformat()}:{lead}"


def asked(session: Session, phase: LaunchPhase, launch_on: date) -> list[LaunchNotice]:
    """The go/no-go DMs sent about the phase's ``launch_on`` (one per lead asked)."""
    prefix = f"gonogo:{phase.id}:{launch_on.isoformat()}:"
    return list(
        session.scalars(
            select(LaunchNotice)
            .where(LaunchNotice.team_id == phase.team_id, LaunchNotice.key.startswith(prefix, autoescape=True))
            .order_by(LaunchNotice.id)
        )
    )


def may_manage(launch: Launch, user_id: str, is_admin: IsAdmin) -> bool:
    """The leads and whoever created the launch; workspace admins too (asked only when needed)."""
    return user_id in launch.leads() or user_id == launch.created_by or is_admin()


# --- asking ---------------------------------------------------------------------------------------


def ask_go_no_go(session: Session, *, team_id: str, phase_id: int, lead: str, day: date, now: datetime) -> bool:
    """The go/no-go timer of ``lead`` for a phase fired on ``day`` (the lead's local date): one DM,
    once, if the phase's date is still the day after. True when this call sent it."""
    phase = get_phase(session, team_id, phase_id)
    if phase is None or phase.decision is not None or phase.shipped_at is not None:
        return False
    if phase.launch_on != day + timedelta(days=1):  # the date moved since the timer was set
        return False
    launch = get_launch(session, team_id, phase.launch_id)
    if launch is None or launch.status != LaunchStatus.PLANNED or lead not in launch.leads():
        return False
    key = notice_key(phase, lead)
    notice_id = insert_ignore_key(
        session,
        LaunchNotice,
        {"team_id": team_id, "launch_id": launch.id, "key": key, "user_id": lead, "channel_id": "", "created_at": now},
        ["team_id", "key"],
    )
    if notice_id is None:  # another replica (or an earlier run) asked already
        return False
    notice = session.get(LaunchNotice, notice_id)
    assert notice is not None
    dates_outbox.ask_go_no_go(session, launch, phase, notice, now)
    return True


# --- deciding -------------------------------------------------------------------------------------


def _decidable(session: Session, team_id: str, phase_id: int, user_id: str, is_admin: IsAdmin,
               asked_on: date | None) -> LaunchPhase:  # fmt: skip
    phase = get_phase(session, team_id, phase_id)
    if phase is None:
        raise PhaseNotFound()
    launch = get_launch(session, team_id, phase.launch_id)
    if launch is None:
        raise PhaseNotFound()
    if launch.status == LaunchStatus.CANCELLED:
        raise LaunchCancelled()
    if phase.shipped_at is not None:
        raise PhaseShipped()
    if not may_manage(launch, user_id, is_admin):
        raise NotLaunchLead("decide go or no-go for")
    if asked_on is not None and asked_on != phase.launch_on:
        raise DateMoved(asked_on, phase.launch_on)
    return phase


def decision_form(
    session: Session, *, team_id: str, phase_id: int, user_id: str, is_admin: IsAdmin, asked_on: date | None = None
) -> tuple[LaunchView, PhaseView]:
    """What the reason modal shows; raises when this person may not decide (or nothing is left to,
    or the date asked about has moved since)."""
    phase = _decidable(session, team_id, phase_id, user_id, is_admin, asked_on)
    return launch_view(session, phase.launch, with_goals=False), phase_view(phase)


def decide(
    session: Session,
    *,
    team_id: str,
    phase_id: int,
    user_id: str,
    decision: Decision,
    reason: str,
    now: datetime,
    directory: Directory,
    is_admin: IsAdmin,
    asked_on: date | None = None,
) -> LaunchPhase:
    """Store a go or no-go on the phase; the leads' DMs and the launch message show it.
    ``asked_on``: the date the DM asked about (a decision is about one date, not a later one)."""
    phase = _decidable(session, team_id, phase_id, user_id, is_admin, asked_on)
    reason = clean_text(reason)
    if len(reason) > REASON_MAX:
        raise LaunchError(f"Keep the reason under {REASON_MAX} characters.", block_id=Block.DECISION_REASON)
    if decision is Decision.NO_GO and not reason:
        raise LaunchError("Say why it's a no-go.", block_id=Block.DECISION_REASON)
    launch = get_launch(session, team_id, phase.launch_id, for_update=True)
    assert launch is not None
    unchanged = (phase.decision, phase.decision_reason, phase.decided_by) == (decision.value, reason, user_id)
    if unchanged:  # the same modal submitted twice: nothing new to show
        return phase
    phase.decision = decision.value
    phase.decision_reason = reason
    phase.decided_by = user_id
    phase.decided_at = now
    launch.updated_at = now
    session.flush()
    notices = asked(session, phase, phase.launch_on)
    count = _decisions_shown(session, launch, notices)
    dates_outbox.show_decision(session, launch, phase_view(phase), notices, count, now)
    timeline.replan(session, launch, directory, now)
    outbox.update_launch_message(session, launch, now)
    return phase


def _decisions_shown(session: Session, launch: Launch, notices: list[LaunchNotice]) -> int:
    """The number of this decision update (1 for the first): keys each DM update apart."""
    if not notices:
        return 1
    from_first = f"{dates_outbox.dm_key(launch, notices[0])}:decided:"
    shown = session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.team_id == launch.team_id,
            OutboxMessage.key.startswith(from_first, autoescape=True),
        )
    )
    return int(shown or 0) + 1
