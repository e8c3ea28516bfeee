"""Rows for the discovery and listing commands, and their rendering as a table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from rich.table import Table
from rich.text import Text

from proxstate.safetext import escape_unsafe

Row = dict[str, Any]


def when(epoch: Any) -> str:
    if not isinstance(epoch, int | float) or isinstance(epoch, bool):
        return ""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%d %H:%M:%S")


def gib(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool) or not value:
        return ""
    return f"{value / 1024**3:.1f} GiB"


_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def human_bytes(value: Any) -> str:
    """`1.2 TiB`: binary units, as PVE's web interface shows sizes."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ""
    size, unit = float(value), 0
    while abs(size) >= 1024 and unit < len(_UNITS) - 1:
        size, unit = size / 1024, unit + 1
    return f"{int(size)} B" if unit == 0 else f"{size:.1f} {_UNITS[unit]}"


def cell(value: Any) -> str:
    """The text of a table cell: control characters and escape sequences written as escapes."""
    return escape_unsafe(_plain(value))


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(_plain(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    return str(value)


def table(title: str, columns: Sequence[str], rows: Sequence[Row]) -> Table:
    """A rich table of the given columns (row keys); empty cells for missing values."""
    # Text, not strings: rich would read `[red]` in a guest name as its markup.
    out = Table(title=Text(escape_unsafe(title)), title_justify="left", header_style="bold", expand=False)
    for column in columns:
        out.add_column(column.replace("_", " "), overflow="fold")
    for row in rows:
        out.add_row(*(Text(cell(row.get(column))) for column in columns))
    return out
