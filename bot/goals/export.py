"""``tandem export goals``: every goal with its yardstick, owners, every value and every check-in,
as RFC 4180 CSV or JSON, UTF-8 (the same conventions as ``bot.insights.export``).

One record per goal. CSV cells hold the nested lists (owners, values, check-ins) as JSON, so
reading the CSV back gives every field exactly; the JSON export has the same keys with native
lists. Secrets never leave: neither the push token's hash nor the pull source's bearer token is
exported (only whether a push token exists). ``team_id`` limits the export to one workspace.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, time
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.exports import ExportFormat, write_records
from bot.goals.models import Goal, GoalCheckin, GoalValue

FIELDS: tuple[str, ...] = (
    "team_id",
    "id",
    "title",
    "why",
    "kind",
    "metric_name",
    "unit",
    "unit_label",
    "direction",
    "baseline",
    "target",
    "due_on",
    "range_low",
    "range_high",
    "visibility_only",
    "status",
    "channel_id",
    "message_ts",
    "cadence",
    "weekday",
    "local_time",
    "starts_on",
    "stale_since",
    "has_push_token",
    "pull_url",
    "pull_pointer",
    "outcome",
    "learning",
    "closed_by",
    "closed_at",
    "created_by",
    "created_at",
    "updated_at",
    "owners",
    "values",
    "checkins",
)
NESTED = frozenset({"owners", "values", "checkins"})
NUMBERS = frozenset({"baseline", "target", "range_low", "range_high"})
INTEGERS = frozenset({"id", "weekday"})
BOOLEANS = frozenset({"visibility_only", "has_push_token"})


def _instant(value: datetime | None) -> str:
    return value.isoformat().replace("+00:00", "Z") if value is not None else ""


def _day(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def _clock(value: time) -> str:
    return value.strftime("%H:%M")


def goal_records(session: Session, team_id: str | None = None) -> Iterator[dict[str, Any]]:
    """One dict per goal (all workspaces unless ``team_id``), oldest first, every field."""
    query = select(Goal).options(selectinload(Goal.owners))
    values_query = select(GoalValue).order_by(GoalValue.goal_id, GoalValue.measured_at, GoalValue.id)
    checkins_query = select(GoalCheckin).order_by(GoalCheckin.goal_id, GoalCheckin.created_at, GoalCheckin.id)
    if team_id:
        query = query.where(Goal.team_id == team_id)
        values_query = values_query.where(GoalValue.team_id == team_id)
        checkins_query = checkins_query.where(GoalCheckin.team_id == team_id)
    goals = list(session.scalars(query.order_by(Goal.team_id, Goal.id)))
    values: dict[int, list[dict[str, Any]]] = {}
    for value in session.scalars(values_query):
        values.setdefault(value.goal_id, []).append(
            {
                "value": value.value,
                "measured_at": _instant(value.measured_at),
                "source": value.source,
                "note": value.note,
                "recorded_by": value.recorded_by,
                "created_at": _instant(value.created_at),
            }
        )
    checkins: dict[int, list[dict[str, Any]]] = {}
    for checkin in session.scalars(checkins_query):
        checkins.setdefault(checkin.goal_id, []).append(
            {
                "value": checkin.value,
                "previous_value": checkin.previous_value,
                "confidence": checkin.confidence,
                "note": checkin.note,
                "user": checkin.user_id,
                "at": _instant(checkin.created_at),
            }
        )
    for goal in goals:
        yield {
            "team_id": goal.team_id,
            "id": goal.id,
            "title": goal.title,
            "why": goal.why,
            "kind": goal.kind,
            "metric_name": goal.metric_name,
            "unit": goal.unit,
            "unit_label": goal.unit_label,
            "direction": goal.direction,
            "baseline": goal.baseline,
            "target": goal.target,
            "due_on": _day(goal.due_on),
            "range_low": goal.range_low,
            "range_high": goal.range_high,
            "visibility_only": goal.visibility_only,
            "status": goal.status,
            "channel_id": goal.channel_id,
            "message_ts": goal.message_ts or "",
            "cadence": goal.cadence,
            "weekday": goal.weekday,
            "local_time": _clock(goal.local_time),
            "starts_on": _day(goal.starts_on),
            "stale_since": _instant(goal.stale_since),
            "has_push_token": goal.push_token_hash is not None,
            "pull_url": goal.pull_url,
            "pull_pointer": goal.pull_pointer,
            "outcome": goal.outcome or "",
            "learning": goal.learning,
            "closed_by": goal.closed_by or "",
            "closed_at": _instant(goal.closed_at),
            "created_by": goal.created_by,
            "created_at": _instant(goal.created_at),
            "updated_at": _instant(goal.updated_at),
            "owners": [{"user": o.user_id, "side": o.side} for o in goal.owners],
            "values": values.get(goal.id, []),
            "checkins": checkins.get(goal.id, []),
        }


def _cell(name: str, value: Any) -> str:
    if name in NESTED:
        return json.dumps(value, ensure_ascii=False)
    if name in BOOLEANS:
        return "true" if value else "false"
    if value is None:
        return ""
    return repr(value) if isinstance(value, float) else str(value)


def to_csv_row(record: dict[str, Any]) -> list[str]:
    return [_cell(name, record[name]) for name in FIELDS]


def from_csv_row(row: dict[str, str]) -> dict[str, Any]:
    """The inverse of ``to_csv_row`` (for round-trip checks and re-imports)."""
    record: dict[str, Any] = {}
    for name in FIELDS:
        value = row[name]
        if name in NESTED:
            record[name] = json.loads(value)
        elif name in NUMBERS:
            record[name] = float(value) if value else None
        elif name in INTEGERS:
            record[name] = int(value)
        elif name in BOOLEANS:
            record[name] = value == "true"
        else:
            record[name] = value
    return record


def write_export(session: Session, out: TextIO, fmt: ExportFormat, team_id: str | None = None) -> int:
    """Write the export to ``out`` (opened with ``newline=""`` for CSV); returns the goal count."""
    return write_records(out, fmt, FIELDS, goal_records(session, team_id), to_csv_row)
