"""The facts of nodes (peer conformance), HA resources, backup jobs, users and API tokens."""

from __future__ import annotations

import re
from typing import Any

from proxstate.policy.facts import as_list, config_of, truth

Record = dict[str, dict[str, dict[str, Any]]]
BRIDGE_TYPES = frozenset({"bridge", "OVSBridge"})


def _entries(document: dict[str, Any]) -> dict[str, Any]:
    entries = document.get("entries")
    return entries if isinstance(entries, dict) else {}


def _repositories(document: dict[str, Any]) -> list[str]:
    """The enabled package repositories of a node, one line each as in a sources.list."""
    lines = set()
    for file in config_of(document).get("files") or []:
        for repo in (file.get("repositories") or []) if isinstance(file, dict) else []:
            if isinstance(repo, dict) and truth(repo.get("Enabled")):
                parts = [as_list(repo.get(key)) for key in ("Types", "URIs", "Suites", "Components")]
                lines.add(" ".join(" ".join(part) for part in parts))
    return sorted(lines)


def version_key(version: Any) -> tuple[int, ...]:
    """`pve-manager/8.2.4/faaf...` or `8.2.4` as (8, 2, 4); () when it holds no version."""
    match = re.search(r"(\d+(?:\.\d+)+)", str(version or ""))
    return tuple(int(part) for part in match.group(1).split(".")) if match else ()


def node_facts(record: Record) -> dict[str, dict[str, Any]]:
    """Each node's bridges, storages, repositories and version, and what its peers have that it lacks."""
    names = [rid.removeprefix("node/") for rid in record["nodes"]]
    have: dict[str, dict[str, list[str]]] = {}
    for name in names:
        network = record["networks"].get(f"network/{name}", {})
        storages = [
            rid.removeprefix("storage/")
            for rid, storage in record["storages"].items()
            # A storage limited to some nodes in its own definition (`nodes:`) is meant to be there only.
            if not config_of(storage).get("nodes")
            and truth(((storage.get("nodes") or {}).get(name) or {}).get("active"))
        ]
        have[name] = {
            "bridges": sorted(
                iface
                for iface, entry in _entries(network).items()
                if isinstance(entry, dict) and entry.get("type") in BRIDGE_TYPES
            ),
            "storages": sorted(storages),
            # A node whose package repositories were not recorded (an older record) is not compared.
            "repositories": _repositories(record["apt"][f"apt/{name}"])
            if f"apt/{name}" in record["apt"]
            else [],
        }
    recorded_apt = {name for name in names if f"apt/{name}" in record["apt"]}
    recorded_net = {name for name in names if f"network/{name}" in record["networks"]}
    versions = {name: record["nodes"][f"node/{name}"].get("pveversion") for name in names}
    newest = max((v for v in versions.values() if version_key(v)), key=version_key, default=None)
    out = {}
    for name in names:
        peers = [peer for peer in names if peer != name]
        missing: dict[str, list[str]] = {}
        for aspect, recorded in (
            ("bridges", recorded_net),
            ("storages", set(names)),
            ("repositories", recorded_apt),
        ):
            if name not in recorded:
                missing[aspect] = []
                continue
            union = {item for peer in peers if peer in recorded for item in have[peer][aspect]}
            missing[aspect] = sorted(union - set(have[name][aspect]))
        own = versions[name]
        behind = bool(version_key(own)) and newest is not None and version_key(own) < version_key(newest)
        out[f"node/{name}"] = {
            **have[name],
            "peers": peers,
            "missing": missing,
            "pveversion": own,
            "newest_version": newest,
            "behind": behind,
        }
    return out


def _allowed_nodes(sid: str, config: dict[str, Any], record: Record) -> list[str] | None:
    """The nodes an HA resource's group (PVE 8) or node-affinity rules (PVE 9) put it on; None
    when nothing restricts it."""
    allowed: set[str] | None = None
    group = config.get("group")
    if group and f"ha/group/{group}" in record["ha_groups"]:
        nodes = config_of(record["ha_groups"][f"ha/group/{group}"]).get("nodes")
        allowed = {item.split(":", 1)[0] for item in as_list(nodes)}
    for rule in record["ha_rules"].values():
        rule_config = config_of(rule)
        if rule_config.get("type") == "node-affinity" and sid in as_list(rule_config.get("resources")):
            if truth(rule_config.get("disable")):
                continue
            nodes = {item.split(":", 1)[0] for item in as_list(rule_config.get("nodes"))}
            allowed = nodes if allowed is None else allowed | nodes
    return sorted(allowed) if allowed is not None else None


def ha_facts(rid: str, document: dict[str, Any], record: Record) -> dict[str, Any]:
    sid = rid.removeprefix("ha/resource/")
    kind, _, vmid = sid.partition(":")
    guest_rid = f"{'lxc' if kind == 'ct' else 'qemu'}/{vmid}"
    guest = record["guests"].get(guest_rid)
    config = config_of(document)
    return {
        "sid": sid,
        "guest": guest_rid if guest is not None else None,
        "guest_node": guest.get("node") if guest is not None else None,
        "group": config.get("group"),
        "allowed_nodes": _allowed_nodes(sid, config, record),
    }


def backup_job_facts(document: dict[str, Any], record: Record) -> dict[str, Any]:
    """The retention a job keeps: its own `prune-backups` (or `maxfiles`), else its storage's."""
    config = config_of(document)
    storage_rid = f"storage/{config.get('storage')}"
    storage = config_of(record["storages"].get(storage_rid, {}))
    retention = config.get("prune-backups") or storage.get("prune-backups")
    if not retention and config.get("maxfiles"):
        retention = {"keep-last": config["maxfiles"]}
    if isinstance(retention, str):  # recorded as PVE wrote it
        retention = dict(part.split("=", 1) for part in retention.split(",") if "=" in part)
    keeps_all = isinstance(retention, dict) and truth(retention.get("keep-all"))
    return {
        "enabled": truth(config.get("enabled", True)),
        "storage": config.get("storage"),
        "retention": retention or None,
        "keeps_everything": not retention or keeps_all,
    }


def user_facts(rid: str, document: dict[str, Any], record: Record) -> dict[str, Any]:
    userid = rid.removeprefix("access/user/")
    realm = userid.rpartition("@")[2]
    realm_config = config_of(record["realms"].get(f"access/realm/{realm}", {}))
    tfa = _tfa_entries(record).get(userid, [])
    config = config_of(document)
    return {
        "userid": userid,
        "realm": realm,
        "realm_tfa": realm_config.get("tfa") or None,
        "enabled": truth(config.get("enable", True)),
        "tfa": [entry for entry in tfa if truth(entry.get("enable", True))],
        "keys": bool(config.get("keys")),
    }


def _tfa_entries(record: Record) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for userid, entry in _entries(record["tfa"].get("access/tfa", {})).items():
        items = entry.get("entries") if isinstance(entry, dict) else None
        found[userid] = [item for item in items or [] if isinstance(item, dict)]
    return found


def token_facts(rid: str, document: dict[str, Any]) -> dict[str, Any]:
    userid = rid.removeprefix("access/tokens/")
    tokens = [
        {**entry, "name": f"{userid}!{name}", "privsep": truth(entry.get("privsep", True))}
        for name, entry in _entries(document).items()
        if isinstance(entry, dict)
    ]
    return {"userid": userid, "tokens": tokens}
