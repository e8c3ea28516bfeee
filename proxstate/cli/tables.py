"""Rows for the discovery and listing commands, and their rendering as table, JSON or YAML."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from rich.table import Table

from proxstate import yamlio

Row = dict[str, Any]


def when(epoch: Any) -> str:
    if not isinstance(epoch, int | float) or isinstance(epoch, bool):
        return ""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def gib(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool) or not value:
        return ""
    return f"{value / 1024**3:.1f} GiB"


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(cell(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={cell(v)}" for k, v in value.items())
    return str(value)


def table(title: str, columns: Sequence[str], rows: Sequence[Row]) -> Table:
    """A rich table of the given columns (row keys); empty cells for missing values."""
    out = Table(title=title, title_justify="left", header_style="bold", expand=False)
    for column in columns:
        out.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        out.add_row(*(cell(row.get(column)) for column in columns))
    return out


def machine(data: Any, fmt: str) -> str:
    """JSON (indented, UTF-8) or YAML text of plain data."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)
    return yamlio.dump(data).rstrip("\n")
