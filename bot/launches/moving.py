"""Moving a date: ``/launch move <id>``, the launch message's "Move a date" and a no-go's
"Move the date" open the move modal; submitting it moves the plan.

Moving phase *k* to a new date moves phases *k..n* by the same number of days
(``data.shift_phases``: the later phases keep their spacing; the earlier ones stay). Every open
checklist item of those phases keeps its offset and gets its due date again from its phase's
new date; done and dropped items keep the dates they had. The moved phases' go/no-go decisions
are cleared (they were about the old date), every timer is made again (``timeline.replan``),
the launch message shows the new dates, the move is said once in its thread, and each owner of
a moved item gets ONE DM listing their items' new dates (``LaunchNotice`` keyed
``moved:<launch>:<instant>:<owner>``, so a retried unit of work never sends twice).

Who may move: the leads, whoever created the launch, workspace admins. A date that has passed
(in the mover's zone), or on or before the previous phase's, is an error on the date field; a
phase that shipped cannot move. All or nothing: an error leaves every row as it was.

Services only: no views, no Slack client.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.db import insert_ignore_key
from bot.launches import dates_outbox, outbox, retro_link, timeline
from bot.launches.data import (
    MAX_DAYS_AHEAD,
    REASON_MAX,
    Directory,
    LaunchCancelled,
    LaunchError,
    LaunchView,
    NotLaunchLead,
    due_date,
    shift_phases,
)
from bot.launches.decisions import PhaseNotFound, PhaseShipped, asked, may_manage
from bot.launches.ids import Block, ItemStatus, LaunchKind, LaunchStatus
from bot.launches.lookups import get_phase, launch_view, require_launch
from bot.launches.models import Launch, LaunchNotice, LaunchPhase
from bot.launches.move_data import ItemMove, Move, PhaseMove
from bot.slack.text import clean_text

IsAdmin = Callable[[], bool]


class NothingToMove(LaunchError):
    def __init__(self) -> None:
        super().__init__("Every date of that launch has come and gone: there is nothing left to move.")


def _movable(session: Session, team_id: str, launch_id: int, user_id: str, is_admin: IsAdmin,
             *, for_update: bool = False) -> Launch:  # fmt: skip
    launch = require_launch(session, team_id, launch_id, for_update=for_update)
    if launch.status == LaunchStatus.CANCELLED:
        raise LaunchCancelled()
    if all(p.shipped_at is not None for p in launch.phases):
        raise NothingToMove()
    if not may_manage(launch, user_id, is_admin):
        raise NotLaunchLead("reschedule")
    return launch


def move_form(session: Session, *, team_id: str, launch_id: int, user_id: str, is_admin: IsAdmin) -> LaunchView:
    """What the move modal shows; raises when this person may not move the launch's dates."""
    return launch_view(session, _movable(session, team_id, launch_id, user_id, is_admin), with_goals=False)


def launch_of_phase(session: Session, *, team_id: str, phase_id: int) -> int:
    """The launch a phase id (a button's value: input) belongs to, in this workspace."""
    phase = get_phase(session, team_id, phase_id)
    if phase is None:
        raise PhaseNotFound()
    return phase.launch_id


def _instant(now: datetime) -> str:
    return now.strftime("%Y%m%dT%H%M%S%fZ")


def move_phase(
    session: Session,
    *,
    team_id: str,
    launch_id: int,
    phase_id: int,
    new_date: date,
    reason: str,
    user_id: str,
    is_admin: IsAdmin,
    today: date,
    now: datetime,
    directory: Directory,
) -> Move:
    """Move one phase (and the phases after it) to ``new_date``; ``today``: the mover's local date."""
    launch = _movable(session, team_id, launch_id, user_id, is_admin, for_update=True)
    index = next((i for i, p in enumerate(launch.phases) if p.id == phase_id), None)
    if index is None:
        raise LaunchError("Pick one of this launch's phases.", block_id=Block.MOVE_PHASE)
    phase = launch.phases[index]
    if phase.shipped_at is not None:
        raise PhaseShipped()
    reason = clean_text(reason)
    if len(reason) > REASON_MAX:
        raise LaunchError(f"Keep the reason under {REASON_MAX} characters.", block_id=Block.MOVE_REASON)
    if new_date == phase.launch_on:
        raise LaunchError("That is already its date: pick another one.", block_id=Block.MOVE_DATE)
    if new_date < today:
        raise LaunchError(f"{new_date.isoformat()} has passed: pick a date from today on.", block_id=Block.MOVE_DATE)
    if (new_date - today).days > MAX_DAYS_AHEAD:
        raise LaunchError(f"{new_date.isoformat()} is more than three years away: is that a typo?",
                          block_id=Block.MOVE_DATE)  # fmt: skip
    try:
        dates = shift_phases([p.launch_on for p in launch.phases], index, new_date)
    except LaunchError as error:
        raise LaunchError(str(error), block_id=Block.MOVE_DATE) from None

    moved_phases: list[PhaseMove] = []
    unanswered: list[tuple[LaunchPhase, date, list[LaunchNotice]]] = []
    for position in range(index, len(launch.phases)):
        moved, new_on = launch.phases[position], dates[position]
        moved_phases.append(PhaseMove(moved.id, moved.name, moved.launch_on, new_on))
        if moved.decision is None and (notices := asked(session, moved, moved.launch_on)):
            unanswered.append((moved, moved.launch_on, notices))
        moved.launch_on = new_on
        moved.decision = None
        moved.decision_reason = ""
        moved.decided_by = None
        moved.decided_at = None
    moved_ids = {m.phase_id for m in moved_phases}
    by_phase = {m.phase_id: m.new for m in moved_phases}
    item_moves: list[ItemMove] = []
    for item in sorted(launch.items, key=lambda i: (i.due_on, i.id)):
        if item.phase_id not in moved_ids or item.status in (ItemStatus.DONE, ItemStatus.DROPPED):
            continue
        new_due = due_date(by_phase[item.phase_id], item.offset_days)
        if new_due == item.due_on:
            continue
        item_moves.append(ItemMove(item.id, item.title, item.owner_id, item.offset_days, item.due_on, new_due))
        item.due_on = new_due
        item.updated_at = now
    launch.updated_at = now
    session.flush()

    move = Move(
        launch_id=launch.id,
        launch_name=launch.name,
        staggered=launch.kind == LaunchKind.STAGGERED,
        moved_by=user_id,
        reason=reason,
        phases=tuple(moved_phases),
        items=tuple(item_moves),
    )
    timeline.replan(session, launch, directory, now)
    outbox.update_launch_message(session, launch, now)
    retro_link.move_retro(session, launch, now)  # the launch retro moves with the plan
    for moved, asked_on, notices in unanswered:  # their buttons were about the old date
        dates_outbox.show_question_moved(session, launch, moved, asked_on, notices, now)
    instant = _instant(now)
    dates_outbox.tell_move_in_thread(session, launch, move, instant, now)
    for owner in move.owners():
        key = f"moved:{launch.id}:{instant}:{owner}"
        values = {"team_id": team_id, "launch_id": launch.id, "key": key, "user_id": owner, "channel_id": ""}
        notice_id = insert_ignore_key(session, LaunchNotice, {**values, "created_at": now}, ["team_id", "key"])
        notice = session.get(LaunchNotice, notice_id) if notice_id is not None else None
        if notice is not None:
            dates_outbox.tell_moved(session, launch, move, notice, now)
    return move
