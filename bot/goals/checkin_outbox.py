"""Every message of a check-in, through the outbox (render with ``checkin_views``, key, enqueue),
and the hooks recording where they landed. Beside ``outbox.py`` (the goal's channel message).

Keys (unique per team, so a retried job or listener never sends twice):

- ``goal:{goal}:round:{round}:prompt:{user}`` — an owner's one DM of a round (``Hook.PROMPTED``
  records its DM channel and ts on the ``GoalPrompt``),
- ``goal:{goal}:round:{round}:remind:{user}`` — the one reminder,
- ``goal:{goal}:round:{round}:answered:{prompt|remind}:{user}`` — that DM, updated once answered,
- ``goal:{goal}:thread:checkin:{checkin}`` — the check-in in the goal's thread
  (``Hook.CHECKIN_POSTED`` records its ts),
- ``goal:{goal}:stale:{round}:{user}`` — the one "stale" DM of a goal going stale at that round.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.goals import checkin_views
from bot.goals.data import CheckinView
from bot.goals.ids import Hook
from bot.goals.lookups import goal_view
from bot.goals.models import Goal, GoalCheckin, GoalPrompt, GoalRound
from bot.goals.outbox import reply_in_thread
from bot.slack.delivery_models import OutboxMessage
from bot.slack.outbox import ResultHook, enqueue, result_ref


def prompt_key(goal_id: int, round_id: int, user_id: str, *, reminder: bool = False) -> str:
    return f"goal:{goal_id}:round:{round_id}:{'remind' if reminder else 'prompt'}:{user_id}"


def _dm(session: Session, goal: Goal, user_id: str, *, key: str, message: dict[str, Any], now: datetime,
        on_result: str | None = None) -> None:  # fmt: skip
    """A DM from the app: chat.postMessage to a user id posts in the app's Messages tab."""
    enqueue(
        session, team_id=goal.team_id, method="chat.postMessage", args={"channel": user_id, **message},
        key=key, now=now, on_result=on_result,
    )  # fmt: skip


def send_prompt(
    session: Session,
    goal: Goal,
    check_round: GoalRound,
    user_id: str,
    *,
    pulled: float | None,
    reminder: bool,
    now: datetime,
) -> None:
    """The owner's one DM of the round (or its one reminder), with the Update button."""
    message = checkin_views.prompt_message(
        goal_view(session, goal),
        due_on=check_round.due_on,
        pulled=pulled,
        pull_problem=check_round.pull_problem,
        reminder=reminder,
    )
    key = prompt_key(goal.id, check_round.id, user_id, reminder=reminder)
    _dm(session, goal, user_id, key=key, message=message, now=now, on_result=None if reminder else Hook.PROMPTED)


def _target(prompt: GoalPrompt, key: str, *, use_stored: bool) -> dict[str, Any]:
    """Where a DM landed: as recorded by ``Hook.PROMPTED``, else a reference to the sent row."""
    if use_stored and prompt.channel_id and prompt.message_ts:
        return {"channel": prompt.channel_id, "ts": prompt.message_ts}
    return {"channel": result_ref(key, "channel"), "ts": result_ref(key, "ts")}


def mark_prompts_answered(
    session: Session,
    goal: Goal,
    check_round: GoalRound,
    prompts: list[GoalPrompt],
    checkin: CheckinView,
    previous: float | None,
    now: datetime,
) -> None:
    """Every owner's DM of the round (and their reminder, if sent) says who checked in."""
    message = checkin_views.answered_prompt_message(goal_view(session, goal), checkin, previous)
    for prompt in prompts:
        for reminder in (False, True) if prompt.reminded_at else (False,):
            original = prompt_key(goal.id, check_round.id, prompt.user_id, reminder=reminder)
            which = "remind" if reminder else "prompt"
            enqueue(
                session, team_id=goal.team_id, method="chat.update",
                args={**_target(prompt, original, use_stored=not reminder), **message},
                key=f"goal:{goal.id}:round:{check_round.id}:answered:{which}:{prompt.user_id}", now=now,
            )  # fmt: skip


def post_checkin(
    session: Session, goal: Goal, checkin: GoalCheckin, view: CheckinView, previous: float | None, now: datetime
) -> None:
    """The check-in as a reply in the goal's thread."""
    message = checkin_views.checkin_reply(goal_view(session, goal), view, previous)
    reply_in_thread(session, goal, f"checkin:{checkin.id}", message, now, on_result=Hook.CHECKIN_POSTED)


def tell_stale(session: Session, goal: Goal, check_round: GoalRound, now: datetime) -> None:
    """Once per goal going stale: each owner gets one DM (never a channel @-mention)."""
    message = checkin_views.stale_message(goal_view(session, goal))
    for user_id in goal.owner_ids():
        _dm(session, goal, user_id, key=f"goal:{goal.id}:stale:{check_round.id}:{user_id}", message=message, now=now)


def _record_prompted(session: Session, row: OutboxMessage, result: dict[str, Any]) -> None:
    parts = row.key.split(":")  # goal:{goal}:round:{round}:prompt:{user}
    if len(parts) != 6 or not parts[3].isdigit():
        return
    prompt = session.scalar(
        select(GoalPrompt).where(
            GoalPrompt.team_id == row.team_id, GoalPrompt.round_id == int(parts[3]), GoalPrompt.user_id == parts[5]
        )
    )
    if prompt is not None and result.get("ts"):
        prompt.channel_id = str(result.get("channel") or "")
        prompt.message_ts = str(result["ts"])


def _record_checkin_posted(session: Session, row: OutboxMessage, result: dict[str, Any]) -> None:
    last = row.key.rsplit(":", 1)[-1]  # goal:{goal}:thread:checkin:{checkin}
    if not last.isdigit():
        return
    checkin = session.scalar(select(GoalCheckin).where(GoalCheckin.team_id == row.team_id, GoalCheckin.id == int(last)))
    if checkin is not None and result.get("ts"):
        checkin.reply_ts = str(result["ts"])


RESULT_HOOKS: dict[str, ResultHook] = {Hook.PROMPTED: _record_prompted, Hook.CHECKIN_POSTED: _record_checkin_posted}
