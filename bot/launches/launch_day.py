"""Launch day: at 09:00 on each phase's date in the launch's zone (``launches.launch_day``), the
phase is marked shipped, exactly once: a conditional ``UPDATE .. WHERE shipped_at IS NULL`` and
only the process whose update changed the row goes on (two replicas ticking at once ship it
once). The launch message says so, and a short reply in its thread; after the last phase the
launch's status is ``shipped``. No DM, no @channel.

A phase with a standing no-go does not ship on its date: the leads said it would not go, and
the date is theirs to move (the message keeps showing the no-go).

Services only: no views, no Slack client.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.launches import dates_outbox, outbox
from bot.launches.ids import Decision, LaunchStatus
from bot.launches.lookups import get_launch, get_phase
from bot.launches.models import LaunchPhase


def ship_phase(session: Session, *, team_id: str, phase_id: int, day: date, now: datetime) -> bool:
    """Mark the phase shipped if ``day`` (the timer's date in the launch's zone) is still its date.
    True when this call shipped it."""
    phase = get_phase(session, team_id, phase_id)
    if phase is None or phase.shipped_at is not None or phase.launch_on != day:
        return False
    if phase.decision == Decision.NO_GO:
        return False
    launch = get_launch(session, team_id, phase.launch_id)
    if launch is None or launch.status != LaunchStatus.PLANNED:
        return False
    changed = session.execute(
        update(LaunchPhase)
        .where(LaunchPhase.team_id == team_id, LaunchPhase.id == phase.id, LaunchPhase.shipped_at.is_(None))
        .values(shipped_at=now)
        .returning(LaunchPhase.id)
        .execution_options(synchronize_session=False)
    ).first()
    if changed is None:  # another replica shipped it first
        return False
    session.refresh(phase)
    session.refresh(launch, ["phases"])
    last = all(p.shipped_at is not None for p in launch.phases)
    if last:
        launch.status = LaunchStatus.SHIPPED.value
    launch.updated_at = now
    session.flush()
    outbox.update_launch_message(session, launch, now)
    dates_outbox.tell_shipped(session, launch, phase, last=last, now=now)
    return True
