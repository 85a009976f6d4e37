"""The outbox: every ritual post is recorded here as an intent; the drainer sends it later.

What rituals call (each package's ``outbox.py``): ``enqueue``, ``result_ref``, ``Ritual`` and the
hook types. Sending is ``bot.slack.drainer``; the permanent-error table and the owner's DM are
``bot.slack.delivery_errors``; the HTTP call is ``bot.slack.sender``.

**Intent first.** ``enqueue(session, ...)`` inserts an outbox row in the caller's unit of work.
``key`` is unique per team: enqueuing the same key again is a no-op that returns the existing row,
so a retried listener or job never produces a second message. Derive keys from what makes the
message unique, e.g. ``f"standup:{standup_id}:{occurrence:%Y%m%dT%H%M}:prompt:{user_id}"``.

**References.** An argument may be ``result_ref(key, field)`` (``{"$result": key, "field": "ts"}``):
the drainer substitutes that field of the referenced row's Slack response (dotted paths work:
``"channel.id"`` of a ``conversations.open``, see ``resolve_results``) and sends the row only once
the referenced row is sent; if that row failed permanently, this one fails with
``dependency_failed``.

**Hooks.** A feature lists its hooks in its feature object (``bot/<feature>/feature.py``); the
composition root builds ``services.hooks`` (``DeliveryHooks``) from them. A result hook
``fn(session, row, result)`` runs in the unit of work that marks a row (enqueued with
``on_result=name``) sent — record the ``ts`` of a prompt on your occurrence there. A failure hook
``fn(session, row, error)`` (keyed by ritual kind) runs when a row carrying
``ritual=Ritual(kind, id, owner)`` fails permanently. The owner is also told once per (ritual,
channel, error) by DM, with the fix. Nothing registers itself on import.

**Render at send time.** A message that changes in bursts (a goal's channel message, rewritten by
every value another system pushes) need not be rendered by each change: its row carries
``render_at_send(name, **params)`` among its ``args`` instead of the message, and the drainer
calls the renderer registered under ``name`` right before it sends the row (after claiming it, in
a read-only unit of work of its own, outside ``Database.write_gate``), so what is sent shows the
state of that moment. A renderer ``fn(session, team_id, args)`` gets the row's args (references
resolved, the marker included) and returns what to send in their place (e.g. ``text`` and
``blocks``), or None when there is nothing to send any more (what it shows was deleted): the row
then fails with ``nothing_to_render``, nobody is told. A renderer that raises is retried like a
5xx (``render_failed``), never dropped. Renderers are listed in the feature object
(``Feature.renderers``), like hooks. The row's ``args`` record what was sent once it is.

**External channels.** Nothing is shown in a channel shared with another organisation unless the
row says a person chose it (``enqueue(..., allow_external=True)``); the drainer checks right before
each visible call (see ``bot.slack.drainer``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bot.db import insert_ignore
from bot.slack.delivery_models import OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class Ritual:
    """Which ritual a message belongs to, and who to tell if it cannot be delivered."""

    kind: str  # e.g. "standup", "retro"
    id: str | int
    owner: str  # Slack user id of the ritual's owner


def result_ref(key: str, field: str = "ts") -> dict[str, str]:
    """An argument value that stands for ``field`` of the (sent) row ``key``'s Slack response."""
    return {"$result": key, "field": field}


ResultHook = Callable[[Session, OutboxMessage, dict[str, Any]], None]
FailureHook = Callable[[Session, OutboxMessage, str], None]
# (session, team_id, the row's args) -> the arguments to send in place of the marker, or None.
Renderer = Callable[[Session, str, Mapping[str, Any]], dict[str, Any] | None]

RENDER = "$render"  # the args key of a row rendered at send time


def render_at_send(renderer: str, **params: str | int) -> dict[str, Any]:
    """Arguments standing for a message rendered by ``renderer`` when the row is sent; merge them
    with the call's fixed arguments: ``{"channel": c, "ts": ts, **render_at_send("x.message", id=7)}``."""
    return {RENDER: {"renderer": renderer, **params}}


def render_params(args: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The ``render_at_send`` parameters of a row's args (``renderer`` included), or None."""
    marker = args.get(RENDER)
    return marker if isinstance(marker, dict) else None


class DuplicateHook(ValueError):
    """Two hooks under one name (or one ritual kind): each name has exactly one hook."""


def _unique(pairs: Iterable[tuple[str, Any]], what: str) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for name, hook in pairs:
        if str(name) in table:
            raise DuplicateHook(f"two {what} named {name!r}")
        table[str(name)] = hook
    return table


@dataclass(frozen=True)
class DeliveryHooks:
    """The drainer's hooks: result hooks by name, failure hooks by ritual kind, renderers by name
    (read-only)."""

    results: Mapping[str, ResultHook] = field(default_factory=dict)
    failures: Mapping[str, FailureHook] = field(default_factory=dict)
    renderers: Mapping[str, Renderer] = field(default_factory=dict)

    @classmethod
    def of(
        cls,
        results: Iterable[tuple[str, ResultHook]] = (),
        failures: Iterable[tuple[str, FailureHook]] = (),
        renderers: Iterable[tuple[str, Renderer]] = (),
    ) -> DeliveryHooks:
        """Build the tables; ``DuplicateHook`` if a name or ritual kind comes twice."""
        return cls(
            _unique(results, "result hooks"), _unique(failures, "failure hooks"), _unique(renderers, "renderers")
        )

    def plus(
        self,
        *,
        results: Mapping[str, ResultHook] | None = None,
        failures: Mapping[str, FailureHook] | None = None,
        renderers: Mapping[str, Renderer] | None = None,
    ) -> DeliveryHooks:
        """These hooks and more (tests add throwaway hooks this way)."""
        return DeliveryHooks.of(
            [*self.results.items(), *(results or {}).items()],
            [*self.failures.items(), *(failures or {}).items()],
            [*self.renderers.items(), *(renderers or {}).items()],
        )


# --- enqueue -------------------------------------------------------------------------------------

_WAKEUPS: set[threading.Event] = set()
_WAKEUPS_LOCK = threading.Lock()
_ENQUEUED = "tandem.outbox_enqueued"


def add_wakeup(wake: threading.Event) -> None:
    """``wake`` is set after any unit of work that enqueued something commits (this process)."""
    with _WAKEUPS_LOCK:
        _WAKEUPS.add(wake)


def remove_wakeup(wake: threading.Event) -> None:
    with _WAKEUPS_LOCK:
        _WAKEUPS.discard(wake)


@event.listens_for(Session, "after_commit")
def _wake_drainers(session: Session) -> None:
    if session.info.pop(_ENQUEUED, False):
        with _WAKEUPS_LOCK:
            for wake in _WAKEUPS:
                wake.set()


def _references(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        if "$result" in value:
            yield str(value["$result"])
        else:
            for item in value.values():
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def enqueue(
    session: Session,
    *,
    team_id: str,
    method: str,
    args: dict[str, Any],
    key: str,
    now: datetime,
    ritual: Ritual | None = None,
    on_result: str | None = None,
    not_before: datetime | None = None,
    allow_external: bool = False,
) -> OutboxMessage:
    """Record the intent to call ``method`` with ``args``; returns the (new or existing) row.

    Idempotent on ``(team_id, key)``: a second call with the same key changes nothing. The row is
    sent after the caller's unit of work commits, not before ``not_before``. ``allow_external``:
    a person chose to show this in a channel shared with another organisation (else it is held
    back there, see "External channels" above).
    """
    if len(key) > 255:
        raise ValueError("outbox key longer than 255 characters")
    existing = session.scalar(select(OutboxMessage).where(OutboxMessage.team_id == team_id, OutboxMessage.key == key))
    if existing is not None:
        return existing
    channel = args.get("channel")
    values: dict[str, Any] = {
        "team_id": team_id,
        "key": key,
        "method": method,
        "args": args,
        "depends_on": sorted(set(_references(args))),
        "channel": channel if isinstance(channel, str) else "",
        "status": OutboxStatus.PENDING.value,
        "attempts": 0,
        "next_attempt_at": max(now, not_before) if not_before else now,
        "on_result": on_result,
        "ritual_kind": ritual.kind if ritual else None,
        "ritual_id": str(ritual.id) if ritual else None,
        "ritual_owner": ritual.owner if ritual else None,
        "allow_external": allow_external,
        "created_at": now,
        "updated_at": now,
    }
    session.flush()
    # INSERT .. ON CONFLICT DO NOTHING: a concurrent enqueue of the same key waits, then no-ops.
    insert_ignore(session, OutboxMessage, values, ["team_id", "key"])
    row = session.scalar(select(OutboxMessage).where(OutboxMessage.team_id == team_id, OutboxMessage.key == key))
    assert row is not None
    session.info[_ENQUEUED] = True
    return row


def get_message(session: Session, team_id: str, key: str) -> OutboxMessage | None:
    return session.scalar(select(OutboxMessage).where(OutboxMessage.team_id == team_id, OutboxMessage.key == key))


def _lookup(result: dict[str, Any] | None, path: str) -> Any:
    value: Any = result or {}
    for part in path.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def resolve_results(value: Any, results: dict[str, dict[str, Any] | None]) -> Any:
    """``value`` with each ``result_ref`` replaced by that field of the referenced row's result."""
    if isinstance(value, dict):
        if "$result" in value:
            return _lookup(results.get(str(value["$result"])), str(value.get("field", "ts")))
        return {k: resolve_results(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_results(v, results) for v in value]
    return value
