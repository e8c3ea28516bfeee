"""Rows for the discovery and listing commands, and their rendering as a table.

On a terminal a table is drawn by rich, each row on one line: a cell too wide for the screen is cut
with an ellipsis, never broken inside a word. Anywhere else (a pipe, a file, a CI log) it is plain
columns that never wrap, like kubectl's and pvesh's: an upper-case header, then one line per row,
columns two spaces apart, `-` for an empty cell, a list as `a,b`; so
`proxstate list-vms | grep -c running` counts the running guests.
"""

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


def table(title: str, columns: Sequence[str], rows: Sequence[Row], *, width: int | None = None) -> Table:
    """A rich table of the given columns (row keys); empty cells for missing values. Given the
    screen's `width`, the widest columns give way first: a long name or tag list is cut, a status is
    not."""
    # Text, not strings: rich would read `[red]` in a guest name as its markup.
    out = Table(title=Text(escape_unsafe(title)), title_justify="left", header_style="bold", expand=False)
    headers = [column.replace("_", " ") for column in columns]
    texts = [[cell(row.get(column)) for column in columns] for row in rows]
    cells = [max((len(row_texts[index]) for row_texts in texts), default=0) for index in range(len(columns))]
    widths = fitted_widths([len(header) for header in headers], cells, width)
    for header, column_width in zip(headers, widths, strict=True):
        out.add_column(header, width=column_width, no_wrap=True, overflow="ellipsis")
    for row_texts in texts:
        out.add_row(*(Text(text) for text in row_texts))
    return out


def fitted_widths(headers: list[int], cells: list[int], width: int | None) -> list[int]:
    """Column widths whose table (rich's box: 3 characters a column, 1 more) fits `width`. Headers
    wider than their column's cells are cut first (`templa…` over `yes`), then one character at a
    time off the widest column, down to 1."""
    widths = [max(header, content) for header, content in zip(headers, cells, strict=True)]
    if width is None or not widths:
        return widths
    budget = width - 3 * len(widths) - 1
    while sum(widths) > budget:
        spare = max(range(len(widths)), key=lambda index: widths[index] - max(cells[index], 1))
        if widths[spare] > max(cells[spare], 1):
            widths[spare] -= 1
            continue
        widest = max(range(len(widths)), key=lambda index: widths[index])
        if widths[widest] <= 1:
            break
        widths[widest] -= 1
    return widths


def _plain_cell(value: Any) -> str:
    """A list without spaces (`prod,web`), so that awk's fields stay the table's columns."""
    if isinstance(value, list):
        return ",".join(cell(item) for item in value)
    return cell(value)


def plain_table(columns: Sequence[str], rows: Sequence[Row], *, bold: bool = False) -> str:
    """Columns padded to their widest cell, two spaces apart, one line per row; no newline at the end.
    A cell's line breaks are written as `\\n` (escape_unsafe), so a row stays one line."""
    header = [column.upper() for column in columns]
    body = [[_plain_cell(row.get(column)) or "-" for column in columns] for row in rows]
    widths = [max(len(text) for text in texts) for texts in zip(header, *body, strict=True)]

    def line(texts: Sequence[str]) -> str:
        return "  ".join(text.ljust(width) for text, width in zip(texts, widths, strict=True)).rstrip()

    first = line(header)
    return "\n".join([f"\x1b[1m{first}\x1b[0m" if bold else first, *(line(texts) for texts in body)])
