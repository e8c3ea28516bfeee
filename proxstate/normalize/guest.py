"""Documents of virtual machines (`qemu/<vmid>`) and containers (`lxc/<vmid>`)."""

from __future__ import annotations

from typing import Any

from proxstate.normalize.config import config_value, normalize_config, sorted_keys
from proxstate.normalize.ignore import apply_ignore_rules
from proxstate.normalize.options import DEFAULT_OPTIONS, NormalizeOptions
from proxstate.normalize.rules import DROPPED_CONFIG_KEYS, VOLATILE_KEYS
from proxstate.normalize.values import (
    int_or_keep,
    natural_key,
    plain,
)
from proxstate.resources.coerce import to_bool_or_none, to_int_or_none
from proxstate.resources.inventory import Payload, RawGuest

_HA_FIRST = ("managed", "state", "group")
_CURRENT_SNAPSHOT = "current"  # the pseudo snapshot that stands for the running state


def guest_id(guest: RawGuest) -> str:
    return f"{guest.kind}/{guest.vmid}"


def _text(*values: Any) -> str | None:
    """The first value that is a non-empty string (numbers are turned into strings)."""
    for value in values:
        text = str(value) if isinstance(value, int | float) and not isinstance(value, bool) else value
        if isinstance(text, str) and text:
            return text
    return None


def _power_state(status: Payload, resource: Payload) -> str | None:
    # qmpstatus tells a paused or suspended VM from a running one; `status` says running for both.
    return _text(status.get("qmpstatus"), status.get("status"), resource.get("status"))


def _ha(status: Payload, resource: Payload) -> dict[str, Any] | None:
    ha = status.get("ha")
    if isinstance(ha, dict):
        if not to_bool_or_none(ha.get("managed")):
            return None
        dropped = VOLATILE_KEYS["ha"]
        rest = sorted(key for key in ha if key not in _HA_FIRST and key not in dropped)
        result: dict[str, Any] = {"managed": True}
        for key in (*_HA_FIRST[1:], *rest):
            if key in ha and ha[key] is not None:
                result[key] = int_or_keep(ha[key]) if key.startswith("max_") else plain(ha[key])
        return result
    hastate = _text(resource.get("hastate"))
    return {"managed": True, "state": hastate} if hastate else None


def _pending(guest: RawGuest, options: NormalizeOptions) -> tuple[dict[str, Any], list[str]]:
    """New values of keys with a pending change, and the keys pending deletion."""
    dropped = DROPPED_CONFIG_KEYS.get(guest.kind, frozenset())
    changes: dict[str, Any] = {}
    deletes: list[str] = []
    for entry in guest.pending or ():
        if not isinstance(entry, dict):
            continue
        key = entry.get("key")
        if not isinstance(key, str) or key in dropped:
            continue
        if "pending" in entry:
            changes[key] = config_value(guest.kind, key, entry["pending"], options=options)
        if to_int_or_none(entry.get("delete")):  # 1, or 2 for a forced delete
            deletes.append(key)
    ordered = {key: changes[key] for key in sorted_keys(changes)}
    return ordered, sorted(set(deletes), key=natural_key)


def _snapshots(entries: list[Payload] | None) -> dict[str, dict[str, Any]]:
    snapshots: dict[str, dict[str, Any]] = {}
    for entry in entries or ():
        if not isinstance(entry, dict):
            continue
        name = _text(entry.get("name"))
        if name is None or name == _CURRENT_SNAPSHOT:
            continue
        snapshot: dict[str, Any] = {}
        if isinstance(entry.get("description"), str):
            snapshot["description"] = entry["description"]
        if (parent := _text(entry.get("parent"))) is not None:
            snapshot["parent"] = parent
        if entry.get("snaptime") is not None:
            snapshot["snaptime"] = int_or_keep(entry["snaptime"])
        if entry.get("vmstate") is not None:
            vmstate = to_bool_or_none(entry["vmstate"])
            snapshot["vmstate"] = vmstate if vmstate is not None else plain(entry["vmstate"])
        snapshots[name] = snapshot
    return {name: snapshots[name] for name in sorted_keys(snapshots)}


def normalize_guest(guest: RawGuest, *, options: NormalizeOptions = DEFAULT_OPTIONS) -> dict[str, Any]:
    """The document of one VM or container."""
    status = guest.status or {}
    resource = guest.resource
    # Configured values (name, hostname, tags, the template flag) are recorded once, in `config`;
    # the top level holds what is not configuration: placement, power state, lock, pool, HA state.
    document: dict[str, Any] = {"kind": guest.kind, "vmid": int_or_keep(guest.vmid)}
    document["node"] = guest.node
    if options.record_power_state and (power := _power_state(status, resource)) is not None:
        document["status"] = power
    if (lock := _text(status.get("lock"), resource.get("lock"), guest.config.get("lock"))) is not None:
        document["lock"] = lock
    if (pool := _text(resource.get("pool"))) is not None:
        document["pool"] = pool
    if (ha := _ha(status, resource)) is not None:
        document["ha"] = ha
    document["config"] = normalize_config(guest.kind, guest.config, options=options)
    changes, deletes = _pending(guest, options)
    if changes:
        document["pending"] = changes
    if deletes:
        document["pending_delete"] = deletes
    if snapshots := _snapshots(guest.snapshots):
        document["snapshots"] = snapshots
    apply_ignore_rules(guest_id(guest), document, options.ignore)
    return document
