"""Every message shared goals send, through the outbox (render with the views, key, enqueue), and
the hooks that record where they landed.

Keys:

- ``goal:{id}:post`` — the goal's message in its channel (its ``ts`` is the thread root, recorded
  on the goal by ``Hook.POSTED``; updates reference it with ``result_ref``),
- ``goal:{id}:update:{version}`` — each change of that message. Its ``chat.update`` is rendered
  when the drainer sends it (``render_at_send``, renderer ``Hook.MESSAGE``), so it always shows
  the goal as it is then, and making one costs no render; ``refresh_goal_message`` adds nothing
  while one still waits in the outbox (one pending update per burst),
- ``goal:{id}:thread:{what}`` — a reply in the goal's thread (a check-in, the close).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.goals import replies, views
from bot.goals.data import RITUAL_KIND
from bot.goals.ids import Hook, Outcome
from bot.goals.lookups import get_goal, goal_view
from bot.goals.models import Goal
from bot.slack.delivery_models import OutboxMessage, OutboxStatus
from bot.slack.outbox import Renderer, ResultHook, Ritual, enqueue, render_at_send, render_params, result_ref


def post_key(goal: Goal) -> str:
    return f"goal:{goal.id}:post"


def ritual(goal: Goal) -> Ritual:
    """A failed post tells whoever created the goal how to fix it (invite the bot, ...)."""
    return Ritual(RITUAL_KIND, goal.id, goal.created_by)


def thread_root(goal: Goal) -> str | dict[str, str]:
    """The goal message's ts, or a reference to it while the post is still in the outbox."""
    return goal.message_ts or result_ref(post_key(goal))


def post_goal_message(session: Session, goal: Goal, now: datetime) -> None:
    enqueue(
        session,
        team_id=goal.team_id,
        method="chat.postMessage",
        args={"channel": goal.channel_id, "unfurl_links": False, **views.goal_message(goal_view(session, goal))},
        key=post_key(goal),
        now=now,
        ritual=ritual(goal),
        on_result=Hook.POSTED,
        allow_external=goal.external_confirmed_by is not None,
    )


def _update_args(goal: Goal) -> dict[str, Any]:
    """The ``chat.update`` of the goal's message; the message itself is rendered when it is sent."""
    return {"channel": goal.channel_id, "ts": thread_root(goal), **render_at_send(Hook.MESSAGE, goal_id=goal.id)}


def update_goal_message(session: Session, goal: Goal, now: datetime) -> None:
    """Show the goal's current state in its one channel message (a new version each change)."""
    goal.version += 1
    session.flush()
    enqueue(
        session,
        team_id=goal.team_id,
        method="chat.update",
        args=_update_args(goal),
        key=f"goal:{goal.id}:update:{goal.version}",
        now=now,
        allow_external=goal.external_confirmed_by is not None,
    )


def refresh_goal_message(session: Session, goal: Goal, now: datetime) -> None:
    """``update_goal_message`` for changes that may come in bursts (values pushed by another
    system): while the goal's last update still waits in the outbox, it already shows the latest
    state when sent, so nothing is queued behind it (and nothing is rendered now).

    The UPDATE takes the pending row's lock (PostgreSQL): a drainer claiming it skips it until this
    transaction commits, and one that claimed it first makes this find no pending row and queue a
    new version. Its args are set again, so a row enqueued rendered (by an earlier release) is
    rendered at send time too."""
    if goal.version > 0:
        folded = session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.team_id == goal.team_id,
                OutboxMessage.key == f"goal:{goal.id}:update:{goal.version}",
                OutboxMessage.status == OutboxStatus.PENDING.value,
            )
            .values(args=_update_args(goal), updated_at=now)
            .returning(OutboxMessage.id)
            .execution_options(synchronize_session=False)
        ).first()
        if folded is not None:
            return
    update_goal_message(session, goal, now)


def _render_goal_message(session: Session, team_id: str, args: Mapping[str, Any]) -> dict[str, Any] | None:
    """``Hook.MESSAGE``: the goal's channel message as it is now; None once the goal is gone or the
    message updated is not its own (SQLite hands a deleted goal's id to the next new one)."""
    params = render_params(args) or {}
    goal = get_goal(session, team_id, int(params.get("goal_id", 0)))
    ts = args.get("ts")  # the drainer resolved the post's ts (a reference only outside it)
    if goal is None or (isinstance(ts, str) and ts != goal.message_ts):
        return None
    return views.goal_message(goal_view(session, goal))


def reply_in_thread(
    session: Session, goal: Goal, what: str, message: dict[str, Any], now: datetime, *, on_result: str | None = None
) -> OutboxMessage:
    """A reply in the goal's thread (``what`` makes the key unique, e.g. ``checkin:12``)."""
    return enqueue(
        session,
        team_id=goal.team_id,
        method="chat.postMessage",
        args={"channel": goal.channel_id, "thread_ts": thread_root(goal), "unfurl_links": False, **message},
        key=f"goal:{goal.id}:thread:{what}",
        now=now,
        ritual=ritual(goal),
        on_result=on_result,
        allow_external=goal.external_confirmed_by is not None,
    )


def post_outcome(session: Session, goal: Goal, outcome: Outcome, closed_by: str, now: datetime) -> None:
    """The closed goal's outcome and learning in its thread, with "Open a retro about it"."""
    message = replies.outcome_reply(goal_view(session, goal), outcome, goal.learning, closed_by)
    reply_in_thread(session, goal, "closed", message, now)


def post_deleted(session: Session, goal: Goal, deleted_by: str, now: datetime) -> None:
    """Before a goal's rows go: its messages still waiting in the outbox are dropped, the posted
    ones keep their rows under a retired key, and its channel message says it was deleted.

    Retiring the keys matters on SQLite, which hands a deleted row's id to the next new row: a
    new goal with the same id must get its own ``goal:{id}:post``, not find the old one sent.
    """
    prefix = f"goal:{goal.id}:"
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.team_id == goal.team_id, OutboxMessage.key.startswith(prefix))
    ).all()
    for row in rows:
        if row.status == OutboxStatus.PENDING.value:
            session.delete(row)
        else:
            row.key = f"goal-deleted:{row.id}:{row.key}"[:255]
    session.flush()
    if goal.message_ts is None:  # never posted (or its post was just dropped): nothing to update
        return
    enqueue(
        session,
        team_id=goal.team_id,
        method="chat.update",
        args={"channel": goal.channel_id, "ts": goal.message_ts,
              **replies.deleted_message(goal.title, deleted_by, now)},
        key=f"goal-deleted:{goal.id}:{now.timestamp():.6f}",
        now=now,
        allow_external=goal.external_confirmed_by is not None,
    )  # fmt: skip


def _record_posted(session: Session, row: OutboxMessage, result: dict[str, Any]) -> None:
    goal = get_goal(session, row.team_id, int(row.key.split(":")[1]))
    if goal is not None:
        goal.message_ts = str(result.get("ts") or "") or None
        goal.channel_id = str(result.get("channel") or goal.channel_id)


RESULT_HOOKS: dict[str, ResultHook] = {Hook.POSTED: _record_posted}
RENDERERS: dict[str, Renderer] = {Hook.MESSAGE: _render_goal_message}
