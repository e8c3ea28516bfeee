"""Which cluster a folder under `clusters/` belongs to, so that two clusters never share one.

Two clusters with the same PVE name (or two standalone hosts with the same node name) used to be
filed in the same folder, each sync replacing the other's record. A folder's `cluster.yaml`
already says whose it is: PVE's cluster name and its members, each with the corosync node id and
address that `/cluster/status` gives (pve-cluster keeps the node ids in corosync.conf; they do not
change while a node stays in the cluster). A cluster may claim a folder when it has the recorded
name and at least one recorded member with the same name, node id and address: nodes may join
and leave, one at a time, and the folder still follows its cluster. Any other cluster is refused,
naming both; docs/state-format.md says how to move or hand over a folder on purpose.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proxstate.errors import FolderClaimed
from proxstate.normalize.cluster import normalize_cluster
from proxstate.resources.documents import decode_document
from proxstate.resources.inventory import Inventory
from proxstate.resources.kinds import CLUSTER
from proxstate.safetext import escape_unsafe
from proxstate.store.layout import cluster_dir, document_file

SHOWN = 4  # members named in a message; a large cluster's list would drown the line


def _members(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    nodes = document.get("nodes")
    if not isinstance(nodes, Mapping):
        return {}
    return {str(name): facts for name, facts in nodes.items() if isinstance(facts, Mapping)}


def _same_member(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    # What one side does not say (an offline node's address) does not tell them apart.
    return all(a.get(key) is None or b.get(key) is None or a[key] == b[key] for key in ("nodeid", "ip"))


def same_cluster(recorded: Mapping[str, Any], current: Mapping[str, Any]) -> bool:
    """Whether `current` (a fresh cluster document) is the cluster `recorded` describes."""
    before, now = _members(recorded), _members(current)
    if not before:
        return True  # nothing recorded to tell: the folder is free
    if recorded.get("name") != current.get("name"):
        return False
    return any(name in now and _same_member(facts, now[name]) for name, facts in before.items())


def describe(document: Mapping[str, Any]) -> str:
    """`cluster 'lab' (nodes pve1 #1 10.0.0.1, pve2 #2 10.0.0.2)`, escaped for one line."""
    parts = []
    members = sorted(_members(document).items())
    for name, facts in members[:SHOWN]:
        extra = [f"#{facts['nodeid']}" if facts.get("nodeid") is not None else "", str(facts.get("ip") or "")]
        parts.append(" ".join([name, *[e for e in extra if e]]))
    if len(members) > SHOWN:
        parts.append(f"and {len(members) - SHOWN} more")
    name = escape_unsafe(str(document.get("name")))
    return escape_unsafe(f"cluster '{name}' (nodes {', '.join(parts) or 'none'})")


def check_folder(inventory: Inventory, recorded_files: Mapping[str, bytes], *, configured: str) -> None:
    """FolderClaimed when the folder of `inventory`'s cluster holds another cluster's record.

    `recorded_files` are the folder's files at the commit the record builds on; `configured`
    names the cluster as the user configured it (entry and address).
    """
    folder_file = document_file(inventory.cluster.name, CLUSTER)
    raw = recorded_files.get(folder_file)
    if raw is None:
        return
    # A file that does not load (read as empty) is replaced by what the cluster says, as everywhere.
    recorded = decode_document(raw, mode="tolerant")
    current = normalize_cluster(inventory.cluster)
    if same_cluster(recorded, current):
        return
    folder = escape_unsafe(str(cluster_dir(inventory.cluster.name)))
    raise FolderClaimed(
        f"{folder}/ holds the record of {describe(recorded)}, but {configured} is {describe(current)}; "
        "nothing was written. Give this cluster its own folder (`name:` in proxstate.yaml), or see "
        "docs/state-format.md to hand the folder over on purpose"
    )
