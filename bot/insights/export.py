"""``tandem export insights``: every field of every insight, as RFC 4180 CSV or JSON, UTF-8.

CSV uses the csv module (quoting, embedded newlines and CRLF line ends per RFC 4180); nested
values (tags, +1s, status history) are JSON in their cell, so reading the CSV back gives every
field exactly. The JSON export has the same keys with native lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any, TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.exports import ExportFormat, write_records
from bot.insights.models import Insight, InsightStatusChange

FIELDS: tuple[str, ...] = (
    "team_id",
    "number",
    "id",
    "text",
    "customer",
    "segment",
    "source",
    "category",
    "impact",
    "evidence_url",
    "tags",
    "status",
    "status_note",
    "roadmap_url",
    "submitted_by",
    "source_channel_id",
    "source_message_ts",
    "source_thread_ts",
    "source_author_id",
    "source_permalink",
    "channel_id",
    "message_ts",
    "plus_one_count",
    "plus_ones",
    "status_history",
    "created_at",
    "updated_at",
)
NESTED = frozenset({"tags", "plus_ones", "status_history"})


def _instant(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def insight_records(session: Session, team_id: str | None = None) -> Iterator[dict[str, Any]]:
    """One dict per insight (all workspaces unless ``team_id``), oldest first, every field."""
    query = select(Insight).options(selectinload(Insight.tags), selectinload(Insight.votes))
    if team_id:
        query = query.where(Insight.team_id == team_id)
    insights = list(session.scalars(query.order_by(Insight.team_id, Insight.number)))
    history: dict[int, list[dict[str, str]]] = {}
    changes = select(InsightStatusChange).order_by(InsightStatusChange.id)
    if team_id:
        changes = changes.where(InsightStatusChange.team_id == team_id)
    for change in session.scalars(changes):
        history.setdefault(change.insight_id, []).append(
            {
                "from": change.from_status,
                "to": change.to_status,
                "note": change.note,
                "roadmap_url": change.roadmap_url,
                "by": change.changed_by,
                "at": _instant(change.changed_at),
            }
        )
    for insight in insights:
        yield {
            "team_id": insight.team_id,
            "number": insight.number,
            "id": insight.id,
            "text": insight.text,
            "customer": insight.customer,
            "segment": insight.segment,
            "source": insight.source or "",
            "category": insight.category or "",
            "impact": insight.impact or "",
            "evidence_url": insight.evidence_url,
            "tags": insight.tag_names,
            "status": insight.status,
            "status_note": insight.status_note,
            "roadmap_url": insight.roadmap_url,
            "submitted_by": insight.submitted_by,
            "source_channel_id": insight.source_channel_id,
            "source_message_ts": insight.source_message_ts,
            "source_thread_ts": insight.source_thread_ts,
            "source_author_id": insight.source_author_id,
            "source_permalink": insight.source_permalink,
            "channel_id": insight.channel_id,
            "message_ts": insight.message_ts or "",
            "plus_one_count": len(insight.votes),
            "plus_ones": [
                {"user": v.user_id, "customer": v.customer, "note": v.note, "at": _instant(v.created_at)}
                for v in insight.votes
            ],
            "status_history": history.get(insight.id, []),
            "created_at": _instant(insight.created_at),
            "updated_at": _instant(insight.updated_at),
        }


def to_csv_row(record: dict[str, Any]) -> list[str]:
    return [json.dumps(record[name], ensure_ascii=False) if name in NESTED else str(record[name]) for name in FIELDS]


def from_csv_row(row: dict[str, str]) -> dict[str, Any]:
    """The inverse of ``to_csv_row`` (for round-trip checks and re-imports)."""
    record: dict[str, Any] = {}
    for name in FIELDS:
        value = row[name]
        if name in NESTED:
            record[name] = json.loads(value)
        elif name in ("number", "id", "plus_one_count"):
            record[name] = int(value)
        else:
            record[name] = value
    return record


def write_export(session: Session, out: TextIO, fmt: ExportFormat, team_id: str | None = None) -> int:
    """Write the export to ``out`` (opened with ``newline=""`` for CSV); returns the row count."""
    return write_records(out, fmt, FIELDS, insight_records(session, team_id), to_csv_row)
