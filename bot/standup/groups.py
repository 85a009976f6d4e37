"""Stand-up participants who came through a Slack user group follow the group.

Split in three so Slack is read outside any transaction (``resync.py`` drives it): a snapshot of
each stand-up's groups and people (one unit of work), the groups' members read through the
``Directory`` (no session), then the change applied (one unit of work per stand-up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.scheduling.service import delete_schedules_for, set_paused_for
from bot.slack.users import SlackUser
from bot.standup import setup
from bot.standup.data import Directory, GroupChange
from bot.standup.ids import JobKind, Side, ZoneMode
from bot.standup.lookups import get_standup, participants_of
from bot.standup.models import Standup

Wanted = dict[str, tuple[Side, str | None]]  # user id -> (side, the group they came through or None)


@dataclass(frozen=True)
class GroupSnapshot:
    team_id: str
    standup_id: int
    groups: dict[Side, list[str]]
    named: dict[Side, list[str]]  # people picked by name, active
    active: set[str]  # everyone active now


def snapshot_groups(session: Session, team_id: str | None = None) -> list[GroupSnapshot]:
    """Every stand-up (of ``team_id``, or all) that has user groups, as it is now."""
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
        snapshots.append(GroupSnapshot(standup.team_id, standup.id, groups, named, {p.user_id for p in people}))
    return snapshots


def read_members(directory: Directory, snapshot: GroupSnapshot) -> tuple[Wanted, dict[str, SlackUser | None]]:
    """Who should take part now, and the Slack profiles of the group members who are new.
    Slack reads only (``DirectoryUnavailable`` when Slack cannot say)."""
    wanted = setup.sides_of(directory, snapshot.named, snapshot.groups)
    newcomers = {
        user_id: directory.get_user(user_id)
        for user_id, (_side, via_group) in wanted.items()
        if via_group is not None and user_id not in snapshot.active
    }
    return wanted, newcomers


def apply_group_members(
    session: Session,
    snapshot: GroupSnapshot,
    wanted: Wanted,
    newcomers: dict[str, SlackUser | None],
    now: datetime,
) -> GroupChange | None:
    """Members who joined a group take part from their next stand-up day (with their own prompt
    schedule in each-person's-time mode); members who left it stop being prompted. People picked
    by name are never touched."""
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
        person = setup.take_part(session, standup, row, setup.Resolved(user_id, side, user, via_group), now)
        session.flush()
        if personal:
            setup.add_personal_schedule(session, standup, person, now)
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
