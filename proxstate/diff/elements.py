"""Element-by-element changes of a collection: which rules, entries or items were added, removed,
changed or moved (the rules of what identifies an element are in `collections.py`).

A list is matched in three steps: elements with the same identity pair up in order (for a list
identified by content, equal elements); what is left of a list identified by content pairs up by
likeness (a rule whose comment was edited is one changed rule, not one removed and one added); the
rest was added or removed. In an ordered list a pair whose position changed moved; it was
`reordered` when it moved against the others (not one of the longest run that kept its order),
not merely shifted by an insertion or removal before it.
"""

from __future__ import annotations

import json
from bisect import bisect_left
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

from proxstate.diff.collections import Collection, describe, title
from proxstate.diff.model import ElementChange

_LIKENESS = 0.5  # share of fields two list elements must have in common to be one changed element
# Pairing by likeness compares every unpaired old element with every unpaired new one: past this
# many comparisons (a list replaced wholesale), what is left is added and removed.
_MAX_COMPARISONS = 40_000
_ORDER = {"removed": 0, "changed": 1, "moved": 1, "added": 2}


def mapping_element(collection: Collection, key: str, old: Any, new: Any) -> ElementChange:
    """The change of the element `key` of a collection recorded as a mapping (None: absent)."""
    action: Literal["added", "removed", "changed"]
    action = "added" if old is None else "removed" if new is None else "changed"
    return ElementChange(
        action=action,
        noun=collection.noun,
        key=key,
        label=describe(collection, new if new is not None else old),
        title=title(collection, key),
        old=old,
        new=new,
        changes=inner_changes(old, new) if action == "changed" else (),
    )


def list_elements(
    collection: Collection, old: Sequence[Any], new: Sequence[Any]
) -> tuple[ElementChange, ...]:
    """What changed between two lists, element by element, in the order of the new list."""
    pairs = _pair_by_identity(collection, old, new)
    if not collection.identity:
        _pair_by_likeness(old, new, pairs)
    paired_new = set(pairs.values())
    kept = _longest_ordered_run(pairs) if collection.ordered else set(pairs)
    changes: list[ElementChange] = []
    for index, element in enumerate(old):
        if index not in pairs:
            changes.append(
                _element(collection, "removed", old=element, new=None, old_index=index, new_index=None)
            )
    for old_index, new_index in pairs.items():
        before, after = old[old_index], new[new_index]
        equal = _canonical(before) == _canonical(after)
        moved = collection.ordered and old_index != new_index
        if equal and not moved:
            continue
        action: Literal["changed", "moved"] = "moved" if equal else "changed"
        change = _element(collection, action, old=before, new=after, old_index=old_index, new_index=new_index)
        if collection.ordered and old_index not in kept:
            change = replace(change, reordered=True)
        changes.append(change)
    for index, element in enumerate(new):
        if index not in paired_new:
            changes.append(
                _element(collection, "added", old=None, new=element, old_index=None, new_index=index)
            )
    if collection.ordered:
        return tuple(sorted(changes, key=_position_key))
    return tuple(sorted(changes, key=lambda change: (change.key, _ORDER[change.action])))


def inner_changes(old: Any, new: Any) -> tuple[tuple[str, Any, Any], ...]:
    """The differing leaves of two element values, as (dotted path, old, new)."""
    before, after = dict(_leaves(old)), dict(_leaves(new))
    paths = [*before, *(path for path in after if path not in before)]
    return tuple(
        (path, before.get(path), after.get(path))
        for path in paths
        if _canonical(before.get(path)) != _canonical(after.get(path))
    )


def _element(
    collection: Collection,
    action: Literal["added", "removed", "changed", "moved"],
    *,
    old: Any,
    new: Any,
    old_index: int | None,
    new_index: int | None,
) -> ElementChange:
    shown = new if new is not None else old
    label = describe(collection, shown)
    key = " ".join(str(_field(shown, name)) for name in collection.identity) if collection.identity else label
    ordered = collection.ordered
    return ElementChange(
        action=action,
        noun=collection.noun,
        key=key,
        label=label,
        title=title(collection, key),
        old=old,
        new=new,
        old_position=old_index + 1 if old_index is not None and ordered else None,
        new_position=new_index + 1 if new_index is not None and ordered else None,
        changes=inner_changes(old, new) if action == "changed" else (),
    )


def _pair_by_identity(collection: Collection, old: Sequence[Any], new: Sequence[Any]) -> dict[int, int]:
    waiting: dict[str, list[int]] = {}
    for index, element in enumerate(old):
        waiting.setdefault(_identity(collection, element), []).append(index)
    pairs: dict[int, int] = {}
    for index, element in enumerate(new):
        queue = waiting.get(_identity(collection, element))
        if queue:
            pairs[queue.pop(0)] = index
    return pairs


def _pair_by_likeness(old: Sequence[Any], new: Sequence[Any], pairs: dict[int, int]) -> None:
    paired_new = set(pairs.values())
    free_old = [index for index in range(len(old)) if index not in pairs]
    if len(free_old) * (len(new) - len(paired_new)) > _MAX_COMPARISONS:
        return
    for new_index, element in enumerate(new):
        if new_index in paired_new or not free_old:
            continue
        scored = [(_likeness(old[index], element), -abs(index - new_index), index) for index in free_old]
        score, _, best = max(scored)
        if score >= _LIKENESS:
            pairs[best] = new_index
            free_old.remove(best)


def _likeness(old: Any, new: Any) -> float:
    if not (isinstance(old, Mapping) and isinstance(new, Mapping)):
        return 0.0
    keys = set(old) | set(new)
    same = sum(1 for key in keys if key in old and key in new and _same(old[key], new[key]))
    return same / len(keys) if keys else 1.0


def _longest_ordered_run(pairs: Mapping[int, int]) -> set[int]:
    """The old indexes of the longest run of pairs whose relative order did not change."""
    by_new = sorted(pairs.items(), key=lambda pair: pair[1])
    tails: list[int] = []  # the smallest old index ending an increasing run of each length
    tail_at: list[int] = []
    previous: dict[int, int | None] = {}
    for old_index, _ in by_new:
        length = bisect_left(tails, old_index)
        previous[old_index] = tail_at[length - 1] if length else None
        if length == len(tails):
            tails.append(old_index)
            tail_at.append(old_index)
        else:
            tails[length] = old_index
            tail_at[length] = old_index
    run: set[int] = set()
    current = tail_at[-1] if tail_at else None
    while current is not None:
        run.add(current)
        current = previous[current]
    return run


def _identity(collection: Collection, element: Any) -> str:
    if collection.identity and isinstance(element, Mapping):
        return _canonical([element.get(name) for name in collection.identity])
    return _canonical(element)


def _same(old: Any, new: Any) -> bool:
    return _canonical(old) == _canonical(new)


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def _field(element: Any, name: str) -> Any:
    return element.get(name, "") if isinstance(element, Mapping) else ""


def _leaves(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, Mapping) and value:
        found: list[tuple[str, Any]] = []
        for key, item in value.items():
            found.extend(_leaves(item, f"{prefix}.{key}" if prefix else str(key)))
        return found
    return [(prefix, value)] if prefix or value is not None else []


def _position_key(change: ElementChange) -> tuple[int, int]:
    position = change.new_position if change.new_position is not None else change.old_position
    return (position or 0, _ORDER[change.action])
