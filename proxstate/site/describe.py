"""A snapshot's change report as the site shows it: the ChangeSet of show-changes made into plain
rows of text (site/model.py), as the text report words them.

Every value goes through the reports' own one-line forms (`report/values.py`: control characters
and escape sequences written as escapes) and decoders (`report/decode.py`); a masked secret is
`(secret)` or `(secret changed)`, never its keyed hash.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from proxstate.diff import ChangeSet, ElementChange, FieldChange, ResourceChange
from proxstate.report.decode import readable_value, shown_fields
from proxstate.report.elements import element_lines, element_name, shows_elements
from proxstate.report.text import render_text
from proxstate.report.values import NOTE_MASKED, NOTE_MASKED_CHANGED, attribution_line, display
from proxstate.safetext import escape_unsafe
from proxstate.site.model import Change, Row, Snapshot
from proxstate.store import CommitInfo


def snapshot_of(info: CommitInfo, changeset: ChangeSet) -> Snapshot:
    changes = tuple(change_of(resource) for resource in changeset.resources)
    classes = Counter(change_class for change in changes for change_class in change.classes)
    return Snapshot(
        sha=info.sha,
        short=info.short,
        date=info.committed,
        subject=escape_unsafe(info.subject),
        author=escape_unsafe(info.author_name),
        classes=dict(classes),
        changes=changes,
        report=render_text(changeset, color=False),
    )


def unreadable_snapshot(info: CommitInfo, error: str) -> Snapshot:
    """A snapshot whose report cannot be made: it says why, and shows no change."""
    return Snapshot(
        sha=info.sha,
        short=info.short,
        date=info.committed,
        subject=escape_unsafe(info.subject),
        author=escape_unsafe(info.author_name),
        classes={},
        changes=(),
        report="",
        error=escape_unsafe(error),
    )


def change_of(resource: ResourceChange) -> Change:
    actors = [a.user for a in resource.attribution if a.user]
    rows: list[Row] = []
    if resource.action != "modified":
        for path, value in resource.facts:
            shown = display(readable_value(path, value))
            old, new = ("", shown) if resource.action == "added" else (shown, "")
            rows.append(Row(path=escape_unsafe(path), old=old, new=new, action=resource.action))
    for field in shown_fields(resource.fields):
        rows += _rows(field)
    return Change(
        cluster=resource.cluster,
        resource_id=resource.resource_id,
        name=escape_unsafe(resource.name or ""),
        action=resource.action,
        classes=tuple(str(change_class) for change_class in resource.classes),
        actor=escape_unsafe(actors[0]) if actors else "",
        attributions=tuple(attribution_line(a) for a in resource.attribution),
        rows=tuple(rows),
    )


def _value(value: Any) -> str:
    return "" if value is None else display(value)


def _rows(field: FieldChange) -> list[Row]:
    path = escape_unsafe(field.path)
    kind = str(field.change_class)
    if field.secret:
        note = NOTE_MASKED_CHANGED if field.action == "changed" else NOTE_MASKED
        old, new = (note if field.old is not None else "", note if field.new is not None else "")
        return [Row(path=path, old=old, new=new, action=field.action, change_class=kind)]
    if not shows_elements(field):
        return [
            Row(
                path=path,
                old=_value(field.old),
                new=_value(field.new),
                action=field.action,
                change_class=kind,
            )
        ]
    if field.elements[0].noun == "task":
        # A day's tasks: one line each, failed first, as the text report counts the many.
        return [
            Row(path=path, old="", new=line.text, action=line.action, change_class=kind)
            for line in element_lines(field)
        ]
    rows: list[Row] = []
    shifted = [e for e in field.elements if e.action == "moved" and not e.reordered]
    for element in field.elements:
        if element not in shifted:
            rows += _element_rows(path, kind, element)
    if shifted:
        # Elements that only moved with an insertion or removal: one line, as the text report says it.
        rows += [
            Row(path=path, old="", new=line.text, action="kept", change_class=kind)
            for line in element_lines(field)
            if line.action == "kept"
        ]
    return rows


def _element_rows(path: str, kind: str, element: ElementChange) -> list[Row]:
    name = f"{path} {escape_unsafe(element_name(element))}"
    label = escape_unsafe(element.label)
    if element.secret:
        note = NOTE_MASKED_CHANGED if element.action == "changed" else NOTE_MASKED
        return [
            Row(
                path=name,
                old=note if element.action != "added" else "",
                new=note if element.action != "removed" else "",
                action=element.action,
                change_class=kind,
            )
        ]
    if element.action == "added":
        return [Row(path=name, old="", new=label, action="added", change_class=kind)]
    if element.action == "removed":
        return [Row(path=name, old=label, new="", action="removed", change_class=kind)]
    if element.action == "moved":
        old = f"position {element.old_position}"
        return [
            Row(
                path=name,
                old=old,
                new=f"position {element.new_position} {label}",
                action="moved",
                change_class=kind,
            )
        ]
    return [
        Row(
            path=f"{name}: {escape_unsafe(inner)}",
            old=_value(old),
            new=_value(new),
            action="changed",
            change_class=kind,
        )
        for inner, old, new in element.changes
    ] or [Row(path=name, old="", new=label, action="changed", change_class=kind)]
