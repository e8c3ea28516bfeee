"""Compare two versions of one recorded document, field by field (deepdiff)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from proxstate.diff.classify import classify, is_security
from proxstate.diff.collections import DEFAULT, Collection, collection_of
from proxstate.diff.elements import list_elements, mapping_element
from proxstate.diff.facts import facts_of
from proxstate.diff.model import (
    ChangeClass,
    ElementChange,
    FieldChange,
    ResourceChange,
    natural_key,
    ordered_classes,
)
from proxstate.errors import DepthError
from proxstate.limits import MAX_DOCUMENT_DEPTH, too_deep
from proxstate.resources.kinds import GUEST_KINDS, kind_of

_MISSING = object()
_LEAF_TYPES = frozenset({str, int, float, bool, type(None)})
_SPLIT_DEPTH = 2  # top-level fields, then config keys: where documents are wide


def compare(
    *,
    cluster: str,
    resource_id: str,
    old: Mapping[str, Any] | None,
    new: Mapping[str, Any] | None,
    encoded: bytes | None = None,
) -> ResourceChange | None:
    """The change of one resource from `old` to `new` (None = absent), or None if they are equal.

    A list is one field whose elements say what changed in it (`elements.py`); a collection
    recorded as a mapping (IP-set entries, tasks, volumes) has one field per changed element. An
    added or removed resource has no field changes: the whole document is new or gone, told by its
    facts (`facts.py`) and its document; given `encoded` (the document's recorded bytes), the change
    holds those instead of the mapping (ResourceChange.whole_document decodes them).
    """
    if old is None and new is None:
        return None
    kind = _kind_of(resource_id, new if new is not None else old)
    if old is None or new is None:
        document = new if new is not None else old
        assert document is not None
        action: Literal["added", "removed"] = "added" if old is None else "removed"
        classes = [ChangeClass(action)] + ([ChangeClass.SECURITY] if is_security(resource_id) else [])
        return ResourceChange(
            cluster=cluster,
            resource_id=resource_id,
            action=action,
            name=_name_of(kind, document),
            fields=(),
            classes=ordered_classes(classes),
            facts=facts_of(kind, resource_id, document),
            document=document if encoded is None else None,
            encoded=encoded,
        )
    if too_deep(old) or too_deep(new):
        # Comparing recurses once per level (or more): a bound, not a RecursionError.
        raise DepthError(
            f"cannot compare the documents of {resource_id}: "
            f"they nest deeper than {MAX_DOCUMENT_DEPTH} levels"
        )
    old_doc = _prepared(kind, old)
    new_doc = _prepared(kind, new)
    fields = _said_once(_field_changes(kind, resource_id, old_doc, new_doc))
    if not fields:
        return None
    classes = [change.change_class for change in fields]
    return ResourceChange(
        cluster=cluster,
        resource_id=resource_id,
        action="modified",
        name=_name_of(kind, new) or _name_of(kind, old),
        fields=fields,
        classes=ordered_classes(classes + ([ChangeClass.SECURITY] if is_security(resource_id) else [])),
    )


# Fields a document of format 1 held twice (top level and config); format 2 records them once.
_MIRRORED = ("name", "tags", "template")


def _said_once(fields: tuple[FieldChange, ...]) -> tuple[FieldChange, ...]:
    """The changes without a top-level `tags` (`name`, `template`) that repeats `config.tags`."""
    by_path = {change.path: change for change in fields}
    repeated = set()
    for key in _MIRRORED:
        top, inner = by_path.get(key), by_path.get(f"config.{key}")
        if top is not None and inner is not None and (top.old, top.new) == (inner.old, inner.new):
            repeated.add(key)
    return tuple(change for change in fields if change.path not in repeated)


def _field_changes(
    kind: str, resource_id: str, old: dict[str, Any], new: dict[str, Any]
) -> tuple[FieldChange, ...]:
    paths: dict[tuple[Any, ...], None] = {}
    for prefix, old_part, new_part in _differing_parts(old, new, (), depth=_SPLIT_DEPTH):
        if not (isinstance(old_part, Mapping) and isinstance(new_part, Mapping)):
            whole = new_part if old_part is _MISSING else old_part
            one_side = old_part is _MISSING or new_part is _MISSING
            if len(prefix) == 1 and isinstance(whole, Mapping) and one_side:
                # A section that appears or goes (pending, snapshots, ha): name its entries, so that
                # the report says `+ pending.memory`, not just `+ pending`.
                for key in whole:
                    paths.setdefault((*prefix, key), None)
                continue
            # Added, removed, a scalar or a list: the whole value is the change, deepdiff has nothing to add.
            paths.setdefault(_whole_value_path(old, new, prefix), None)
            continue
        # By default deepdiff skips keys starting with "__" and reports a mapping with few common keys
        # as one replaced value; both would hide field changes, so both are switched off.
        from deepdiff import DeepDiff  # costs 0.15 s to import: only when two mappings differ

        tree = DeepDiff(
            old_part, new_part, view="tree", ignore_private_variables=False, threshold_to_diff_deeper=0
        )
        for report_type in tree:
            for level in tree[report_type]:
                keys = _whole_value_path(old, new, (*prefix, *level.path(output_format="list")))
                paths.setdefault(keys, None)
    changes: list[FieldChange] = []
    grouped: dict[tuple[Any, ...], tuple[Collection, list[tuple[Any, ...]]]] = {}
    for keys in paths:
        element = _element_of(resource_id, old, new, keys)
        if element is None:
            changes.append(_field_change(kind, resource_id, old, new, keys))
        else:
            collection, element_keys = element
            grouped.setdefault(element_keys, (collection, []))[1].append(keys)
    for element_keys, (collection, inner) in grouped.items():
        changes.append(
            _element_change(kind, resource_id, (old, new), element_keys, collection=collection, inner=inner)
        )
    return tuple(sorted(changes, key=lambda change: natural_key(change.path)))


def _element_of(
    resource_id: str, old: Any, new: Any, keys: tuple[Any, ...]
) -> tuple[Collection, tuple[Any, ...]] | None:
    """The collection recorded as a mapping that `keys` lead into, and the keys of its element."""
    for depth in range(1, len(keys)):
        prefix = keys[:depth]
        collection = collection_of(resource_id, ".".join(str(key) for key in prefix))
        if collection is not None and (
            isinstance(_lookup(old, prefix), Mapping) or isinstance(_lookup(new, prefix), Mapping)
        ):
            return collection, keys[: depth + 1]
    return None


def _element_change(
    kind: str,
    resource_id: str,
    sides: tuple[dict[str, Any], dict[str, Any]],
    keys: tuple[Any, ...],
    *,
    collection: Collection,
    inner: list[tuple[Any, ...]],
) -> FieldChange:
    """One element of a mapping collection as one field change, classed by its most telling field."""
    old, new = sides
    whole = _field_change(kind, resource_id, old, new, keys)
    classes = [classify(kind=kind, keys=path, action=_action(old, new, path)) for path in inner]
    element = mapping_element(collection, str(keys[-1]), whole.old, whole.new)
    return FieldChange(
        path=whole.path,
        action=whole.action,
        old=whole.old,
        new=whole.new,
        change_class=ordered_classes(classes)[0],
        elements=(element,),
    )


def _differing_parts(old: Any, new: Any, prefix: tuple[Any, ...], *, depth: int) -> Iterator[tuple[Any, ...]]:
    """(path, old part, new part) for the parts of two mappings that differ, `depth` levels down.

    Most fields of a document are unchanged; handing deepdiff only the parts that differ keeps
    its per-call cost off the unchanged ones. A key on one side only comes with _MISSING.
    """
    if depth == 0 or not (isinstance(old, Mapping) and isinstance(new, Mapping)):
        yield prefix, old, new
        return
    for key in [*old, *(key for key in new if key not in old)]:
        old_part, new_part = old.get(key, _MISSING), new.get(key, _MISSING)
        if old_part is _MISSING or new_part is _MISSING:
            yield (*prefix, key), old_part, new_part
        elif not _same(old_part, new_part):
            yield from _differing_parts(old_part, new_part, (*prefix, key), depth=depth - 1)


def _same(old: Any, new: Any) -> bool:
    """Equality that also tells `1` from `True` and `1.0` (== does not; a type change is a change)."""
    kind = type(old)
    if kind is type(new) and kind in _LEAF_TYPES:
        return bool(old == new)  # the hot path: two leaves of one type
    if old is new:  # a part versions share (yamlio.Versions; never one holding a NaN)
        return True
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        return old.keys() == new.keys() and all(_same(old[key], new[key]) for key in old)
    if isinstance(old, list | tuple) and isinstance(new, list | tuple):
        return len(old) == len(new) and all(map(_same, old, new))
    return False


def _field_change(
    kind: str, resource_id: str, old: dict[str, Any], new: dict[str, Any], keys: tuple[Any, ...]
) -> FieldChange:
    old_value = _lookup(old, keys)
    new_value = _lookup(new, keys)
    action = _action(old, new, keys)
    path = ".".join(str(key) for key in keys)
    return FieldChange(
        path=path,
        action=action,
        old=None if old_value is _MISSING else old_value,
        new=None if new_value is _MISSING else new_value,
        change_class=classify(kind=kind, keys=keys, action=action),
        elements=_list_elements(resource_id, path, old_value, new_value),
    )


def _action(old: Any, new: Any, keys: Sequence[Any]) -> Literal["added", "removed", "changed"]:
    if _lookup(old, keys) is _MISSING:
        return "added"
    return "removed" if _lookup(new, keys) is _MISSING else "changed"


def _list_elements(resource_id: str, path: str, old: Any, new: Any) -> tuple[ElementChange, ...]:
    """The element changes of a list field (absent on one side: an empty list there)."""
    old_list = [] if old is _MISSING else old
    new_list = [] if new is _MISSING else new
    if not (isinstance(old_list, list | tuple) and isinstance(new_list, list | tuple)):
        return ()
    return list_elements(collection_of(resource_id, path) or DEFAULT, old_list, new_list)


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
    return kind if isinstance(kind, str) else kind_of(resource_id)


def _name_of(kind: str, document: Mapping[str, Any]) -> str | None:
    """A guest's name (VM name, container hostname); other kinds are named by their id already."""
    if kind not in GUEST_KINDS:
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
    if kind not in GUEST_KINDS:
        return prepared
    for section in ("config", "pending"):
        values = prepared.get(section)
        if isinstance(values, Mapping) and _is_bare_current(values.get("memory")):
            prepared[section] = {**values, "memory": values["memory"]["current"]}
    return prepared


def _is_bare_current(value: Any) -> bool:
    return isinstance(value, Mapping) and set(value) == {"current"}
