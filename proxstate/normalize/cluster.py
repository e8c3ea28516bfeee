"""The documents of the cluster (`cluster`) and its nodes (`node/<name>`)."""

from __future__ import annotations

from typing import Any

from proxstate.normalize.ignore import apply_ignore_rules
from proxstate.normalize.options import DEFAULT_OPTIONS, NormalizeOptions
from proxstate.normalize.values import bool_or_keep, int_or_keep, natural_key
from proxstate.resources.inventory import Payload, RawCluster, RawNode
from proxstate.resources.kinds import CLUSTER, NODE


def _text(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) and value else None


def _entries(status: list[Payload], entry_type: str) -> list[Payload]:
    return [entry for entry in status if isinstance(entry, dict) and entry.get("type") == entry_type]


def _member(entry: Payload) -> dict[str, Any]:
    # Whether the member is online is its node document's `status` (which also tells an unreachable
    # node): recorded once, there.
    member: dict[str, Any] = {"name": _text(entry.get("name")) or ""}
    if entry.get("nodeid") is not None:
        member["nodeid"] = int_or_keep(entry["nodeid"])
    if (ip := _text(entry.get("ip"))) is not None:
        member["ip"] = ip
    return member


def normalize_cluster(cluster: RawCluster, *, options: NormalizeOptions = DEFAULT_OPTIONS) -> dict[str, Any]:
    """The `cluster` document: name, quorum, PVE version and the member nodes.

    A standalone node has no cluster entry in /cluster/status: the name is then the folder name
    of the cluster and there is no quorum to record.
    """
    info = next(iter(_entries(cluster.status, "cluster")), {})
    document: dict[str, Any] = {"kind": CLUSTER, "name": _text(info.get("name")) or cluster.name}
    if info.get("quorate") is not None:
        document["quorate"] = bool_or_keep(info["quorate"])
    if (version := _text(cluster.version.get("version"))) is not None:
        document["version"] = version
    if (release := _text(cluster.version.get("release"))) is not None:
        document["release"] = release
    members = [_member(entry) for entry in _entries(cluster.status, "node")]
    # Keyed by node name, so that a change reads `nodes.pve3.ip: 10.0.0.3 -> 10.0.1.3`.
    members.sort(key=lambda member: natural_key(member["name"]))
    document["nodes"] = {member.pop("name"): member for member in members}
    apply_ignore_rules(CLUSTER, document, options.ignore)
    return document


def _node_status(node: RawNode) -> str:
    if not node.online:
        return "offline"
    return "unreachable" if node.unreachable else "online"


def _total(status: Payload, section: str) -> Any:
    part = status.get(section)
    return int_or_keep(part["total"]) if isinstance(part, dict) and part.get("total") is not None else None


def _cpu(status: Payload) -> dict[str, Any] | None:
    info = status.get("cpuinfo")
    if not isinstance(info, dict):
        return None
    cpu: dict[str, Any] = {}
    if (model := _text(info.get("model"))) is not None:
        cpu["model"] = model
    for key in ("sockets", "cores", "cpus"):
        if info.get(key) is not None:
            cpu[key] = int_or_keep(info[key])
    return cpu or None


def _kernel(status: Payload) -> str | None:
    current = status.get("current-kernel")
    release = _text(current.get("release")) if isinstance(current, dict) else None
    return release or _text(status.get("kversion"))


def normalize_node(node: RawNode, *, options: NormalizeOptions = DEFAULT_OPTIONS) -> dict[str, Any]:
    """The `node/<name>` document: facts an administrator configures or upgrades, no gauges."""
    status = node.status or {}
    state = _node_status(node)
    boot = status.get("boot-info")
    facts: dict[str, Any] = {
        "kind": NODE,
        "name": node.name,
        "status": state,
        "level": _text(node.resource.get("level")),
        "pveversion": _text(status.get("pveversion")),
        "kernel": _kernel(status),
        "cpu": _cpu(status),
        "memory_total": _total(status, "memory"),
        "swap_total": _total(status, "swap"),
        "rootfs_total": _total(status, "rootfs"),
        "boot_mode": _text(boot.get("mode")) if isinstance(boot, dict) else None,
        "ssl_fingerprint": _text(node.resource.get("ssl_fingerprint") or status.get("ssl_fingerprint")),
        "unreachable": node.unreachable if state != "online" and node.unreachable else None,
    }
    document = {key: value for key, value in facts.items() if value is not None}
    apply_ignore_rules(f"{NODE}/{node.name}", document, options.ignore)
    return document
