"""The workspace's insights settings, who may triage, and ``/insight setup``.

Every function takes the caller's session and only flushes; Slack is read only through the
``Directory`` passed in.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db import insert_ignore
from bot.insights import outbox
from bot.insights.data import Directory, Errors, NotAllowedToSetUp, NotTriager, SetupChoice, SetupState
from bot.insights.ids import Block, LoopTarget
from bot.insights.models import Insight, InsightSettings
from bot.slack.channel_access import ChannelAccess, access_problem

# Insights name customers: never in a channel shared with another organisation (no box overrides it).
REFUSE_EXTERNAL = "insights name customers"


def get_settings(session: Session, team_id: str, now: datetime) -> InsightSettings:
    settings = session.get(InsightSettings, team_id)
    if settings is None:
        # Race-free: two first captures at once both "create" the row; one insert wins.
        insert_ignore(
            session,
            InsightSettings,
            {
                "team_id": team_id,
                "channel_id": None,
                "triager_user_ids": [],
                "triager_usergroup_id": None,
                "notify_submitter": True,
                "notify_plus_ones": True,
                "notify_thread": True,
                "last_number": 0,
                "updated_by": "",
                "updated_at": now,
            },
            ["team_id"],
        )
        settings = session.get_one(InsightSettings, team_id)
    return settings


def next_insight_number(session: Session, team_id: str, now: datetime) -> int:
    """Hand out the next "#n" for a workspace: one atomic UPDATE ... RETURNING, so two captures at
    once (several threads or replicas) always get different numbers."""
    get_settings(session, team_id, now)
    return session.execute(
        update(InsightSettings)
        .where(InsightSettings.team_id == team_id)
        .values(last_number=InsightSettings.last_number + 1)
        .returning(InsightSettings.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def loop_targets(settings: InsightSettings) -> list[LoopTarget]:
    chosen = {
        LoopTarget.SUBMITTER: settings.notify_submitter,
        LoopTarget.PLUS_ONES: settings.notify_plus_ones,
        LoopTarget.THREAD: settings.notify_thread,
    }
    return [target for target, on in chosen.items() if on]


def triagers_label(settings: InsightSettings) -> str:
    if settings.triager_usergroup_id or settings.triager_user_ids:
        parts = [f"<!subteam^{settings.triager_usergroup_id}>"] if settings.triager_usergroup_id else []
        parts += [f"<@{user}>" for user in settings.triager_user_ids[:10]]
        return " and ".join([", ".join(parts[:-1]), parts[-1]]) if len(parts) > 1 else parts[0]
    return "workspace admins"


def is_triager(settings: InsightSettings, user_id: str, *, is_admin: bool, group_members: Collection[str]) -> bool:
    """Configured triagers (a user list and/or a user group); workspace admins when none is set."""
    configured = bool(settings.triager_user_ids or settings.triager_usergroup_id)
    if not configured:
        return is_admin
    return user_id in settings.triager_user_ids or user_id in group_members


def check_triager(session: Session, directory: Directory, team_id: str, user_id: str, now: datetime) -> InsightSettings:
    """Raise NotTriager unless ``user_id`` may triage; returns the workspace's settings."""
    settings = get_settings(session, team_id, now)
    members: list[str] = []
    if settings.triager_usergroup_id and user_id not in settings.triager_user_ids:
        members = directory.group_members(settings.triager_usergroup_id)
    is_admin = False
    if not (settings.triager_user_ids or settings.triager_usergroup_id):
        is_admin = directory.is_admin(user_id)
    if not is_triager(settings, user_id, is_admin=is_admin, group_members=members):
        raise NotTriager(triagers_label(settings))
    return settings


def check_can_set_up(session: Session, directory: Directory, team_id: str, user_id: str, now: datetime) -> None:
    """Workspace admins, and the triagers once configured, may change the setup."""
    if directory.is_admin(user_id):
        return
    settings = get_settings(session, team_id, now)
    if not (settings.triager_user_ids or settings.triager_usergroup_id):
        raise NotAllowedToSetUp()
    try:
        check_triager(session, directory, team_id, user_id, now)
    except NotTriager:
        raise NotAllowedToSetUp() from None


def validate_setup_channel(channel_id: str, access: ChannelAccess | None) -> Errors:
    """The insights channel must be one Tandem can post in, and internal: insights name customers.
    ``access``: what ``bot.slack.channel_access.read_access`` said of it (None: nothing picked)."""
    if not channel_id or access is None:
        return {Block.CHANNEL: "Pick the channel where insights should be posted."}
    problem = access_problem(access, external_ok=False, refuse_external=REFUSE_EXTERNAL)
    return {Block.CHANNEL: problem} if problem else {}


def setup_state(session: Session, directory: Directory, team_id: str, user_id: str, now: datetime) -> SetupState:
    """What ``/insight setup`` shows (admins and triagers). Raises NotAllowedToSetUp."""
    check_can_set_up(session, directory, team_id, user_id, now)
    settings = get_settings(session, team_id, now)
    return SetupState(
        channel_id=settings.channel_id,
        triager_user_ids=list(settings.triager_user_ids),
        triager_usergroup_id=settings.triager_usergroup_id,
        loop=loop_targets(settings),
        usergroups=directory.usergroups(),
    )


def save_setup(
    session: Session,
    directory: Directory,
    team_id: str,
    user_id: str,
    choice: SetupChoice,
    access: ChannelAccess | None,
    now: datetime,
) -> Errors:
    """Save ``/insight setup`` (admins and triagers). ``access``: what Slack said of the chosen
    channel (``bot.slack.channel_access.read_access``). Returns modal errors; raises NotAllowedToSetUp."""
    check_can_set_up(session, directory, team_id, user_id, now)
    if errors := validate_setup_channel(choice.channel_id, access):
        return errors
    settings = get_settings(session, team_id, now)
    settings.channel_id = choice.channel_id or None
    settings.triager_user_ids = sorted(set(choice.triager_user_ids))
    settings.triager_usergroup_id = choice.triager_usergroup_id or None
    settings.notify_submitter = LoopTarget.SUBMITTER in choice.loop
    settings.notify_plus_ones = LoopTarget.PLUS_ONES in choice.loop
    settings.notify_thread = LoopTarget.THREAD in choice.loop
    settings.updated_by = user_id
    settings.updated_at = now
    session.flush()
    # Insights captured before there was a channel are posted now: nothing captured is left behind.
    if settings.channel_id:
        waiting = session.scalars(
            select(Insight).where(Insight.team_id == team_id, Insight.channel_id == "").order_by(Insight.id)
        )
        for insight in waiting:
            outbox.post_to_channel(session, insight, settings, now)
    return {}
