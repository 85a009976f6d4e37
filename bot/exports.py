"""Writing an export (``tandem export insights|goals``) as CSV or JSON, one way for every ritual.

Records stream in; nothing is held in memory but the record being written. CSV has a header row
and CRLF line ends (RFC 4180); JSON is one array with a record per line.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Literal, TextIO

ExportFormat = Literal["csv", "json"]


def write_records(
    out: TextIO,
    fmt: ExportFormat,
    fields: Sequence[str],
    records: Iterable[dict[str, Any]],
    to_csv_row: Callable[[dict[str, Any]], list[str]],
) -> int:
    """Write ``records`` to ``out`` (opened with ``newline=""`` for CSV); returns how many."""
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(fields)
        for record in records:
            writer.writerow(to_csv_row(record))
            count += 1
        return count
    out.write("[")
    for record in records:
        out.write(",\n  " if count else "\n  ")
        out.write(json.dumps(record, ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
