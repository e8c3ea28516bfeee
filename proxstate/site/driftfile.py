"""A drift report given to `proxstate site --drift-report FILE`, read back into a ChangeSet.

The file is what `proxstate drift --format json` writes (report/jsonformat.py, format 1 or 2), so
the drift page words every change as the snapshot pages do. A masked secret reaches the file as
null with `"secret": true`; it comes back here as a masked value, which the pages show as
`(secret)`, never as a value. Anything else (not JSON, another shape, a change report between two
commits) is refused with a message that says how to make the right file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from proxstate.diff import (
    Attribution,
    ChangeClass,
    ChangeSet,
    CommitRef,
    ElementChange,
    FieldChange,
    Unreadable,
)
from proxstate.diff.model import ResourceChange
from proxstate.errors import SiteError

MAX_BYTES = 512 * 1024 * 1024  # a drift of 15,000 guests, every field changed, stays far below
MASKED = "<masked>"
HOW = "make one with `proxstate drift --format json > drift.json`"


class _Shape(Exception):
    """The file is JSON but not a drift report (said where, for the message)."""


def read_drift(path: Path) -> ChangeSet:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise SiteError(f"{path} is larger than any drift report ({MAX_BYTES // 2**20} MiB)")
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SiteError(f"the drift report {path} does not exist; {HOW}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise SiteError(f"cannot read the drift report {path}: {error}") from None
    except json.JSONDecodeError as error:
        raise SiteError(f"{path} is not a drift report (not JSON: {error}); {HOW}") from None
    try:
        changeset = _changeset(document)
    except (_Shape, KeyError, TypeError, ValueError) as error:
        raise SiteError(f"{path} is not a drift report of proxstate ({error}); {HOW}") from None
    if changeset.target is not None:
        raise SiteError(
            f"{path} compares two commits (a show-changes report), not the live cluster and the record; {HOW}"
        )
    return changeset


def _changeset(document: Any) -> ChangeSet:
    if not isinstance(document, dict) or document.get("format_version") not in (1, 2):
        raise _Shape("no format_version 1 or 2")
    resources = _list(document, "resources")
    return ChangeSet(
        base=_commit(document.get("base")),
        target=_commit(document.get("target")),
        resources=tuple(_resource(_dict(entry)) for entry in resources),
        unreadable=tuple(
            Unreadable(_str(e, "cluster"), _str(e, "resource_id"), _str(e, "reason"))
            for e in map(_dict, _list(document, "unreadable"))
        ),
    )


def _resource(entry: dict[str, Any]) -> ResourceChange:
    action = _one_of(entry, "action", ("added", "removed", "modified"))
    facts = [_dict(fact) for fact in entry.get("facts") or []]
    return ResourceChange(
        cluster=_str(entry, "cluster"),
        resource_id=_str(entry, "resource_id"),
        action=action,
        name=entry.get("name") if isinstance(entry.get("name"), str) else None,
        fields=tuple(_field(_dict(change)) for change in _list(entry, "changes")),
        classes=tuple(_class(name) for name in entry.get("classes") or []),
        attribution=tuple(_attribution(_dict(a)) for a in entry.get("attribution") or []),
        facts=tuple((str(fact["name"]), fact.get("value")) for fact in facts),
    )


def _field(change: dict[str, Any]) -> FieldChange:
    action = _one_of(change, "action", ("added", "removed", "changed"))
    old, new = change.get("old"), change.get("new")
    if change.get("secret"):
        # The side that had a value held a secret: it stays masked, whatever was written there.
        old, new = (None if action == "added" else MASKED), (None if action == "removed" else MASKED)
    return FieldChange(
        path=_str(change, "path"),
        action=action,
        old=old,
        new=new,
        change_class=_class(change.get("class", "config")),
        elements=tuple(_element(_dict(e)) for e in change.get("elements") or []),
    )


def _element(element: dict[str, Any]) -> ElementChange:
    action = _one_of(element, "action", ("added", "removed", "changed", "moved"))
    old, new = element.get("old"), element.get("new")
    if element.get("secret"):
        old, new = (None if action == "added" else MASKED), (None if action == "removed" else MASKED)
    return ElementChange(
        action=action,
        noun=str(element.get("noun") or "entry"),
        key=str(element.get("key") or ""),
        label=str(element.get("label") or ""),
        old=old,
        new=new,
        old_position=element.get("old_position"),
        new_position=element.get("new_position"),
        changes=tuple(
            (str(c.get("path", "")), c.get("old"), c.get("new"))
            for c in map(_dict, element.get("changes") or [])
        ),
        reordered=bool(element.get("reordered")),
    )


def _attribution(data: dict[str, Any]) -> Attribution:
    return Attribution(
        user=str(data.get("user") or ""),
        task_type=str(data.get("task_type") or ""),
        time=str(data.get("time") or ""),
        upid=str(data.get("upid") or ""),
        source=_either(data.get("source"), ("task", "cluster-log", "none")),
        confidence=_either(data.get("confidence"), ("exact", "likely", "none")),
        message=str(data.get("message") or ""),
        entry=str(data.get("entry") or ""),
        fields=tuple(str(path) for path in data.get("fields") or []),
        label=data.get("label") if isinstance(data.get("label"), str) else None,
    )


def _either(value: Any, allowed: tuple[str, ...]) -> Any:
    """`value` when it is one of `allowed`, else "none" (what a reader makes of an unknown word)."""
    return value if value in allowed else "none"


def _commit(data: Any) -> CommitRef | None:
    if data is None:
        return None
    data = _dict(data)
    return CommitRef(_str(data, "sha"), _str(data, "short"), _str(data, "date"), _str(data, "subject"))


def _class(name: Any) -> ChangeClass:
    # A class a newer proxstate added reads as `config` rather than failing the page.
    try:
        return ChangeClass(name)
    except ValueError:
        return ChangeClass.CONFIG


def _dict(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Shape(f"an object was expected, not {type(value).__name__}")
    return value


def _list(document: dict[str, Any], key: str) -> list[Any]:
    value = document.get(key, [])
    if not isinstance(value, list):
        raise _Shape(f"{key} is not a list")
    return value


def _one_of(document: dict[str, Any], key: str, allowed: tuple[str, ...]) -> Any:
    value = document[key]
    if value not in allowed:
        raise _Shape(f"{key} is {value!r}, not one of {', '.join(allowed)}")
    return value


def _str(document: dict[str, Any], key: str) -> str:
    value = document[key]
    if not isinstance(value, str):
        raise _Shape(f"{key} is not text")
    return value
