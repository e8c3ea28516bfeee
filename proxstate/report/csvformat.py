"""Rows as CSV (RFC 4180, the standard library's writer) for spreadsheets and scripts.

One header line of column names, then one record per row. A value that is not a scalar is written
as one field: a list joined with `;` (as PVE joins tags), a mapping as `key=value,...`. Control
characters are written as escapes, as in every other report, so a field never steers a terminal.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from proxstate.safetext import escape_unsafe


def field(value: Any) -> str:
    """The text of one CSV field: `true`/`false` for booleans, as JSON writes them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ";".join(field(item) for item in value)
    if isinstance(value, Mapping):
        return ",".join(f"{key}={field(item)}" for key, item in value.items())
    return escape_unsafe(str(value))


def render_csv(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> str:
    """The header and the rows; no newline at the end."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([field(row.get(column)) for column in columns])
    return out.getvalue().rstrip("\n")
