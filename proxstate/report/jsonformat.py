"""The machine-readable report: a versioned JSON document (schema: changeset.schema.json)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from proxstate.diff import Attribution, ChangeSet, CommitRef, FieldChange, ResourceChange, Unreadable

FORMAT_VERSION = 1
SCHEMA_RESOURCE = "changeset.schema.json"


def render_json(changeset: ChangeSet) -> str:
    """The changeset as JSON (format version 1); masked secrets are never included."""
    return json.dumps(changeset_document(changeset), indent=2, ensure_ascii=False, default=str) + "\n"


def changeset_document(changeset: ChangeSet) -> dict[str, Any]:
    """The JSON document as plain data, before serialization."""
    added, modified, removed = changeset.counts
    return {
        "format_version": FORMAT_VERSION,
        "base": _commit(changeset.base),
        "target": _commit(changeset.target),
        "summary": {"added": added, "modified": modified, "removed": removed},
        "resources": [_resource(resource) for resource in changeset.resources],
        "unreadable": [_unreadable(entry) for entry in changeset.unreadable],
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


def _resource(resource: ResourceChange) -> dict[str, Any]:
    return {
        "cluster": resource.cluster,
        "resource_id": resource.resource_id,
        "action": resource.action,
        "name": resource.name,
        "classes": [str(change_class) for change_class in resource.classes],
        "attribution": [_attribution(attribution) for attribution in resource.attribution],
        "changes": [_field(field) for field in resource.fields],
    }


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
    return entry


def _attribution(attribution: Attribution) -> dict[str, str]:
    return {
        "user": attribution.user,
        "task_type": attribution.task_type,
        "time": attribution.time,
        "upid": attribution.upid,
    }


def _unreadable(entry: Unreadable) -> dict[str, str]:
    return {"cluster": entry.cluster, "resource_id": entry.resource_id, "reason": entry.reason}
