"""The terminal report: grouped by cluster and resource, with optional ANSI colour.

Nothing is cut off: a long value wraps onto the lines below it. A collection (firewall rules,
IP-set entries, tasks) shows its elements one a line (`report/elements.py`); an added or removed
resource its key facts, or with `full` every field of its document.
"""

from __future__ import annotations

import textwrap
from itertools import groupby
from typing import Any

from proxstate.diff import ChangeSet, FieldChange, ResourceChange
from proxstate.report.decode import readable_value, shown_fields
from proxstate.report.elements import element_lines, listed_under_path, shows_elements
from proxstate.report.unreadable import group_line, group_unreadable
from proxstate.report.values import (
    NOTE_MASKED,
    NOTE_MASKED_CHANGED,
    attribution_line,
    commit_label,
    counts_line,
    display,
    leaves,
)
from proxstate.safetext import escape_unsafe

WIDTH = 100  # where a long line wraps
ATTRIBUTION_LIMIT = 3
_GREEN, _RED, _YELLOW, _DIM, _RESET = "\x1b[32m", "\x1b[31m", "\x1b[33m", "\x1b[2m", "\x1b[0m"
_SYMBOLS = {"added": "+", "removed": "-", "modified": "~", "changed": "~"}
_COLOURS = {"added": _GREEN, "removed": _RED, "failed": _RED, "modified": _YELLOW, "changed": _YELLOW}
_FIELD, _ELEMENT = " " * 6, " " * 10


def render_text(changeset: ChangeSet, *, color: bool, full: bool = False, verbose: bool = False) -> str:
    """The changeset for a terminal; ANSI colour only when `color` is true. Ends with a newline.

    `full`: every field of an added or removed resource; `verbose`: every resource that could not
    be read, not one line per cause."""
    lines: list[str] = []
    if changeset.is_empty:
        lines.append("No changes.")
    else:
        lines.extend(_header(changeset))
        for cluster, resources in groupby(changeset.resources, key=lambda resource: resource.cluster):
            lines.append("")
            lines.append(escape_unsafe(cluster))
            for resource in resources:
                lines.extend(_resource_lines(resource, color=color, full=full))
    if changeset.unreadable:
        lines.append("")
        lines.append("Could not be read, drift unknown:")
        for group in group_unreadable(changeset.unreadable):
            lines.extend(_wrapped(f"  ? {escape_unsafe(group_line(group))}"))
            if verbose and len(group.resource_ids) > 1:
                lines.extend(f"      {escape_unsafe(rid)}" for rid in group.resource_ids)
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


def _resource_lines(resource: ResourceChange, *, color: bool, full: bool) -> list[str]:
    label = escape_unsafe(resource.resource_id)
    if resource.name:
        label += f" {escape_unsafe(resource.name)}"
    classes = ", ".join(resource.classes)
    lines = [_paint(resource.action, f"  {_SYMBOLS[resource.action]} {label}  [{classes}]", color=color)]
    if resource.action != "modified":
        lines.extend(_paint("note", line, color=color) for line in _what_it_is(resource, full=full))
    for field in shown_fields(resource.fields):
        for action, line in _field_lines(field, full=full):
            lines.append(_paint(action, line, color=color))
    shown = resource.attribution[:ATTRIBUTION_LIMIT]
    notes = [attribution_line(attribution) for attribution in shown]
    if len(resource.attribution) > len(shown):
        notes.append(f"... and {len(resource.attribution) - len(shown)} more tasks")
    lines.extend(_paint("note", f"{_FIELD}{note}", color=color) for note in notes)
    return lines


def _what_it_is(resource: ResourceChange, *, full: bool) -> list[str]:
    """The facts of an added or removed resource (with `full`, its every field), one a line."""
    whole = resource.whole_document if full else None  # decoded once, and only for --full
    pairs: list[tuple[str, Any]] = leaves(whole) if whole is not None else list(resource.facts)
    lines: list[str] = []
    for path, value in pairs:
        shown = readable_value(path, value)
        values = shown if isinstance(shown, list) and path.endswith("sshkeys") else [shown]
        for item in values:
            lines.extend(_wrapped(f"{_FIELD}{escape_unsafe(path)}: {display(item)}"))
    return lines


def _field_lines(field: FieldChange, *, full: bool) -> list[tuple[str, str]]:
    if not shows_elements(field):
        return [(field.action, line) for line in _wrapped(f"{_FIELD}{_field_text(field)}")]
    out: list[tuple[str, str]] = []
    indent = _FIELD
    if listed_under_path(field):
        # A list of its own (not a declared collection): under its path, as terraform nests them.
        out.append((field.action, f"{_FIELD}{_SYMBOLS[field.action]} {escape_unsafe(field.path)}:"))
        indent = _ELEMENT
    for line in element_lines(field, full=full):
        action = line.action if line.action in _COLOURS else "note"
        out.extend(
            (action, text) for text in _wrapped(f"{indent}{'    ' * line.depth}{line.symbol} {line.text}")
        )
    return out


def _field_text(field: FieldChange) -> str:
    path = escape_unsafe(field.path)
    symbol = _SYMBOLS[field.action]
    if field.secret:
        return f"{symbol} {path}: {NOTE_MASKED_CHANGED if field.action == 'changed' else NOTE_MASKED}"
    if field.action == "changed":
        return f"{symbol} {path}: {display(field.old)} -> {display(field.new)}"
    value = field.new if field.action == "added" else field.old
    if field.action == "removed":
        return f"{symbol} {path} (was {display(value)})"
    return f"{symbol} {path}: {display(value)}"


def _wrapped(line: str) -> list[str]:
    """`line` wrapped at WIDTH, continued under its text (never cut: the reviewer needs it whole)."""
    if len(line) <= WIDTH:
        return [line]
    body = line.lstrip(" ")
    indent = " " * (len(line) - len(body) + 4)
    return textwrap.wrap(
        line, width=WIDTH, subsequent_indent=indent, break_long_words=True, break_on_hyphens=False
    ) or [line]


def _paint(action: str, text: str, *, color: bool) -> str:
    if not color:
        return text
    return f"{_COLOURS.get(action, _DIM)}{text}{_RESET}"
