"""Reading a PVE guest .conf file into what fakepve holds (the golden corpus of tests/export)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote


@dataclass
class Section:
    config: dict[str, Any] = field(default_factory=dict)
    description: list[str] = field(default_factory=list)
    raw_lxc: list[list[str]] = field(default_factory=list)

    def as_config(self) -> dict[str, Any]:
        out = dict(self.config)
        if self.description:
            out["description"] = "\n".join(self.description)
        if self.raw_lxc:
            out["lxc"] = self.raw_lxc
        return out


@dataclass
class ConfFile:
    main: Section
    pending: Section | None
    snapshots: dict[str, Section]


def parse_conf(text: str) -> ConfFile:
    """Sections as PVE's parse_vm_config / parse_pct_config read them."""
    main = Section()
    current = main
    pending: Section | None = None
    snapshots: dict[str, Section] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("[") and line.endswith("]"):
            name = line[1:-1]
            current = Section()
            if name in ("PENDING", "pve:pending"):
                pending = current
            else:
                snapshots[name] = current
        elif line.startswith("#"):
            current.description.append(unquote(line[1:]))
        else:
            key, _, value = line.partition(": ")
            if key.startswith("lxc."):
                current.raw_lxc.append([key, value])
            else:
                current.config[key] = value
    return ConfFile(main=main, pending=pending, snapshots=snapshots)


def load_guest(pve: Any, kind: str, vmid: int, conf: ConfFile) -> None:
    """Add the guest to fakepve with the file's config, pending changes and snapshots."""
    config = conf.main.as_config()
    pending: dict[str, Any] = {}
    if conf.pending is not None:
        values = conf.pending.as_config()
        for key in str(values.pop("delete", "")).split(","):
            if key:
                pending[key] = None
        pending.update(values)
    if kind == "qemu":
        guest = pve.add_vm(
            vmid, str(config.get("name", f"vm{vmid}")), node="pve1", config=config, pending=pending
        )
    else:
        guest = pve.add_ct(vmid, config.get("hostname"), node="pve1", config=config, pending=pending)
    for name, section in conf.snapshots.items():
        snapshot = section.as_config()
        snapshot["snaptime"] = int(snapshot["snaptime"])
        guest.snapshots[name] = snapshot
