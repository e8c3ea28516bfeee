"""The terminal report: grouped by cluster and resource, with optional ANSI colour."""

from __future__ import annotations

from itertools import groupby

from proxstate.diff import ChangeSet, FieldChange, ResourceChange
from proxstate.report.values import (
    NOTE_MASKED,
    NOTE_MASKED_CHANGED,
    attribution_line,
    commit_label,
    counts_line,
    display,
    shorten,
)
from proxstate.safetext import escape_unsafe

VALUE_LIMIT = 60
ATTRIBUTION_LIMIT = 3
_GREEN, _RED, _YELLOW, _DIM, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[2m", "\x1b[0m"
_SYMBOLS = {"added": "+", "removed": "-", "modified": "~", "changed": "~"}
_COLOURS = {"added": _GREEN, "removed": _RED, "modified": _YELLOW, "changed": _YELLOW}


def render_text(changeset: ChangeSet, *, color: bool) -> str:
    """The changeset for a terminal; ANSI colour only when `color` is true. Ends with a newline."""
    lines: list[str] = []
    if changeset.is_empty:
        lines.append("No changes.")
    else:
        lines.extend(_header(changeset))
        for cluster, resources in groupby(changeset.resources, key=lambda resource: resource.cluster):
            lines.append("")
            lines.append(escape_unsafe(cluster))
            for resource in resources:
                lines.extend(_resource_lines(resource, color=color))
    if changeset.unreadable:
        lines.append("")
        lines.append("Could not be read, drift unknown:")
        for entry in changeset.unreadable:
            where = f"{escape_unsafe(entry.cluster)} {escape_unsafe(entry.resource_id)}"
            lines.append(f"  ? {where}: {escape_unsafe(entry.reason)}")
    return "\n".join(lines) + "\n"


def _header(changeset: ChangeSet) -> list[str]:
    counts = counts_line(*changeset.counts)
    if changeset.target is None:
        title = f"Drift against the live cluster: {counts}"
        return [title, f"  recorded  {commit_label(changeset.base, live='(nothing recorded)')}"]
    return [
        f"Changes: {counts}",
        f"  from  {commit_label(changeset.base, live='(nothing recorded)')}",
        f"  to    {commit_label(changeset.target, live='the live cluster')}",
    ]


def _resource_lines(resource: ResourceChange, *, color: bool) -> list[str]:
    label = escape_unsafe(resource.resource_id)
    if resource.name:
        label += f" {escape_unsafe(resource.name)}"
    classes = ", ".join(resource.classes)
    lines = [_paint(resource.action, f"  {_SYMBOLS[resource.action]} {label}  [{classes}]", color=color)]
    lines.extend(
        _paint(field.action, f"      {_field_text(field)}", color=color) for field in resource.fields
    )
    shown = resource.attribution[:ATTRIBUTION_LIMIT]
    notes = [attribution_line(attribution) for attribution in shown]
    if len(resource.attribution) > len(shown):
        notes.append(f"... and {len(resource.attribution) - len(shown)} more tasks")
    lines.extend(_paint("note", f"      {note}", color=color) for note in notes)
    return lines


def _field_text(field: FieldChange) -> str:
    path = escape_unsafe(field.path)
    symbol = _SYMBOLS[field.action]
    if field.secret:
        return f"{symbol} {path}: {NOTE_MASKED_CHANGED if field.action == 'changed' else NOTE_MASKED}"
    if field.action == "changed":
        return f"{symbol} {path}: {_short(field.old)} -> {_short(field.new)}"
    value = field.new if field.action == "added" else field.old
    # A removed field, or an added mapping (a snapshot, a disk), is named, not dumped.
    if field.action == "removed" or isinstance(value, dict):
        return f"{symbol} {path}"
    return f"{symbol} {path}: {_short(value)}"


def _short(value: object) -> str:
    return shorten(display(value), VALUE_LIMIT)


def _paint(action: str, text: str, *, color: bool) -> str:
    if not color:
        return text
    return f"{_COLOURS.get(action, _DIM)}{text}{_RESET}"
