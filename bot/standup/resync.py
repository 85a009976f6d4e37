"""Re-reading every stand-up's user groups (``tandem refresh``, every 6 h in ``tandem run``).

Like a job, this module opens the units of work and builds the Slack ``Directory``; the service
(``groups.py``) does the rest.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from bot.services import Services
from bot.slack.clients import WorkspaceNotInstalled
from bot.standup import groups
from bot.standup.data import DirectoryUnavailable, GroupChange
from bot.standup.directory import SlackDirectory

log = logging.getLogger(__name__)


def resync_usergroups(services: Services, now: datetime, *, team_id: str | None = None) -> list[GroupChange]:
    """Bring every stand-up that has user groups in line with the groups' members in Slack.

    Slack is read outside any transaction (usergroups.users.list per group, users.info per
    newcomer); a group that cannot be read changes nothing for its stand-up.
    """
    with services.db.unit_of_work() as session:
        snapshots = groups.snapshot_groups(session, team_id)
    changes = []
    for snapshot in snapshots:
        try:
            directory = SlackDirectory(services.slack.for_team(snapshot.team_id), snapshot.team_id)
            wanted, newcomers = groups.read_members(directory, snapshot)
        except (DirectoryUnavailable, WorkspaceNotInstalled) as error:
            log.warning("stand-up %s: user groups not re-read: %s", snapshot.standup_id, type(error).__name__)
            continue
        try:
            with services.db.unit_of_work() as session:
                change = groups.apply_group_members(session, snapshot, wanted, newcomers, now)
        except IntegrityError:
            # Another replica added the same person at the same moment: theirs stands.
            log.info("stand-up %s: user groups re-synced by another process meanwhile", snapshot.standup_id)
            continue
        if change is not None and (change.added or change.removed):
            log.info("stand-up %s: %d joined and %d left through user groups", change.standup_id,
                     len(change.added), len(change.removed))  # fmt: skip
            changes.append(change)
    return changes
