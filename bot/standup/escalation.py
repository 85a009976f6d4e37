"""Gentle escalation: an ask across teams or a blocker still open after ``escalate_after_days``
working days is raised once to the stand-up's owner, by DM, with one button to nudge the person.

- **When it is checked**: each time one of the stand-up's occurrences closes (the ``standup.close``
  job, claimed once by the scheduler), so a stand-up that does not run raises nothing.
- **Working days** are counted in the calendar of the person who has to act (the person asked,
  or the blocked person): their local dates, weekends, their public holidays and the workspace's
  company days off excluded (``daysoff``). An ask made on Monday is 2 working days old on Wednesday.
- **An open blocker** is the latest answer of a person in this stand-up carrying a blocker; its age
  runs from the first answer of that unbroken run of answers with a blocker.
- **Exactly once**: a ``standup_escalations`` row per ask or blocker run (unique key), inserted
  with ``ON CONFLICT DO NOTHING``; its DM is keyed by the row. The nudge is recorded on the row and
  keyed too, so a double click or a second replica sends nothing more. Never a channel post.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import insert_ignore
from bot.standup import daysoff, outbox
from bot.standup.data import EscalationView, NotAllowed, NotFound, NudgeView
from bot.standup.ids import AskStatus, EscalationKind
from bot.standup.lookups import get_standup, participants_of
from bot.standup.models import Standup, StandupAnswer, StandupAsk, StandupEscalation

MAX_ESCALATE_DAYS = 10


def _open_blockers(session: Session, standup: Standup) -> list[tuple[StandupAnswer, StandupAnswer]]:
    """(first, latest) answer of each person's current unbroken run of answers with a blocker."""
    answers = session.scalars(
        select(StandupAnswer)
        .where(StandupAnswer.team_id == standup.team_id, StandupAnswer.standup_id == standup.id)
        .order_by(StandupAnswer.user_id, StandupAnswer.created_at.desc(), StandupAnswer.id.desc())
    )
    runs: dict[str, list[StandupAnswer]] = {}
    closed: set[str] = set()
    for answer in answers:  # newest first, per person
        if answer.user_id in closed:
            continue
        if not answer.blocker.strip():
            closed.add(answer.user_id)
            continue
        runs.setdefault(answer.user_id, []).append(answer)
    return [(run[-1], run[0]) for run in runs.values()]


def escalate_stale(session: Session, standup: Standup, *, now: datetime) -> list[int]:
    """Raise every ask and blocker of ``standup`` open ``escalate_after_days`` working days, once.
    Returns the new escalations' ids."""
    limit = standup.escalate_after_days
    if limit <= 0:
        return []
    zones = {p.user_id: p.timezone for p in participants_of(session, standup.team_id, standup.id)}
    raised: list[int] = []
    asks = session.scalars(
        select(StandupAsk)
        .where(
            StandupAsk.team_id == standup.team_id,
            StandupAsk.standup_id == standup.id,
            StandupAsk.status == AskStatus.OPEN,
        )
        .order_by(StandupAsk.id)
    )
    for ask in asks:
        tz = zones.get(ask.to_user, standup.timezone)
        days = daysoff.working_age(session, standup.team_id, ask.to_user, tz, ask.created_at, now)
        if days >= limit:
            found = _raise_once(
                session, standup, EscalationKind.ASK, ask.id, ask.from_user, ask.to_user, ask.text, ask.created_at,
                days, now,
            )  # fmt: skip
            raised += [found] if found is not None else []
    for first, latest in _open_blockers(session, standup):
        if first.user_id not in zones:  # no longer in the stand-up: nobody to nudge
            continue
        tz = zones[first.user_id]
        days = daysoff.working_age(session, standup.team_id, first.user_id, tz, first.created_at, now)
        if days >= limit:
            found = _raise_once(
                session, standup, EscalationKind.BLOCKER, first.id, first.user_id, first.user_id, latest.blocker,
                first.created_at, days, now,
            )  # fmt: skip
            raised += [found] if found is not None else []
    session.flush()
    return raised


def _raise_once(
    session: Session,
    standup: Standup,
    kind: EscalationKind,
    ref_id: int,
    from_user: str,
    target: str,
    text: str,
    since: datetime,
    days: int,
    now: datetime,
) -> int | None:
    values = {
        "team_id": standup.team_id, "standup_id": standup.id, "kind": kind.value, "ref_id": ref_id,
        "owner_id": standup.owner_id, "target_user": target, "raised_at": now, "nudged_at": None, "nudged_by": None,
    }  # fmt: skip
    if not insert_ignore(session, StandupEscalation, values, ["team_id", "kind", "ref_id"]):
        return None  # raised before (maybe by another replica): never twice
    row = session.scalars(
        select(StandupEscalation).where(
            StandupEscalation.team_id == standup.team_id,
            StandupEscalation.kind == kind.value,
            StandupEscalation.ref_id == ref_id,
        )
    ).one()
    view = EscalationView(row.id, kind, standup.name, standup.channel_id, from_user, target, text, since, days)
    outbox.send_escalation(session, standup.team_id, standup.owner_id, view, now=now)
    return row.id


def nudge(session: Session, *, team_id: str, actor_id: str, escalation_id: int, now: datetime) -> StandupEscalation:
    """The owner's one nudge: one DM to the person asked (or blocked). A second click sends nothing."""
    row = session.scalar(
        select(StandupEscalation).where(StandupEscalation.team_id == team_id, StandupEscalation.id == escalation_id)
    )
    standup = get_standup(session, team_id, row.standup_id) if row is not None else None
    if row is None or standup is None:
        raise NotFound("That stand-up is gone.")
    if actor_id not in (row.owner_id, standup.owner_id):
        raise NotAllowed("Only the stand-up's owner can nudge.")
    if row.nudged_at is not None:
        return row
    row.nudged_at, row.nudged_by = now, actor_id
    ask_id: int | None = None
    if row.kind == EscalationKind.ASK:
        ask = session.scalar(select(StandupAsk).where(StandupAsk.team_id == team_id, StandupAsk.id == row.ref_id))
        if ask is None:
            raise NotFound("That ask is gone.")
        if ask.status != AskStatus.OPEN:
            raise NotFound("That ask was handled (or withdrawn) meanwhile: no nudge needed.")
        from_user, text, since, ask_id = ask.from_user, ask.text, ask.created_at, ask.id
    else:
        first = session.scalar(
            select(StandupAnswer).where(StandupAnswer.team_id == team_id, StandupAnswer.id == row.ref_id)
        )
        if first is None:
            raise NotFound("That answer is gone.")
        from_user, text, since = first.user_id, first.blocker, first.created_at
    view = NudgeView(row.kind, standup.name, actor_id, from_user, text, since, ask_id)
    outbox.send_nudge(session, team_id, row.target_user, row.id, view, now=now)
    session.flush()
    return row
