"""Finding a retro's rows, always scoped by team, and the checks every retro service shares.

Ids come from Slack payloads (``action.value``, ``private_metadata``): they are looked up with the
team they came from, never alone (docs/ARCHITECTURE.md, "Tenancy").
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.retro.data import ActionView, IsAdmin, NotAllowed, RetroError, RetroNotFound
from bot.retro.ids import ActionStatus, RetroStatus
from bot.retro.models import Retro, RetroActionItem, RetroItem, RetroSeries
from bot.slack.text import name_key, plain, truncate


def get_series(session: Session, team_id: str, series_id: int) -> RetroSeries:
    series = session.scalar(select(RetroSeries).where(RetroSeries.team_id == team_id, RetroSeries.id == series_id))
    if series is None:
        raise RetroNotFound()
    return series


def get_retro(session: Session, team_id: str, retro_id: int) -> Retro:
    retro = session.scalar(select(Retro).where(Retro.team_id == team_id, Retro.id == retro_id))
    if retro is None:
        raise RetroNotFound()
    return retro


def get_action_item(session: Session, team_id: str, action_id: int) -> RetroActionItem:
    action = session.scalar(
        select(RetroActionItem).where(RetroActionItem.team_id == team_id, RetroActionItem.id == action_id)
    )
    if action is None:
        raise RetroError("I couldn't find that action item. It may have been deleted.")
    return action


def items_of(session: Session, retro: Retro) -> list[RetroItem]:
    return list(
        session.scalars(
            select(RetroItem)
            .where(RetroItem.team_id == retro.team_id, RetroItem.retro_id == retro.id)
            .order_by(RetroItem.id)
        )
    )


def previous_retro(session: Session, retro: Retro) -> Retro | None:
    return session.scalar(
        select(Retro)
        .where(Retro.team_id == retro.team_id, Retro.series_id == retro.series_id, Retro.number < retro.number)
        .order_by(Retro.number.desc())
        .limit(1)
    )


def open_run(session: Session, series: RetroSeries) -> Retro | None:
    """The series' run still collecting items, if any (the latest, should there be two)."""
    return session.scalar(
        select(Retro)
        .where(Retro.team_id == series.team_id, Retro.series_id == series.id, Retro.status == RetroStatus.OPEN)
        .order_by(Retro.number.desc())
        .limit(1)
    )


def active_series_named(session: Session, team_id: str, title: str) -> RetroSeries | None:
    """The active series whose title matches ``title`` by ``name_key``; the oldest if rows from
    before the key clash."""
    return session.scalar(
        select(RetroSeries)
        .where(
            RetroSeries.team_id == team_id,
            RetroSeries.archived.is_(False),
            RetroSeries.title_key == name_key(title),
        )
        .order_by(RetroSeries.id)
        .limit(1)
    )


def require_facilitator(series: RetroSeries, user_id: str, is_admin: IsAdmin, what: str) -> None:
    if user_id != series.facilitator_id and not is_admin():
        raise NotAllowed(f"Only the facilitator (<@{series.facilitator_id}>) or a workspace admin can {what}.")


def plain_title(title: str) -> str:
    """A title echoed back from a command, short and harmless (no mentions, no formatting)."""
    return plain(truncate(title.strip(), 80))


def action_view_of(action: RetroActionItem, title: str = "") -> ActionView:
    return ActionView(action.id, action.text, action.owner_id, action.due_on, ActionStatus(action.status), title)
