"""A goal's values from the systems that hold them: recording a value of any source (check-in,
push, pull), the push endpoint's per-goal token, and the pull source's settings.

- Every value is a ``GoalValue``; the latest by ``measured_at`` is the goal's current value. When
  a new value changes it, the goal's one channel message is updated in place (one pending update
  at a time: a burst of pushes rewrites it rather than queueing one per value; a value back-filled
  with an older ``at``, or the same number again, changes nothing there). Closed goals take none.
- The push token: ``issue_token`` makes a random secret (``tgv_`` + ``secrets.token_urlsafe(32)``), stores
  only its sha256 and returns it once; making a new one replaces (invalidates) the old.
  ``token_matches`` compares digests with ``hmac.compare_digest``.
- ``authenticate`` + ``push_value`` are what ``POST /goals/<id>/values`` does: a wrong token and an
  unknown goal id are the same ``Unauthorized`` (no enumeration, nothing written); a retried request stores one
  value (``bot.goals.push.dedupe_keys`` + a unique ``(goal_id, dedupe_key)``, inserted with
  ``INSERT .. ON CONFLICT DO NOTHING``, so concurrent retries are safe on both databases).

The endpoint's look-up is by goal id alone: the token is the credential, and the value is stored
in the goal's own workspace (``team_id`` comes from the goal row, never from the request).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import insert_ignore_key
from bot.goals import outbox
from bot.goals.data import GoalClosed, GoalError, NotGoalOwner, SourceInput, source_problems
from bot.goals.ids import Status, ValueSource
from bot.goals.models import Goal, GoalValue
from bot.goals.push import PushRequest, dedupe_keys
from bot.goals.secrets import seal, unseal

TOKEN_BYTES = 32
# Recognisable, so log redaction (bot.logs) and secret scanners can spot a leaked one.
TOKEN_PREFIX = "tgv_"
# Compared against when the goal does not exist, so that answer takes as long as a wrong token.
_NO_GOAL_HASH = hashlib.sha256(b"no such goal").hexdigest()


class Unauthorized(Exception):
    """A missing or wrong token, or a goal id that does not exist: one answer for all three."""


class KeyReused(GoalError):
    def __init__(self) -> None:
        super().__init__("this Idempotency-Key was already used for a different value; use a new key per value")


@dataclass(frozen=True)
class Recorded:
    value: GoalValue
    created: bool  # False: a replay of a value stored before (same dedupe key)
    current_changed: bool  # the goal's current value changed (its channel message is updated)


# --- the push token -----------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, goal: Goal, now: datetime) -> str:
    """A new push token for ``goal``, returned once; only its sha256 is stored. The old one stops working."""
    if goal.status == Status.CLOSED:
        raise GoalClosed()
    token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
    goal.push_token_hash = hash_token(token)
    goal.push_token_created_at = now
    goal.updated_at = now
    session.flush()
    return token


def revoke_token(session: Session, goal: Goal, now: datetime) -> None:
    goal.push_token_hash = None
    goal.push_token_created_at = None
    goal.updated_at = now
    session.flush()


def token_matches(goal: Goal | None, token: str | None) -> bool:
    """Whether ``token`` is the goal's push token, in constant time (a goal without one matches nothing)."""
    stored = goal.push_token_hash if goal is not None and goal.push_token_hash else _NO_GOAL_HASH
    given = hash_token(token or "")
    return hmac.compare_digest(stored, given) and goal is not None and goal.push_token_hash is not None and bool(token)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


# --- recording ----------------------------------------------------------------------------------


def _latest_two(session: Session, goal: Goal) -> list[GoalValue]:
    """The current value and the one before it (newest first)."""
    return list(
        session.scalars(
            select(GoalValue)
            .where(GoalValue.team_id == goal.team_id, GoalValue.goal_id == goal.id)
            .order_by(GoalValue.measured_at.desc(), GoalValue.id.desc())
            .limit(2)
        )
    )


def _by_key(session: Session, goal: Goal, keys: Sequence[str]) -> GoalValue | None:
    if not keys:
        return None
    return session.scalar(
        select(GoalValue)
        .where(GoalValue.team_id == goal.team_id, GoalValue.goal_id == goal.id, GoalValue.dedupe_key.in_(list(keys)))
        .order_by(GoalValue.id)
        .limit(1)
    )


def record_value(
    session: Session,
    goal: Goal,
    *,
    value: float,
    source: ValueSource,
    now: datetime,
    measured_at: datetime | None = None,
    note: str = "",
    recorded_by: str = "",
    dedupe_key: str | None = None,
    retry_of: Sequence[str] = (),
) -> Recorded:
    """Store a value of ``goal`` (any source) and update its channel message if the current value changed.

    ``dedupe_key``: a second call with the same key (or one whose ``retry_of`` names a stored key)
    returns the stored value, ``created=False``, and writes nothing.
    """
    if goal.status == Status.CLOSED:
        raise GoalClosed()
    earlier = _by_key(session, goal, retry_of)
    if earlier is not None:
        return Recorded(earlier, created=False, current_changed=False)
    row = {
        "team_id": goal.team_id,
        "goal_id": goal.id,
        "value": value,
        "measured_at": measured_at or now,
        "source": source.value,
        "note": note,
        "recorded_by": recorded_by,
        "dedupe_key": dedupe_key,
        "created_at": now,
    }
    if dedupe_key is None:
        stored = GoalValue(**row)
        session.add(stored)
        session.flush()
    else:
        # Two retries at once: exactly one inserts (the other waits for its commit, then finds it).
        new_id = insert_ignore_key(session, GoalValue, row, ["goal_id", "dedupe_key"])
        if new_id is None:
            found = _by_key(session, goal, [dedupe_key])
            assert found is not None  # stored by the request this one repeats
            return Recorded(found, created=False, current_changed=False)
        stored = GoalValue(id=new_id, **row)  # what was inserted (not loaded again)
    # From here this transaction holds the write lock (SQLite) / the goal's row lock (PostgreSQL):
    # concurrent values of the goal are decided one after the other. FOR NO KEY UPDATE, not FOR
    # UPDATE: the insert above holds FOR KEY SHARE on the goal (its foreign key), which FOR UPDATE
    # conflicts with, so two pushes inserting at once would each wait for the other (deadlock).
    session.refresh(goal, with_for_update={"key_share": True})
    latest = _latest_two(session, goal)
    previous = latest[1] if len(latest) > 1 else None
    changed = latest[0].id == stored.id and (previous is None or previous.value != stored.value)
    if changed:
        outbox.refresh_goal_message(session, goal, now)
    return Recorded(stored, created=True, current_changed=changed)


def authenticate(session: Session, goal_id: int, token: str | None) -> Goal:
    """The goal ``token`` opens; ``Unauthorized`` for a missing/wrong token or an unknown goal."""
    goal = session.get(Goal, goal_id) if 0 < goal_id < 2**63 else None
    if not token_matches(goal, token):
        raise Unauthorized()
    assert goal is not None
    return goal


def push_value(session: Session, goal: Goal, push: PushRequest, now: datetime) -> Recorded:
    """``POST /goals/<id>/values`` once ``authenticate`` let it in: record the value once.

    ``GoalClosed`` for a closed goal; ``KeyReused`` when an Idempotency-Key comes back with a
    different value.
    """
    key, retry_of = dedupe_keys(goal.id, push, now)
    recorded = record_value(
        session,
        goal,
        value=push.value,
        source=ValueSource.PUSH,
        now=now,
        measured_at=push.at,
        note=push.note,
        dedupe_key=key,
        retry_of=retry_of,
    )
    if not recorded.created and push.idempotency_key is not None:
        stored = recorded.value
        same_at = push.at is None or stored.measured_at == push.at
        if stored.value != push.value or stored.note != push.note or not same_at:
            raise KeyReused()
    return recorded


# --- who may change a goal's sources --------------------------------------------------------------


def can_manage(goal: Goal, user_id: str, *, is_admin: bool = False) -> bool:
    """Owners, whoever created the goal, and workspace admins."""
    return is_admin or user_id == goal.created_by or user_id in goal.owner_ids()


def require_manager(goal: Goal, user_id: str, *, is_admin: bool = False) -> None:
    if not can_manage(goal, user_id, is_admin=is_admin):
        raise NotGoalOwner("set up the values of")


# --- the pull source ----------------------------------------------------------------------------


def save_source(session: Session, goal: Goal, source: SourceInput, *, keys: str | None, now: datetime) -> None:
    """Store where the goal's value is pulled from. ``source.token``: None keeps the stored token,
    "" removes it, anything else replaces it (sealed with TANDEM_ENCRYPTION_KEY when set). An
    empty URL removes the source and its token."""
    found = source_problems(source)
    if found:
        block, message = next(iter(found.items()))
        raise GoalError(message, block_id=block)
    if goal.status == Status.CLOSED:
        raise GoalClosed()
    goal.pull_url = source.url
    goal.pull_pointer = source.pointer
    if not source.url or source.token == "":
        goal.pull_token = None
    elif source.token is not None:
        goal.pull_token = seal(source.token, keys)
    goal.updated_at = now
    session.flush()


def source_token(goal: Goal, keys: str | None) -> str | None:
    """The pull source's bearer token in clear (None: none stored)."""
    return unseal(goal.pull_token, keys)
