"""A recorded guest as PVE stores it in /etc/pve/qemu-server/<vmid>.conf or /etc/pve/lxc/<vmid>.conf.

This follows `write_vm_config` (qemu-server, PVE/QemuServer.pm) and `write_pct_config`
(pve-container, PVE/LXC/Config.pm): the description first as `#` comment lines (each line through
PVE::Tools::encode_text, which writes `:`, control and non-ASCII bytes as `%XX`), then the keys in
Perl's `sort` order (byte order, so `net10` before `net2`), the raw `lxc.*` lines of a container last
and in their own order; then the pending section (`[PENDING]` for a VM, `[pve:pending]` for a
container) with its `delete:` key, then one `[name]` section per snapshot, in name order.

The values are rebuilt from the recorded mappings (proxstate.normalize.config.build_config_value),
so a masked secret comes back as its marker. What remains different from PVE's own file is listed in
docs/revert.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proxstate.errors import ProxstateError
from proxstate.normalize.config import RAW_LXC_KEY, build_config_value
from proxstate.normalize.propstring import PropertyStringError
from proxstate.resources.kinds import LXC, QEMU

_PENDING_SECTION = {QEMU: "[PENDING]", LXC: "[pve:pending]"}
_NOT_KEYS = frozenset({"digest", "description", "pending", "snapshots", "snapname", RAW_LXC_KEY})
# Unreserved in PVE::Tools::encode_text: printable ASCII but `:`.
_SAFE = frozenset(range(0x20, 0x7F)) - {0x3A}


class ExportError(ProxstateError):
    """A recorded document cannot be written in the asked format."""


def encode_text(line: str) -> str:
    """PVE::Tools::encode_text: `:`, control characters and non-ASCII bytes as `%XX`."""
    return "".join(chr(byte) if byte in _SAFE else f"%{byte:02X}" for byte in line.encode("utf-8"))


def _description(value: Any, *, in_pending: bool, kind: str) -> list[str]:
    if not isinstance(value, str):
        return []
    if not value:
        # qemu-server marks a description being cleared in [PENDING] with a bare `#`.
        return ["#"] if in_pending and kind == QEMU else []
    return ["#" + encode_text(line) for line in value.split("\n")]


def _value(kind: str, key: str, value: Any) -> str:
    try:
        text = build_config_value(kind, key, value)
    except PropertyStringError as exc:
        raise ExportError(f"{kind} config key {key!r} cannot be written as PVE text: {exc}") from exc
    if "\n" in text:
        raise ExportError(f"{kind} config key {key!r} holds a line break, which a .conf file cannot")
    return text


def section_lines(kind: str, config: Mapping[str, Any], *, in_pending: bool = False) -> list[str]:
    """The lines of one section: description comments, `key: value` lines, raw `lxc.*` lines."""
    lines = _description(config.get("description"), in_pending=in_pending, kind=kind)
    for key in sorted(config):
        if key in _NOT_KEYS or config[key] is None:
            continue
        lines.append(f"{key}: {_value(kind, key, config[key])}")
    raw = config.get(RAW_LXC_KEY)
    if kind == LXC and isinstance(raw, list):
        for item in raw:
            if isinstance(item, Mapping):
                lines.extend(f"{k}: {v}" for k, v in item.items())
    return lines


def guest_conf(document: Mapping[str, Any], snapshot_configs: Mapping[str, Mapping[str, Any]]) -> str:
    """The .conf text of a recorded guest document; snapshot_configs maps a snapshot's name to the
    recorded config it holds (`snapshot-config/<kind>/<vmid>/<name>`)."""
    kind = str(document.get("kind"))
    if kind not in _PENDING_SECTION:
        raise ExportError(f"only VMs and containers have a .conf file, not {kind} documents")
    config = dict(document.get("config") or {})
    if isinstance(document.get("lock"), str):
        config["lock"] = document["lock"]
    lines = section_lines(kind, config)
    pending = dict(document.get("pending") or {})
    deletes = [str(key) for key in document.get("pending_delete") or ()]
    if deletes:
        pending["delete"] = ",".join(deletes)
    if pending:
        lines += ["", _PENDING_SECTION[kind], *section_lines(kind, pending, in_pending=True)]
    snapshots = document.get("snapshots") or {}
    for name in sorted(snapshots):
        recorded = snapshots[name] if isinstance(snapshots[name], Mapping) else {}
        snapshot = dict(snapshot_configs.get(name) or {})
        for key in ("description", "parent", "snaptime"):
            if key in recorded:
                snapshot[key] = recorded[key]
        lines += ["", f"[{name}]", *section_lines(kind, snapshot)]
    return "\n".join(lines) + "\n"
