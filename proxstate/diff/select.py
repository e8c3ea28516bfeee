"""The part of a change set a reviewer asked for: `--class network,security`, `--kind qemu,lxc`.

A resource is kept when one of its classes is asked for (`security` is a class of the whole
resource, so it keeps every field of it); of a modified resource only the fields of the classes
asked for are kept. `--kind` keeps the resources of those kinds, and what could not be read of them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from proxstate.diff.model import ChangeClass, ChangeSet, ResourceChange, ordered_classes
from proxstate.errors import ProxstateError
from proxstate.resources.kinds import TASK, TASKS, kind_of


class UnknownClassError(ProxstateError):
    """A class name that no change has."""


def parse_classes(values: Iterable[str]) -> frozenset[ChangeClass]:
    """Class names, comma-separated or not (`network,security`), as ChangeClass members."""
    known = {str(change_class): change_class for change_class in ChangeClass}
    classes = set()
    for value in values:
        for raw in value.split(","):
            name = raw.strip().lower()
            if not name:
                continue
            if name not in known:
                raise UnknownClassError(f"unknown class {raw.strip()!r}; known classes: {', '.join(known)}")
            classes.add(known[name])
    return frozenset(classes)


def select(
    changeset: ChangeSet,
    *,
    classes: frozenset[ChangeClass] | None = None,
    kinds: frozenset[str] | None = None,
) -> ChangeSet:
    """The changes of `classes` in resources of `kinds` (None: all of them)."""
    resources = [
        kept
        for resource in changeset.resources
        if kinds is None or _kind(resource.resource_id) in kinds
        if (kept := _of_classes(resource, classes)) is not None
    ]
    unreadable = [
        entry
        for entry in changeset.unreadable
        if kinds is None or entry.resource_id == "*" or _kind(entry.resource_id) in kinds
    ]
    return dataclasses.replace(changeset, resources=tuple(resources), unreadable=tuple(unreadable))


def _of_classes(resource: ResourceChange, classes: frozenset[ChangeClass] | None) -> ResourceChange | None:
    if classes is None:
        return resource
    if not classes & set(resource.classes):
        return None
    if ChangeClass.SECURITY in classes & set(resource.classes) or not resource.fields:
        return resource
    fields = tuple(field for field in resource.fields if field.change_class in classes)
    if not fields:
        return None
    kept = [field.change_class for field in fields] + [
        c for c in resource.classes if c is ChangeClass.SECURITY
    ]
    return dataclasses.replace(resource, fields=fields, classes=ordered_classes(kept))


def _kind(resource_id: str) -> str:
    kind = kind_of(resource_id)
    return TASKS if kind == TASK else kind
