"""The revert steps of a recorded list: firewall rules back in their order, keyed entries (aliases,
IP set entries) removed, added or set back."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from proxstate.export.calls import Call, params_of
from proxstate.export.pvesh import NodeOf, entry_path, rule_create

if TYPE_CHECKING:
    from proxstate.export.revert import Plan

_VOLATILE = frozenset({"pos", "digest", "ipversion"})


def _clean(item: Any) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k not in _VOLATILE} if isinstance(item, Mapping) else {}


def _entries(document: Mapping[str, Any], key: str | None) -> list[dict[str, Any]]:
    """The entries of a list document. Keyed lists (aliases, IP set entries) are recorded as a
    mapping from each key to the rest of its entry: iterating that mapping would give only the
    keys, and every change made in place would go unplanned."""
    raw = document.get("entries") or ()
    if isinstance(raw, Mapping):
        return [{**_clean(item), key or "name": name} for name, item in raw.items()]
    return [_clean(e) for e in raw]


def _describe(rule: Mapping[str, Any]) -> str:
    words = [
        str(rule.get(k))
        for k in ("type", "action", "macro", "proto", "source", "dest", "dport")
        if rule.get(k)
    ]
    comment = f" ({rule['comment']})" if rule.get("comment") else ""
    return " ".join(words) + comment


def rule_steps(
    plan: Plan,
    resource_id: str,
    recorded: Mapping[str, Any],
    live: Mapping[str, Any],
    *,
    node_of: NodeOf,
    by: str,
) -> None:
    found = entry_path(resource_id, node_of=node_of)
    if found is None:
        plan.not_revertible.append(f"{resource_id} changed{by}: proxstate knows no call that sets it")
        return
    entry, path, _ = found
    want = _entries(recorded, entry.key)
    have = _entries(live, entry.key)
    if entry.key is not None:
        _keyed_steps(plan, resource_id, path=path, key=entry.key, want=want, have=have, by=by)
        return
    if not (path.endswith("/rules") or "/groups/" in path):
        plan.not_revertible.append(f"{resource_id} changed{by}: show it with --format pvesh to recreate it")
        return
    # Rules that are not recorded go, from the bottom up so positions stay right.
    pending = list(want)
    kept: list[dict[str, Any]] = []
    removed: list[int] = []
    for position, rule in enumerate(have):
        if rule in pending:
            pending.remove(rule)
            kept.append(rule)
        else:
            removed.append(position)
    for position in reversed(removed):
        comment = f"undo {resource_id}: rule {position} ({_describe(have[position])}) was added{by}"
        plan.steps.append((5, Call(verb="delete", path=f"{path}/{position}", comment=comment)))
    if not _in_order(kept, want):
        plan.not_revertible.append(
            f"{resource_id}: the rules were reordered{by}; recreate them with --format pvesh"
        )
        return
    # The missing rules come back at their recorded position: PVE creates at the top, then moves.
    current = list(kept)
    for index, rule in enumerate(want):
        if index < len(current) and current[index] == rule:
            continue
        comment = f"undo {resource_id}: rule {index} ({_describe(rule)}) was removed{by}"
        plan.steps.append((5, rule_create(path, rule, comment=comment)))
        if index:
            params = (("moveto", str(index + 1)),)
            plan.steps.append(
                (5, Call(verb="set", path=f"{path}/0", params=params, comment="  ... back to its position"))
            )
        current.insert(index, rule)


def _in_order(kept: list[dict[str, Any]], want: list[dict[str, Any]]) -> bool:
    it = iter(want)
    return all(any(rule == other for other in it) for rule in kept)


def _keyed_steps(
    plan: Plan,
    resource_id: str,
    *,
    path: str,
    key: str,
    want: list[dict[str, Any]],
    have: list[dict[str, Any]],
    by: str,
) -> None:
    recorded = {str(e.get(key)): e for e in want}
    live = {str(e.get(key)): e for e in have}
    for name in live:
        if name not in recorded:
            comment = f"undo {resource_id}: {name} was added{by}"
            plan.steps.append((5, Call(verb="delete", path=f"{path}/{name}", comment=comment)))
    for name, item in recorded.items():
        if name not in live:
            comment = f"undo {resource_id}: {name} was removed{by}"
            plan.steps.append((5, Call(verb="create", path=path, params=params_of(item), comment=comment)))
        elif live[name] != item:
            comment = f"undo {resource_id}: {name} was changed{by}"
            params = params_of({k: v for k, v in item.items() if k != key})
            plan.steps.append((5, Call(verb="set", path=f"{path}/{name}", params=params, comment=comment)))
