"""Who made each change of a guest: a cluster log entry that names the changed setting, a task of
the right type, or nobody PVE recorded.

For each changed field of a guest (`<kind>/<vmid>`) in the window `[since, until]`:

1. the cluster log: an update of that guest (`update VM 104: -memory 16384`, see
   proxstate/resources/logmessages.py) that names the field's config key (`config.memory`,
   `pending.memory`, `config.net0.bridge`: `memory`, `net0`; a resize names its `--disk`). One such
   entry explains the field exactly. Of several, the latest that set the value the field has now
   explains it exactly (it was the last word); otherwise each of them is likely;
2. else the task list: a task of this guest whose type can cause the field's class of change
   (proxstate/diff/tasktypes.py), started in the window, that did not fail. One such task explains
   the field exactly; several are each likely;
3. else the field is unattributed: PVE keeps no author for it (a container's config edit, a tag
   set through the API, a change on the host itself).

A resource's attributions are grouped by what explains them, each with the fields it explains.
Only guests are attributed; other kinds keep what they carry.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from proxstate.diff.model import Attribution, ChangeSet, FieldChange, ResourceChange
from proxstate.diff.tasktypes import TASK_TYPES
from proxstate.resources.ids import ResourceId
from proxstate.resources.logmessages import LoggedUpdate, parse_update

_YEAR_10000 = 253402300800.0  # first second past what datetime can show
_CONFIG_SECTIONS = ("config", "pending")
Label = Callable[[str], "str | None"]


@dataclasses.dataclass(frozen=True)
class _Candidate:
    source: Literal["task", "cluster-log"]
    ref: str  # the UPID, or the entry's `<uid>:<node>`
    actor: str
    start: float
    what: str  # the task type, or the message
    update: LoggedUpdate | None = None


def attribute(
    changeset: ChangeSet,
    tasks: Iterable[Mapping[str, Any]],
    *,
    since: float | None,
    until: float | None,
    log: Iterable[tuple[str, Mapping[str, Any]]] = (),
    label: Label | None = None,
) -> ChangeSet:
    """A copy of `changeset` whose guest changes say who made them.

    `tasks`: task records (`upid`, `type`, `id`, `user`, `starttime`, `status`); `log`: cluster log
    entries as recorded (`<uid>:<node>`, {`time`, `user`, `msg`, ...}); `since`/`until` bound their
    time as `[since, until]` (None = unbounded); `label` names known automation logins.
    """

    def inside(moment: float | None) -> bool:
        if moment is None or not 0 <= moment < _YEAR_10000:
            return False  # garbage: nothing to attribute with
        return not ((since is not None and moment < since) or (until is not None and moment > until))

    by_guest: dict[tuple[str, str], list[_Candidate]] = {}
    for key, entry in log:
        update = parse_update(str(entry.get("msg", "")))
        moment = _number(entry.get("time"))
        if update is not None and inside(moment) and entry.get("user"):
            candidate = _Candidate(
                "cluster-log", key, str(entry["user"]), moment or 0.0, str(entry["msg"]), update
            )
            by_guest.setdefault((update.kind, update.vmid), []).append(candidate)
    task_list: dict[str, list[_Candidate]] = {}
    for task in tasks:
        start = _number(task.get("starttime"))
        if inside(start) and not _failed(task) and task.get("upid") and task.get("type"):
            candidate = _Candidate(
                "task", str(task["upid"]), str(task.get("user") or "unknown"), start or 0.0, str(task["type"])
            )
            task_list.setdefault(str(task.get("id", "")), []).append(candidate)
    resources = tuple(_attributed(r, by_guest, task_list, label) for r in changeset.resources)
    return dataclasses.replace(changeset, resources=resources)


def _attributed(
    resource: ResourceChange,
    logged: Mapping[tuple[str, str], list[_Candidate]],
    tasks: Mapping[str, list[_Candidate]],
    label: Label | None,
) -> ResourceChange:
    rid = ResourceId.parse_or_none(resource.resource_id)
    types_by_class = TASK_TYPES.get(rid.kind) if rid is not None and rid.vmid is not None else None
    if rid is None or types_by_class is None:
        return resource
    vmid = rid.parts[0]  # as the id spells it: a task's `id` is the vmid as PVE writes it
    updates = sorted(logged.get((rid.kind, vmid), []), key=lambda c: (c.start, c.ref))
    guest_tasks = sorted(tasks.get(vmid, []), key=lambda c: (c.start, c.ref))
    groups: dict[tuple[str, str], tuple[_Candidate | None, list[str], bool]] = {}
    # A guest added or removed as a whole has no field changes: its class stands for them.
    fields = resource.fields or tuple(
        FieldChange("", "changed", None, None, change_class) for change_class in resource.classes
    )
    for field in fields:
        keys = _config_keys(field)
        found = [c for c in updates if c.update is not None and keys & c.update.keys()]
        if not found:
            wanted = types_by_class.get(field.change_class, frozenset())
            found = [c for c in guest_tasks if c.what in wanted]
        if len(found) > 1 and (last := _last_word(field, found)) is not None:
            found = [last]
        options: list[_Candidate | None] = list(found) or [None]
        for candidate in options:
            ref = (candidate.source, candidate.ref) if candidate else ("none", "")
            _, explained, exact = groups.get(ref, (candidate, [], True))
            paths = [*explained, field.path] if field.path else explained
            groups[ref] = (candidate, paths, exact and len(found) <= 1)
    attributions = [_attribution(c, tuple(paths), exact, label) for c, paths, exact in groups.values()]
    ordered = sorted(attributions, key=lambda a: (a.source == "none", a.time, a.upid or a.entry))
    return dataclasses.replace(resource, attribution=tuple(ordered))


def _config_keys(field: FieldChange) -> frozenset[str]:
    """The config keys a changed field is about: `config.net0.bridge` -> net0."""
    parts = field.path.split(".")
    if parts[0] in _CONFIG_SECTIONS and len(parts) > 1:
        return frozenset({parts[1].split("[", 1)[0]})
    if parts[0].startswith("pending_delete"):
        values = [field.old, field.new]
        return frozenset(
            str(v) for value in values for v in (value if isinstance(value, list) else [value]) if v
        )
    return frozenset()


def _last_word(field: FieldChange, found: list[_Candidate]) -> _Candidate | None:
    """Of several logged updates of one key, the latest, when it set the value the field has now."""
    last = found[-1]
    parts = field.path.split(".")
    if last.update is None or len(parts) != 2 or parts[0] not in _CONFIG_SECTIONS or last.update.resize:
        return None
    logged = dict(last.update.params).get(parts[1])
    return last if logged is not None and logged == _plain(field.new) else None


def _plain(value: Any) -> str | None:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value) if isinstance(value, str | int | float) else None


def _attribution(
    candidate: _Candidate | None, fields: tuple[str, ...], exact: bool, label: Label | None
) -> Attribution:
    if candidate is None:
        return Attribution("", "", "", "", source="none", confidence="none", fields=fields)
    moment = datetime.fromtimestamp(candidate.start, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    task = candidate.source == "task"
    return Attribution(
        candidate.actor,
        candidate.what if task else "",
        moment,
        candidate.ref if task else "",
        source=candidate.source,
        confidence="exact" if exact else "likely",
        message="" if task else candidate.what,
        entry="" if task else candidate.ref,
        fields=fields,
        label=label(candidate.actor) if label else None,
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
