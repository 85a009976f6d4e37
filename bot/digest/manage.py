"""Setting up and managing weekly digests: the setup modal's starting values, save (with its
``digest.post`` schedule), ``/digest list``, and pause, resume, delete by their owner or an admin."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, time

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.digest.data import (
    DEFAULT_TIME,
    DEFAULT_WEEKDAY,
    DigestError,
    DigestLine,
    DigestSettings,
    NotAllowed,
    SetupForm,
    sections_of,
)
from bot.digest.ids import ALL_SECTIONS, JobKind
from bot.digest.models import Digest, DigestRun
from bot.scheduling.cadence import Cadence, InvalidCadence, zone
from bot.scheduling.service import (
    create_schedule,
    delete_schedules_for,
    schedules_for,
    set_paused_for,
    update_schedule,
)
from bot.slack.channels import Confirmation, settle_confirmation
from bot.slack.text import escape, truncate
from bot.workspaces import Workspace


def default_settings(channel_id: str, timezone: str) -> DigestSettings:
    return DigestSettings(channel_id, DEFAULT_WEEKDAY, DEFAULT_TIME, timezone, ALL_SECTIONS)


def default_timezone(workspace_tz: str | None, user_tz: str | None) -> str:
    """The workspace's zone, else the person setting it up. ``Workspace.timezone`` defaults to
    "UTC" when nobody chose one, so "UTC" there counts as unset."""
    for candidate in (workspace_tz, user_tz):
        if candidate and candidate != "UTC":
            try:
                zone(candidate)
            except InvalidCadence:
                continue
            return candidate
    return "UTC"


def get_digest(session: Session, team_id: str, digest_id: int) -> Digest | None:
    return session.scalar(select(Digest).where(Digest.team_id == team_id, Digest.id == digest_id))


def digest_for_channel(session: Session, team_id: str, channel_id: str) -> Digest | None:
    return session.scalar(select(Digest).where(Digest.team_id == team_id, Digest.channel_id == channel_id))


def list_digests(session: Session, team_id: str) -> list[Digest]:
    return list(session.scalars(select(Digest).where(Digest.team_id == team_id).order_by(Digest.id)))


def can_manage(digest: Digest | None, user_id: str, is_admin: bool) -> bool:
    return is_admin or digest is None or digest.owner_id == user_id


def settings_of(digest: Digest) -> DigestSettings:
    return DigestSettings(
        digest.channel_id,
        digest.weekday,
        digest.local_time,
        digest.timezone,
        sections_of(digest.sections),
        external_ok=bool(digest.external_confirmed_by),
    )


def save_digest(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    is_admin: bool,
    settings: DigestSettings,
    now: datetime,
    digest_id: int | None = None,
) -> tuple[Digest, bool]:
    """Create or edit a digest and its ``digest.post`` schedule; returns (digest, created).

    A channel has at most one digest: setting one up again for the same channel edits it.
    """
    digest = get_digest(session, team_id, digest_id) if digest_id else None
    if digest is None:
        digest = digest_for_channel(session, team_id, settings.channel_id)
    elif digest.channel_id != settings.channel_id:
        other = digest_for_channel(session, team_id, settings.channel_id)
        if other is not None:
            raise DigestError(f"<#{settings.channel_id}> already has a digest. Edit that one instead.")
    if digest is not None and not can_manage(digest, user_id, is_admin):
        raise NotAllowed("Only the person who set up this digest or a workspace admin can change it.")
    created = digest is None
    if digest is None:
        digest = Digest(team_id=team_id, owner_id=user_id, paused=False, created_at=now)
        session.add(digest)
    confirmation = settle_confirmation(
        external=settings.channel_external,
        ticked=settings.external_ok,
        previous=Confirmation(digest.external_confirmed_by, digest.external_confirmed_at),
        channel_changed=created or digest.channel_id != settings.channel_id,
        user_id=user_id,
        now=now,
    )
    digest.external_confirmed_by, digest.external_confirmed_at = confirmation.by, confirmation.at
    digest.channel_id = settings.channel_id
    digest.weekday = settings.weekday
    digest.local_time = settings.local_time
    digest.timezone = settings.timezone
    digest.sections = [s.value for s in settings.sections]
    digest.updated_at = now
    session.flush()
    cadence = Cadence.weekly(settings.weekday)
    at = time.fromisoformat(settings.local_time)
    existing = schedules_for(session, team_id, JobKind.POST, digest.id)
    if existing:
        update_schedule(session, existing[0], now=now, cadence=cadence, local_time=at, timezone=settings.timezone)
    else:
        create_schedule(
            session, team_id=team_id, kind=JobKind.POST, ref_id=digest.id, cadence=cadence,
            local_time=at, timezone=settings.timezone, now=now,
        )  # fmt: skip
    return digest, created


def setup_form(
    session: Session, *, team_id: str, channel_id: str, user_tz: str | None, digest_id: int = 0
) -> SetupForm:
    """What the setup modal starts with: the digest being edited (by id, else this channel's), or
    the defaults — Monday 09:00 in the workspace's zone (the person's own if it has none)."""
    digest = get_digest(session, team_id, digest_id) if digest_id else None
    digest = digest or (digest_for_channel(session, team_id, channel_id) if channel_id else None)
    if digest is not None:
        return SetupForm(settings_of(digest), digest.id)
    workspace_tz = session.scalar(select(Workspace.timezone).where(Workspace.team_id == team_id))
    return SetupForm(default_settings(channel_id, default_timezone(workspace_tz, user_tz)), 0)


_CHANNEL_REF = re.compile(r"^<#([A-Z0-9]+)(?:\|[^>]*)?>$")


def digest_lines(session: Session, team_id: str) -> list[DigestLine]:
    lines = []
    for digest in list_digests(session, team_id):
        upcoming = [s.next_run_at for s in schedules_for(session, team_id, JobKind.POST, digest.id) if s.next_run_at]
        lines.append(
            DigestLine(
                digest_id=digest.id,
                channel_id=digest.channel_id,
                weekday=digest.weekday,
                local_time=digest.local_time,
                timezone=digest.timezone,
                owner_id=digest.owner_id,
                paused=digest.paused,
                next_run_at=None if digest.paused or not upcoming else min(upcoming),
            )
        )
    return lines


def find_digest(
    session: Session, *, team_id: str, argument: str, channel_id: str, name_of: Callable[[str], str | None]
) -> Digest:
    """The digest a command is about: the current channel's, or the one named by ``argument``
    (``<#C123|name>``, ``<#C123>``, ``#name`` or ``name``). ``name_of`` looks up a channel's
    name; it is only asked about channels that have a digest."""
    wanted = argument.strip()
    if not wanted:
        digest = digest_for_channel(session, team_id, channel_id) if channel_id else None
        if digest is None:
            raise DigestError(
                "This channel has no weekly digest. Name one, like `/digest pause #product-marketing`, "
                "or see `/digest list`."
            )
        return digest
    if match := _CHANNEL_REF.match(wanted):
        digest = digest_for_channel(session, team_id, match.group(1))
        if digest is None:
            raise DigestError(f"<#{match.group(1)}> has no weekly digest. `/digest list` shows the ones set up.")
        return digest
    name = wanted.lstrip("#").lower()
    for digest in list_digests(session, team_id):
        if (name_of(digest.channel_id) or "").lower() == name:
            return digest
    shown = escape(truncate(name, 80))
    raise DigestError(f"No weekly digest posts to #{shown}. `/digest list` shows the ones set up.")


def _require_manager(digest: Digest, user_id: str, is_admin: Callable[[], bool], verb: str) -> None:
    if digest.owner_id != user_id and not is_admin():
        raise NotAllowed(
            f"Only the person who set up this digest (<@{digest.owner_id}>) or a workspace admin can {verb} it."
        )


def set_digest_paused(
    session: Session, digest: Digest, *, user_id: str, is_admin: Callable[[], bool], paused: bool, now: datetime
) -> DigestLine:
    """Pause (no posts until resumed) or resume (from the next digest day; no catch-up)."""
    _require_manager(digest, user_id, is_admin, "pause" if paused else "resume")
    if digest.paused == paused:
        state = "already paused" if paused else "not paused"
        raise DigestError(f"The weekly digest for <#{digest.channel_id}> is {state}.")
    digest.paused = paused
    digest.updated_at = now
    set_paused_for(session, digest.team_id, JobKind.POST, digest.id, paused, now)
    session.flush()
    return next(line for line in digest_lines(session, digest.team_id) if line.digest_id == digest.id)


def delete_digest(session: Session, digest: Digest, *, user_id: str, is_admin: Callable[[], bool]) -> tuple[str, int]:
    """Stop the digest and forget its settings; the record of digests already sent is kept.
    Returns (channel id, digests sent)."""
    _require_manager(digest, user_id, is_admin, "delete")
    team_id, channel_id = digest.team_id, digest.channel_id
    delete_schedules_for(session, team_id, JobKind.POST, digest.id)
    runs = DigestRun.team_id == team_id, DigestRun.digest_id == digest.id
    sent = session.scalar(select(func.count()).select_from(DigestRun).where(*runs))
    session.execute(update(DigestRun).where(*runs).values(digest_id=None).execution_options(synchronize_session=False))
    session.delete(digest)
    session.flush()
    return channel_id, int(sent or 0)
