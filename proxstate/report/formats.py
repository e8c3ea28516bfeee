"""The choice of format: the commands pass the format the user asked for and the data, and get text.

Change reports (show-changes, drift) come as text, JSON or Markdown; a resource's log the same, one
report per commit; plain data (the `discover-*` and `list-*` views for machines, `show`) as JSON or
YAML, and the rows of one listing as CSV (`render_csv`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from proxstate import yamlio
from proxstate.diff import ChangeSet, LogEntry
from proxstate.report.csvformat import render_csv
from proxstate.report.jsonformat import changeset_document, render_json
from proxstate.report.markdown import render_markdown
from proxstate.report.text import render_text

__all__ = ["DATA_FORMATS", "REPORT_FORMATS", "render_changes", "render_csv", "render_data", "render_log"]

REPORT_FORMATS = ("text", "json", "markdown")
DATA_FORMATS = ("yaml", "json")
LOG_FORMAT_VERSION = 1
_YELLOW, _RESET = "\x1b[33m", "\x1b[0m"


def render_changes(
    changeset: ChangeSet,
    fmt: str,
    *,
    color: bool,
    title: str | None = None,
    full: bool = False,
    verbose: bool = False,
) -> str:
    """A change report as `text` (ANSI colour when `color`), `json` or `markdown` (`title` on top).
    `full`: every field of added and removed resources; `verbose`: the text lists every resource
    that could not be read (Markdown folds the list, JSON always has it). Ends with a newline."""
    if fmt == "json":
        return render_json(changeset, full=full)
    if fmt == "markdown":
        return render_markdown(changeset, title=title, full=full)
    return render_text(changeset, color=color, full=full, verbose=verbose)


def render_log(resource_id: str, entries: Sequence[LogEntry], fmt: str, *, color: bool) -> str:
    """The history of one resource, newest first: each commit with the change it made."""
    if fmt == "json":
        document = {
            "format_version": LOG_FORMAT_VERSION,
            "resource_id": resource_id,
            "entries": [{"author": e.author, **changeset_document(_changeset(e))} for e in entries],
        }
        return json.dumps(document, indent=2, ensure_ascii=False, default=str)
    if not entries:
        return f"{resource_id}: no recorded history"
    lines: list[str] = []
    for entry in entries:
        commit = entry.commit
        if fmt == "markdown":
            title = f"{commit.short} {commit.date} {commit.subject}"
            lines.append(render_markdown(_changeset(entry), title=title).rstrip("\n"))
        else:
            head = f"commit {commit.short}  {commit.date}  {commit.subject}"
            lines.append(f"{_YELLOW}{head}{_RESET}" if color else head)
            lines.append(render_text(_changeset(entry), color=color).rstrip("\n"))
        lines.append("")
    return "\n".join(lines)


def render_data(data: Any, fmt: str) -> str:
    """Plain data as `json` (indented, UTF-8) or `yaml`; no newline at the end."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)
    return yamlio.dump(data).rstrip("\n")


def _changeset(entry: LogEntry) -> ChangeSet:
    return ChangeSet(base=entry.base, target=entry.commit, resources=(entry.change,))
