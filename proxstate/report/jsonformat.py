"""The machine-readable report: a versioned JSON document (schema: changeset.schema.json).

Format 2 adds to format 1, never changes it: each change of a collection lists its `elements`,
an added or removed resource its `facts` (and with `full` its `document`), and `unreadable_groups`
groups what could not be read by cause. The fields of format 1 are read as before (docs/json-report.md).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from proxstate.diff import (
    Attribution,
    ChangeSet,
    CommitRef,
    ElementChange,
    FieldChange,
    ResourceChange,
    Unreadable,
    is_masked,
)
from proxstate.report.unreadable import group_unreadable
from proxstate.report.values import attribution_data

FORMAT_VERSION = 2
SCHEMA_RESOURCE = "changeset.schema.json"


def render_json(changeset: ChangeSet, *, full: bool = False) -> str:
    """The changeset as JSON (format version 2); masked secrets are never included."""
    document = changeset_document(changeset, full=full)
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"


def changeset_document(changeset: ChangeSet, *, full: bool = False) -> dict[str, Any]:
    """The JSON document as plain data, before serialization."""
    added, modified, removed = changeset.counts
    return {
        "format_version": FORMAT_VERSION,
        "base": _commit(changeset.base),
        "target": _commit(changeset.target),
        "summary": {"added": added, "modified": modified, "removed": removed},
        "resources": [_resource(resource, full=full) for resource in changeset.resources],
        "unreadable": [_unreadable(entry) for entry in changeset.unreadable],
        "unreadable_groups": [
            {"cluster": group.cluster, "reason": group.reason, "resource_ids": list(group.resource_ids)}
            for group in group_unreadable(changeset.unreadable)
        ],
    }


@cache
def changeset_schema() -> dict[str, Any]:
    """The JSON Schema of the document `render_json` writes."""
    text = resources.files("proxstate.report").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _commit(commit: CommitRef | None) -> dict[str, str] | None:
    if commit is None:
        return None
    return {"sha": commit.sha, "short": commit.short, "date": commit.date, "subject": commit.subject}


def _resource(resource: ResourceChange, *, full: bool) -> dict[str, Any]:
    entry = {
        "cluster": resource.cluster,
        "resource_id": resource.resource_id,
        "action": resource.action,
        "name": resource.name,
        "classes": [str(change_class) for change_class in resource.classes],
        "attribution": [_attribution(attribution) for attribution in resource.attribution],
        "changes": [_field(field) for field in resource.fields],
    }
    if resource.action != "modified":
        entry["facts"] = [{"name": name, "value": _unmasked(value)} for name, value in resource.facts]
        if full:
            entry["document"] = _unmasked(resource.whole_document)
    return entry


def _field(field: FieldChange) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "path": field.path,
        "action": field.action,
        "class": str(field.change_class),
        "old": field.old,
        "new": field.new,
    }
    if field.secret:
        # Even a keyed hash of a secret stays out of reports: the flag says enough.
        entry.update(old=None, new=None, secret=True)
    if field.elements:
        entry["elements"] = [_element(element) for element in field.elements]
    return entry


def _element(element: ElementChange) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "action": element.action,
        "noun": element.noun,
        "key": element.key,
        "label": element.label,
        "old_position": element.old_position,
        "new_position": element.new_position,
        "reordered": element.reordered,
        "old": element.old,
        "new": element.new,
        "changes": [{"path": path, "old": old, "new": new} for path, old, new in element.changes],
    }
    if element.secret:
        # A list identified by content is keyed by its description, which would hold the secret.
        entry.update(old=None, new=None, label="", key="" if element.key == element.label else element.key)
        entry.update(changes=[], secret=True)
    return entry


def _unmasked(value: Any) -> Any:
    """`value` with every masked secret (even its keyed hash) written as null."""
    if is_masked(value) and isinstance(value, str):
        return None
    if isinstance(value, dict):
        return {key: _unmasked(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_unmasked(item) for item in value]
    return value


def _attribution(attribution: Attribution) -> dict[str, Any]:
    return attribution_data(attribution)


def _unreadable(entry: Unreadable) -> dict[str, str]:
    return {"cluster": entry.cluster, "resource_id": entry.resource_id, "reason": entry.reason}
