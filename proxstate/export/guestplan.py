"""The revert steps of one VM or container: migration back, config, disk sizes, power state."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from proxstate.export.calls import Call, api_text, is_masked, placeholder
from proxstate.normalize.config import build_config_value

Document = Mapping[str, Any]
Steps = list[tuple[int, Call]]
# What PVE changes by itself as snapshots are taken, not by a config call.
_NOT_SET = frozenset({"parent", "snapshots", "digest", "lock"})
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)([KMGT]?)")


def size_bytes(value: Any) -> float | None:
    """A disk size as PVE writes it (`32G`, `512M`, bytes without a unit)."""
    found = _SIZE.fullmatch(str(value)) if value is not None else None
    return float(found.group(1)) * _UNITS[found.group(2)] if found else None


def _without_size(value: Any) -> Any:
    return {k: v for k, v in value.items() if k != "size"} if isinstance(value, Mapping) else value


def guest_steps(
    steps: Steps, not_revertible: list[str], resource_id: str, recorded: Document, live: Document, *, by: str
) -> None:
    kind, _, vmid = resource_id.partition("/")
    tool = "qm" if kind == "qemu" else "pct"
    node, live_node = str(recorded.get("node")), str(live.get("node"))
    base = f"/nodes/{node}/{kind}/{vmid}"
    if node != live_node:
        steps.append(
            (1, _migration(resource_id, node, live_node, running=live.get("status") == "running", by=by))
        )
    before = dict(recorded.get("config") or {})
    now = dict(live.get("config") or {})
    params_set: list[tuple[str, str]] = []
    undone: list[str] = []
    for key, value in before.items():
        current = now.get(key)
        if key in _NOT_SET or current == value:
            continue
        if is_masked(value):
            not_revertible.append(
                f"{resource_id} {key}: a secret's value is not in the record; set it by hand"
            )
            continue
        old_size = size_bytes(value.get("size")) if isinstance(value, Mapping) else None
        new_size = size_bytes(current.get("size")) if isinstance(current, Mapping) else None
        if old_size is None or new_size is None:
            old_size = new_size = None
        if isinstance(value, Mapping) and isinstance(current, Mapping) and old_size != new_size:
            if (new_size or 0) > (old_size or 0):
                not_revertible.append(
                    f"{resource_id} {key}: grown from {value['size']} to {current['size']}{by}; "
                    "PVE cannot shrink a disk"
                )
            else:
                comment = f"undo {resource_id}: {key} size {current['size']} -> {value['size']}{by}"
                native = f"{tool} resize {vmid} {key} {value['size']}"
                params = (("disk", key), ("size", str(value["size"])))
                steps.append(
                    (
                        3,
                        Call(
                            verb="set", path=f"{base}/resize", params=params, comment=comment, native=native
                        ),
                    )
                )
            if _without_size(value) == _without_size(current):
                continue
        params_set.append((key, build_config_value(kind, key, value)))
        undone.append(f"{key}: {_short(kind, key, current)} -> {_short(kind, key, value)}")
    deleted = [key for key in now if key not in before and key not in _NOT_SET]
    if deleted:
        params_set.append(("delete", ",".join(deleted)))
        undone += [f"{key} was added" for key in deleted]
    if params_set:
        comment = f"undo {resource_id}: {'; '.join(undone)}{by}"
        native = f"{tool} set {vmid} " + " ".join(f"--{k} {_quote(v)}" for k, v in params_set)
        steps.append(
            (
                2,
                Call(
                    verb="set",
                    path=f"{base}/config",
                    params=tuple(params_set),
                    comment=comment,
                    native=native,
                ),
            )
        )
    _pending_steps(steps, resource_id, recorded, live, base=base, by=by)
    _snapshot_notes(not_revertible, resource_id, recorded, live, by=by)
    _power_step(steps, resource_id, recorded.get("status"), live.get("status"), base=base, by=by)


def _pending_steps(
    steps: Steps, resource_id: str, recorded: Document, live: Document, *, base: str, by: str
) -> None:
    """Pending changes made since the record are dropped again (`--revert KEY`, qm set's own)."""
    kind, _, vmid = resource_id.partition("/")
    before = {
        **dict(recorded.get("pending") or {}),
        **dict.fromkeys(recorded.get("pending_delete") or (), True),
    }
    now = {**dict(live.get("pending") or {}), **dict.fromkeys(live.get("pending_delete") or (), True)}
    keys = [key for key in now if key not in before]
    if keys:
        comment = f"undo {resource_id}: pending change of {', '.join(keys)} (made after the record){by}"
        native = f"{'qm' if kind == 'qemu' else 'pct'} set {vmid} --revert {','.join(keys)}"
        call = Call(
            verb="set",
            path=f"{base}/config",
            params=(("revert", ",".join(keys)),),
            comment=comment,
            native=native,
        )
        steps.append((2, call))


def _snapshot_notes(
    notes: list[str], resource_id: str, recorded: Document, live: Document, *, by: str
) -> None:
    before, now = recorded.get("snapshots") or {}, live.get("snapshots") or {}
    tool = "qm delsnapshot" if resource_id.startswith("qemu/") else "pct delsnapshot"
    vmid = resource_id.partition("/")[2]
    for name in now:
        if name not in before:
            notes.append(
                f"{resource_id}: snapshot {name} was taken{by}: left alone ({tool} {vmid} {name} removes it)"
            )
    for name in before:
        if name not in now:
            notes.append(f"{resource_id}: snapshot {name} was deleted{by}: its state is not in the record")


def _short(kind: str, key: str, value: Any) -> str:
    if value is None:
        return "(none)"
    if is_masked(value):
        return placeholder(key)
    try:
        text = build_config_value(kind, key, value)
    except ValueError:
        text = api_text(key, value)
    return text if len(text) <= 60 else text[:57] + "..."


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _migration(resource_id: str, node: str, live_node: str, *, running: bool, by: str) -> Call:
    kind, _, vmid = resource_id.partition("/")
    tool = "qm" if kind == "qemu" else "pct"
    flag = ("online" if kind == "qemu" else "restart") if running else None
    params = (("target", node),) + (((flag, "1"),) if flag else ())
    return Call(
        verb="create",
        path=f"/nodes/{live_node}/{kind}/{vmid}/migrate",
        params=params,
        comment=f"undo {resource_id}: moved from {node} to {live_node}{by}",
        native=f"{tool} migrate {vmid} {node}" + (f" --{flag}" if flag else ""),
    )


def _power_step(steps: Steps, resource_id: str, status: Any, live_status: Any, *, base: str, by: str) -> None:
    if status == live_status or status not in ("running", "stopped"):
        return
    kind, _, vmid = resource_id.partition("/")
    action = "start" if status == "running" else "shutdown"
    call = Call(
        verb="create",
        path=f"{base}/status/{action}",
        comment=f"undo {resource_id}: {status} -> {live_status}{by}",
        native=f"{'qm' if kind == 'qemu' else 'pct'} {action} {vmid}",
    )
    steps.append((6, call))
