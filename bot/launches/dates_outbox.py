"""Every message about a launch's dates, through the outbox (render with the views, key, enqueue),
and the hook that records where a go/no-go DM landed. Beside ``outbox.py`` (the launch message).

Keys (unique per team: a retried job or listener never sends twice), derived from the
``LaunchNotice`` that made the DM go exactly once:

- ``launch:{id}:dm:gonogo:{phase}:{date}:{lead}`` — a lead's go/no-go DM (``Hook.DECISION_ASKED``
  records its channel and ts on the notice),
- ``launch:{id}:dm:gonogo:{phase}:{date}:{lead}:decided:{n}`` — that DM updated with a decision
  (``n`` counts the decisions on the phase: a changed mind updates it again),
- ``launch:{id}:dm:moved:{launch}:{instant}:{owner}`` — an owner's one DM about a move,
- ``launch:{id}:thread:{what}`` — a short reply in the launch message's thread (a move, a launch day).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.launches import decision_views, move_views
from bot.launches.data import PhaseView
from bot.launches.ids import Hook
from bot.launches.lookups import launch_view, phase_view
from bot.launches.models import Launch, LaunchNotice, LaunchPhase
from bot.launches.move_data import Move
from bot.launches.outbox import local_today, message_ref
from bot.slack.delivery_models import OutboxMessage
from bot.slack.outbox import ResultHook, enqueue, result_ref

DM_PREFIX = "dm:"


def dm_key(launch: Launch, notice: LaunchNotice) -> str:
    return f"launch:{launch.id}:{DM_PREFIX}{notice.key}"


def _dm(session: Session, launch: Launch, notice: LaunchNotice, message: dict[str, Any], now: datetime,
        on_result: str | None = None) -> None:  # fmt: skip
    """A DM from the app: chat.postMessage to a user id posts in the app's Messages tab."""
    enqueue(
        session, team_id=launch.team_id, method="chat.postMessage", args={"channel": notice.user_id, **message},
        key=dm_key(launch, notice), now=now, on_result=on_result,
    )  # fmt: skip


def ask_go_no_go(session: Session, launch: Launch, phase: LaunchPhase, notice: LaunchNotice, now: datetime) -> None:
    shown = launch_view(session, launch, with_goals=False)
    message = decision_views.go_no_go_prompt(shown, phase_view(phase), local_today(launch, now))
    _dm(session, launch, notice, message, now, on_result=Hook.DECISION_ASKED)


def _target(launch: Launch, notice: LaunchNotice) -> dict[str, Any]:
    """Where a DM landed: as recorded by the hook, else a reference to the sent row."""
    if notice.channel_id and notice.message_ts:
        return {"channel": notice.channel_id, "ts": notice.message_ts}
    key = dm_key(launch, notice)
    return {"channel": result_ref(key, "channel"), "ts": result_ref(key, "ts")}


def show_decision(
    session: Session, launch: Launch, phase: PhaseView, notices: list[LaunchNotice], count: int, now: datetime
) -> None:
    """Every lead's go/no-go DM of the phase says who decided what, in place."""
    message = decision_views.decided_prompt(launch_view(session, launch, with_goals=False), phase)
    for notice in notices:
        enqueue(
            session, team_id=launch.team_id, method="chat.update", args={**_target(launch, notice), **message},
            key=f"{dm_key(launch, notice)}:decided:{count}", now=now,
        )  # fmt: skip


def show_question_moved(
    session: Session, launch: Launch, phase: LaunchPhase, asked_on: date, notices: list[LaunchNotice], now: datetime
) -> None:
    """The go/no-go DMs sent for a date that moved before anyone answered: updated, buttons gone."""
    message = decision_views.question_moved(launch_view(session, launch, with_goals=False), phase_view(phase), asked_on)
    for notice in notices:
        enqueue(
            session, team_id=launch.team_id, method="chat.update", args={**_target(launch, notice), **message},
            key=f"{dm_key(launch, notice)}:moved", now=now,
        )  # fmt: skip


def tell_moved(session: Session, launch: Launch, move: Move, notice: LaunchNotice, now: datetime) -> None:
    _dm(session, launch, notice, move_views.moved_dm(move, notice.user_id), now)


def reply_in_thread(session: Session, launch: Launch, what: str, message: dict[str, Any], now: datetime) -> None:
    """A short reply under the launch's message (never an @-mention of the channel)."""
    enqueue(
        session, team_id=launch.team_id, method="chat.postMessage",
        args={"channel": launch.channel_id, "thread_ts": message_ref(launch), "unfurl_links": False, **message},
        key=f"launch:{launch.id}:thread:{what}", now=now,
        allow_external=launch.external_confirmed_by is not None,
    )  # fmt: skip


def tell_shipped(session: Session, launch: Launch, phase: LaunchPhase, *, last: bool, now: datetime) -> None:
    message = decision_views.shipped_reply(launch_view(session, launch, with_goals=False), phase_view(phase), last=last)
    reply_in_thread(session, launch, f"shipped:{phase.id}", message, now)


def tell_move_in_thread(session: Session, launch: Launch, move: Move, what: str, now: datetime) -> None:
    reply_in_thread(session, launch, f"moved:{what}", move_views.moved_reply(move), now)


def _record_decision_asked(session: Session, row: OutboxMessage, result: dict[str, Any]) -> None:
    head = f"launch:{row.key.split(':')[1]}:{DM_PREFIX}" if row.key.count(":") > 2 else ""
    if not head or not row.key.startswith(head) or not result.get("ts"):
        return
    notice = session.scalar(
        select(LaunchNotice).where(LaunchNotice.team_id == row.team_id, LaunchNotice.key == row.key[len(head) :])
    )
    if notice is not None:
        notice.channel_id = str(result.get("channel") or "")
        notice.message_ts = str(result["ts"])


RESULT_HOOKS: dict[str, ResultHook] = {Hook.DECISION_ASKED: _record_decision_asked}
