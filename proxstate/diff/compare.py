"""Compare two versions of one recorded document, field by field (deepdiff)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from deepdiff import DeepDiff

from proxstate.diff.classify import classify
from proxstate.diff.model import ChangeClass, FieldChange, ResourceChange, natural_key, ordered_classes

_MISSING = object()
_GUEST_KINDS = ("qemu", "lxc")


def compare(
    *,
    cluster: str,
    resource_id: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
) -> ResourceChange | None:
    """The change of one resource from `old` to `new` (None = absent), or None if they are equal.

    Lists (tags, content lists, boot order) count as whole values. An added or removed
    resource has no field changes: the whole document is new or gone.
    """
    if old is None and new is None:
        return None
    kind = _kind_of(resource_id, new if new is not None else old)
    if old is None or new is None:
        document = new if new is not None else old
        assert document is not None
        action: Literal["added", "removed"] = "added" if old is None else "removed"
        return ResourceChange(
            cluster=cluster,
            resource_id=resource_id,
            action=action,
            name=_name_of(kind, document),
            fields=(),
            classes=(ChangeClass(action),),
        )
    old_doc = _prepared(kind, old)
    new_doc = _prepared(kind, new)
    fields = _field_changes(kind, old_doc, new_doc)
    if not fields:
        return None
    return ResourceChange(
        cluster=cluster,
        resource_id=resource_id,
        action="modified",
        name=_name_of(kind, new) or _name_of(kind, old),
        fields=fields,
        classes=ordered_classes([change.change_class for change in fields]),
    )


def _field_changes(kind: str, old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    # By default deepdiff skips keys starting with "__" and reports a mapping with few common keys
    # as one replaced value; both would hide field changes, so both are switched off.
    tree = DeepDiff(old, new, view="tree", ignore_private_variables=False, threshold_to_diff_deeper=0)
    paths: dict[tuple[Any, ...], None] = {}
    for report_type in tree:
        for level in tree[report_type]:
            keys = _whole_value_path(old, new, level.path(output_format="list"))
            paths.setdefault(keys, None)
    changes = [_field_change(kind, old, new, keys) for keys in paths]
    return tuple(sorted(changes, key=lambda change: natural_key(change.path)))


def _field_change(kind: str, old: dict[str, Any], new: dict[str, Any], keys: tuple[Any, ...]) -> FieldChange:
    old_value = _lookup(old, keys)
    new_value = _lookup(new, keys)
    action: Literal["added", "removed", "changed"]
    if old_value is _MISSING:
        action = "added"
    elif new_value is _MISSING:
        action = "removed"
    else:
        action = "changed"
    return FieldChange(
        path=".".join(str(key) for key in keys),
        action=action,
        old=None if old_value is _MISSING else old_value,
        new=None if new_value is _MISSING else new_value,
        change_class=classify(kind=kind, keys=keys, action=action),
    )


def _whole_value_path(old: Any, new: Any, keys: Sequence[Any]) -> tuple[Any, ...]:
    """`keys` cut before the first list index, so that a list is compared as one value."""
    old_node, new_node = old, new
    for depth, key in enumerate(keys):
        if isinstance(old_node, list | tuple) or isinstance(new_node, list | tuple):
            return tuple(keys[:depth])
        old_node = _step(old_node, key)
        new_node = _step(new_node, key)
    return tuple(keys)


def _step(node: Any, key: Any) -> Any:
    if isinstance(node, Mapping) and key in node:
        return node[key]
    return _MISSING


def _lookup(document: Any, keys: Sequence[Any]) -> Any:
    node = document
    for key in keys:
        node = _step(node, key)
        if node is _MISSING:
            break
    return node


def _kind_of(resource_id: str, document: Mapping[str, Any] | None) -> str:
    kind = document.get("kind") if document is not None else None
    return kind if isinstance(kind, str) else resource_id.partition("/")[0]


def _name_of(kind: str, document: Mapping[str, Any]) -> str | None:
    """A guest's name (VM name, container hostname); other kinds are named by their id already."""
    if kind not in _GUEST_KINDS:
        return None
    config = document.get("config")
    config = config if isinstance(config, Mapping) else {}
    for candidate in (document.get("name"), config.get("name"), config.get("hostname")):
        if isinstance(candidate, str) and candidate:
            return candidate
    return None


def _prepared(kind: str, document: Mapping[str, Any]) -> dict[str, Any]:
    """A shallow copy with `memory: {current: N}` read as `memory: N` (both shapes are recorded)."""
    prepared = dict(document)
    if kind not in _GUEST_KINDS:
        return prepared
    for section in ("config", "pending"):
        values = prepared.get(section)
        if isinstance(values, Mapping) and _is_bare_current(values.get("memory")):
            prepared[section] = {**values, "memory": values["memory"]["current"]}
    return prepared


def _is_bare_current(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"current"}
