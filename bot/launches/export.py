"""``tandem export launches``: every checklist item of every launch with its dates and state, as
RFC 4180 CSV or JSON, UTF-8 (the same conventions as ``bot.goals.export``).

One record per item, flat: the launch's fields (name, kind, status, leads, channel, launch date,
retro series), the item's phase (name, date, decision, shipped) and the item itself (side, owner,
T-offset, due date, status, blocked reason, late, done/dropped by and when). A launch's every
phase and item is there; ``team_id`` limits the export to one workspace.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.exports import ExportFormat, write_records
from bot.launches.data import t_label
from bot.launches.models import Launch, LaunchItem

FIELDS: tuple[str, ...] = (
    "team_id",
    "launch_id",
    "launch_name",
    "launch_kind",
    "launch_status",
    "launch_on",
    "product_lead",
    "marketing_lead",
    "channel_id",
    "timezone",
    "retro_series_id",
    "phase",
    "phase_on",
    "phase_decision",
    "phase_shipped_at",
    "item_id",
    "title",
    "kind",
    "side",
    "owner",
    "offset",
    "t",
    "due_on",
    "status",
    "blocked_reason",
    "was_late",
    "done_by",
    "done_at",
    "dropped_by",
    "dropped_at",
    "created_at",
    "updated_at",
)
INTEGERS = frozenset({"launch_id", "item_id", "offset"})
BOOLEANS = frozenset({"was_late"})


def _instant(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value is not None else ""


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def item_record(launch: Launch, item: LaunchItem) -> dict[str, Any]:
    phase = item.phase
    return {
        "team_id": launch.team_id,
        "launch_id": launch.id,
        "launch_name": launch.name,
        "launch_kind": launch.kind,
        "launch_status": launch.status,
        "launch_on": _day(launch.launch_on),
        "product_lead": launch.product_lead,
        "marketing_lead": launch.marketing_lead,
        "channel_id": launch.channel_id,
        "timezone": launch.timezone,
        "retro_series_id": launch.retro_series_id,
        "phase": phase.name,
        "phase_on": _day(phase.launch_on),
        "phase_decision": phase.decision or "",
        "phase_shipped_at": _instant(phase.shipped_at),
        "item_id": item.id,
        "title": item.title,
        "kind": item.kind,
        "side": item.side,
        "owner": item.owner_id,
        "offset": item.offset_days,
        "t": t_label(item.offset_days),
        "due_on": _day(item.due_on),
        "status": item.status,
        "blocked_reason": item.blocked_reason,
        "was_late": item.was_late,
        "done_by": item.done_by or "",
        "done_at": _instant(item.done_at),
        "dropped_by": item.dropped_by or "",
        "dropped_at": _instant(item.dropped_at),
        "created_at": _instant(item.created_at),
        "updated_at": _instant(item.updated_at),
    }


def launch_records(session: Session, team_id: str | None = None) -> Iterator[dict[str, Any]]:
    """One dict per item (all workspaces unless ``team_id``): launches oldest first, items by date."""
    query = select(Launch).options(
        selectinload(Launch.phases), selectinload(Launch.items).selectinload(LaunchItem.phase)
    )
    if team_id:
        query = query.where(Launch.team_id == team_id)
    for launch in session.scalars(query.order_by(Launch.team_id, Launch.id)):
        for item in sorted(launch.items, key=lambda i: (i.due_on, i.id)):
            yield item_record(launch, item)


def _cell(name: str, value: Any) -> str:
    if name in BOOLEANS:
        return "true" if value else "false"
    return "" if value is None else str(value)


def to_csv_row(record: dict[str, Any]) -> list[str]:
    return [_cell(name, record[name]) for name in FIELDS]


def from_csv_row(row: dict[str, str]) -> dict[str, Any]:
    """The inverse of ``to_csv_row`` (for round-trip checks and re-imports)."""
    record: dict[str, Any] = {}
    for name in FIELDS:
        value = row[name]
        if name in INTEGERS:
            record[name] = int(value)
        elif name in BOOLEANS:
            record[name] = value == "true"
        elif name == "retro_series_id":
            record[name] = int(value) if value else None
        else:
            record[name] = value
    return record


def write_export(session: Session, out: TextIO, fmt: ExportFormat, team_id: str | None = None) -> int:
    """Write the export to ``out`` (opened with ``newline=""`` for CSV); returns the item count."""
    return write_records(out, fmt, FIELDS, launch_records(session, team_id), to_csv_row)
