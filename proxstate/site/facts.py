"""The facts of a guest or a node that the cluster page's tables and the search index show, read
from its recorded document. A document may lack any of them (a guest read before its config, an
unreachable node): a missing fact is shown empty, never guessed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from proxstate.diff import is_masked
from proxstate.diff.collections import binary_size

_DISK = re.compile(r"(?:scsi|virtio|sata|ide|mp)\d+|efidisk0|tpmstate0|rootfs")
_NET = re.compile(r"net\d+")
_MAC_KEYS = ("macaddr", "hwaddr")


def _config(document: Mapping[str, Any]) -> Mapping[str, Any]:
    config = document.get("config")
    return config if isinstance(config, Mapping) else {}


def text(value: Any) -> str:
    """A scalar as a table cell shows it; a masked secret as `(secret)`."""
    if value is None:
        return ""
    if is_masked(value):
        return "(secret)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(text(item) for item in value)
    return str(value)


def guest_name(document: Mapping[str, Any]) -> str:
    config = _config(document)
    return text(config.get("name") or config.get("hostname") or document.get("name"))


def disks(document: Mapping[str, Any]) -> list[str]:
    """`scsi0 32G`, `rootfs 8G`: each disk with its size (CD-ROM drives are not disks)."""
    found = []
    for key, value in _config(document).items():
        if not _DISK.fullmatch(str(key)) or not isinstance(value, Mapping):
            continue
        if value.get("media") == "cdrom":
            continue
        size = value.get("size")
        found.append(f"{key} {text(size)}" if size is not None else str(key))
    return found


def tags(document: Mapping[str, Any]) -> list[str]:
    found = _config(document).get("tags")
    if isinstance(found, list):
        return [text(tag) for tag in found]
    return [tag for tag in re.split(r"[;, ]+", text(found)) if tag]


def nics(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        value
        for key, value in _config(document).items()
        if _NET.fullmatch(str(key)) and isinstance(value, Mapping)
    ]


def macs(document: Mapping[str, Any]) -> list[str]:
    found = [nic.get(key) for nic in nics(document) for key in _MAC_KEYS]
    return [text(mac) for mac in found if isinstance(mac, str) and not is_masked(mac)]


def bridges(document: Mapping[str, Any]) -> list[str]:
    return sorted({text(nic["bridge"]) for nic in nics(document) if nic.get("bridge")})


def addresses(document: Mapping[str, Any]) -> list[str]:
    """IP addresses: a container's `ip=`/`ip6=`, cloud-init's `ipconfigN`, and those the guest
    agent reported when the record has them."""
    found: list[Any] = []
    for nic in nics(document):
        found += [nic.get("ip"), nic.get("ip6")]
    for key, value in _config(document).items():
        if str(key).startswith("ipconfig") and isinstance(value, Mapping):
            found += [value.get("ip"), value.get("ip6")]
    agent = document.get("agent")
    if isinstance(agent, Mapping):
        for interface in agent.get("interfaces") or []:
            if isinstance(interface, Mapping):
                found += [
                    a.get("ip-address") for a in interface.get("ip-addresses") or [] if isinstance(a, Mapping)
                ]
    plain = [
        str(ip).split("/")[0] for ip in found if isinstance(ip, str) and ip not in ("dhcp", "auto", "manual")
    ]
    return [ip for ip in dict.fromkeys(plain) if ip and not is_masked(ip)]


def guest_facts(document: Mapping[str, Any]) -> dict[str, str]:
    config = _config(document)
    memory = config.get("memory")
    return {
        "name": guest_name(document),
        "node": text(document.get("node")),
        "status": text(document.get("status")),
        "cores": text(config.get("cores")),
        "memory": text(memory.get("current") if isinstance(memory, Mapping) else memory),
        "disks": ", ".join(disks(document)),
        "pool": text(document.get("pool")),
        "tags": ", ".join(tags(document)),
        "template": "yes" if config.get("template") or document.get("template") else "",
    }


def _size(value: Any) -> str:
    """Bytes as PVE's GUI shows them (`62.8 GiB`); "" when unknown (an unreachable node: 0)."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return binary_size(value)
    return ""


def node_facts(document: Mapping[str, Any]) -> dict[str, str]:
    cpu = document.get("cpu")
    cpu = cpu if isinstance(cpu, Mapping) else {}
    return {
        "name": text(document.get("name")),
        "status": text(document.get("status")),
        "pveversion": text(document.get("pveversion")),
        "kernel": text(document.get("kernel")),
        "cpu": text(cpu.get("model")),
        "cpus": text(cpu.get("cpus")),
        "memory": _size(document.get("memory_total")),
        "memory_bytes": text(document.get("memory_total")),
    }
