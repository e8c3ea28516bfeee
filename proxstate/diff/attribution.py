"""Best-effort attribution of guest changes to the PVE tasks that probably caused them.

PVE writes a task (with a UPID, a type, the guest id and the user) for most guest operations,
but not for everything: plain configuration edits are usually synchronous and leave no task
(`qmconfig` exists only for the asynchronous config call), and tags, pools and HA settings leave
none. So an attribution is only ever a hint, and a change without a matching task gets none.

A task matches a change of guest `<kind>/<vmid>` when its `id` is the vmid, its type is one of
the types below for that guest kind and one of the change's classes, its start time is in
`[since, until]`, and it did not fail. Clone tasks (`qmclone`, `vzclone`) are not used: their `id`
is the source guest, so they say nothing reliable about either guest's change. The resize task
type is `resize` for both guest kinds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from proxstate.diff.model import Attribution, ChangeClass, ChangeSet, ResourceChange
from proxstate.resources.ids import ResourceId
from proxstate.resources.kinds import LXC, QEMU

_YEAR_10000 = 253402300800.0  # first second past what datetime can show

_QEMU_CONFIG = frozenset({"qmconfig", "qmrollback", "qmmove"})
_LXC_CONFIG = frozenset({"vzrollback", "move_volume"})
_HA = frozenset({"hastart", "hastop", "hashutdown", "hamigrate"})

_TASK_TYPES: dict[str, dict[ChangeClass, frozenset[str]]] = {
    QEMU: {
        ChangeClass.ADDED: frozenset({"qmcreate", "qmrestore"}),
        ChangeClass.REMOVED: frozenset({"qmdestroy"}),
        ChangeClass.MIGRATED: frozenset({"qmigrate", "hamigrate"}),
        ChangeClass.POWER: frozenset(
            {"qmstart", "qmstop", "qmshutdown", "qmreboot", "qmreset", "qmsuspend", "qmpause", "qmresume"}
        )
        | _HA,
        ChangeClass.RESIZED: frozenset({"resize"}),
        ChangeClass.HARDWARE: _QEMU_CONFIG,
        ChangeClass.NETWORK: _QEMU_CONFIG,
        ChangeClass.PENDING: _QEMU_CONFIG,
        ChangeClass.CONFIG: _QEMU_CONFIG,
        ChangeClass.SNAPSHOT: frozenset({"qmsnapshot", "qmdelsnapshot"}),
        ChangeClass.TEMPLATE: frozenset({"qmtemplate"}),
        ChangeClass.HA: _HA,
        ChangeClass.LOCK: frozenset({"vzdump", "qmigrate", "qmsnapshot", "qmdelsnapshot", "qmrollback"}),
    },
    LXC: {
        ChangeClass.ADDED: frozenset({"vzcreate", "vzrestore"}),
        ChangeClass.REMOVED: frozenset({"vzdestroy"}),
        ChangeClass.MIGRATED: frozenset({"vzmigrate", "hamigrate"}),
        ChangeClass.POWER: frozenset({"vzstart", "vzstop", "vzshutdown", "vzreboot", "vzsuspend", "vzresume"})
        | _HA,
        ChangeClass.RESIZED: frozenset({"resize"}),
        ChangeClass.HARDWARE: _LXC_CONFIG,
        ChangeClass.NETWORK: _LXC_CONFIG,
        ChangeClass.PENDING: _LXC_CONFIG,
        ChangeClass.CONFIG: _LXC_CONFIG,
        ChangeClass.SNAPSHOT: frozenset({"vzsnapshot", "vzdelsnapshot"}),
        ChangeClass.TEMPLATE: frozenset({"vztemplate"}),
        ChangeClass.HA: _HA,
        ChangeClass.LOCK: frozenset(
            {"vzdump", "vzmigrate", "vzsnapshot", "vzdelsnapshot", "vzrollback", "vzmount"}
        ),
    },
}


def attribute(
    changeset: ChangeSet,
    tasks: Iterable[Mapping[str, Any]],
    *,
    since: float | None,
    until: float | None,
) -> ChangeSet:
    """A copy of `changeset` whose guest changes carry the tasks that probably caused them.

    `tasks` are task records (`upid`, `type`, `id`, `user`, `starttime`, `endtime`, `status`);
    `since`/`until` bound the start time as `[since, until]` (None = unbounded).
    """
    by_guest: dict[str, list[Mapping[str, Any]]] = {}
    for task in tasks:
        start = _number(task.get("starttime"))
        if start is None or not 0 <= start < _YEAR_10000:
            continue  # garbage from the task log: nothing to attribute with
        if (since is not None and start < since) or (until is not None and start > until):
            continue
        if _failed(task) or not task.get("upid") or not task.get("type"):
            continue
        by_guest.setdefault(str(task.get("id", "")), []).append(task)
    resources = tuple(_attributed(resource, by_guest) for resource in changeset.resources)
    return dataclasses.replace(changeset, resources=resources)


def _attributed(resource: ResourceChange, by_guest: Mapping[str, list[Mapping[str, Any]]]) -> ResourceChange:
    rid = ResourceId.parse_or_none(resource.resource_id)
    types_by_class = _TASK_TYPES.get(rid.kind) if rid is not None and rid.vmid is not None else None
    if rid is None or types_by_class is None:
        return resource
    vmid = rid.parts[0]  # as the id spells it: a task's `id` is the vmid as PVE writes it
    wanted = frozenset[str]().union(*(types_by_class.get(cls, frozenset()) for cls in resource.classes))
    found: dict[str, Attribution] = {attribution.upid: attribution for attribution in resource.attribution}
    candidates = sorted(by_guest.get(vmid, []), key=lambda task: _number(task.get("starttime")) or 0.0)
    for task in candidates:
        if str(task["type"]) in wanted:
            upid = str(task["upid"])
            found.setdefault(upid, _attribution(task))
    ordered = tuple(sorted(found.values(), key=lambda attribution: (attribution.time, attribution.upid)))
    return dataclasses.replace(resource, attribution=ordered)


def _attribution(task: Mapping[str, Any]) -> Attribution:
    start = _number(task.get("starttime")) or 0.0
    return Attribution(
        user=str(task.get("user") or "unknown"),
        task_type=str(task["type"]),
        time=datetime.fromtimestamp(start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        upid=str(task["upid"]),
    )


def _failed(task: Mapping[str, Any]) -> bool:
    """A finished task whose status is neither OK nor warnings did (most likely) not change anything."""
    status = task.get("status")
    if status in (None, ""):
        return False  # still running, or the status was not recorded: it may have caused the change
    text = str(status)
    return text != "OK" and not text.startswith("WARNINGS")


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
