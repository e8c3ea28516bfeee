"""The cluster-wide answers a discovery starts from, and the nodes.

`/cluster/resources` must be a list a cluster can have, or recording it would remove what it leaves
out. A node that is offline, or that does not answer its status read (595/596, a timeout), is
unreachable: its guests keep their last state. A node that stops answering later in the run is
marked unreachable at the end (`nodes_gone`).
"""

from __future__ import annotations

from proxstate.discovery.reader import Reader
from proxstate.errors import ProtocolError
from proxstate.resources.inventory import Payload, RawNode, ReadFailure
from proxstate.resources.kinds import GUEST_KINDS, NODE

MAX_VMID = 999_999_999  # PVE's pve-vmid format: 100 to 999999999


def check_resources(entries: list[Payload]) -> None:
    """ProtocolError for a resource list that cannot be the cluster's: one without any node (every
    cluster lists its nodes, whatever the privileges), or a guest without a valid vmid. Recording
    such a list would remove what it leaves out."""
    where = "unexpected answer from PVE at GET /cluster/resources"
    if not any(entry.get("type") == "node" for entry in entries):
        raise ProtocolError(f"{where}: it lists no node", path="/cluster/resources")
    for index, entry in enumerate(entries):
        vmid = entry.get("vmid")
        if entry.get("type") in GUEST_KINDS and not (isinstance(vmid, int) and 0 < vmid <= MAX_VMID):
            raise ProtocolError(
                f"{where}: item {index} is a {entry['type']} guest without a valid vmid",
                path="/cluster/resources",
            )


def cluster_name_of(status: list[Payload], nodes: list[str]) -> str:
    """PVE's cluster name, or the node name of a standalone host."""
    for entry in status:
        if entry.get("type") == "cluster" and entry.get("name"):
            return str(entry["name"])
    return nodes[0] if len(nodes) == 1 else "pve"


def home_node(status: list[Payload]) -> str | None:
    """The node the client talks to: /cluster/status marks it `local`; it serves the cluster-wide
    requests (proxstate.api.slots)."""
    for entry in status:
        if entry.get("type") == "node" and entry.get("local") in (1, True, "1") and entry.get("name"):
            return str(entry["name"])
    return None


def _node_name(entry: Payload) -> str:
    return str(entry.get("node"))


async def read_nodes(
    reader: Reader, node_entries: list[Payload], status_entries: list[Payload]
) -> list[RawNode]:
    """Each node of `node_entries` (/cluster/resources) with its status, or why it is unreachable."""
    by_node = {str(e.get("name")): e for e in status_entries if e.get("type") == "node"}
    return await reader.each(
        node_entries, lambda e: _node(reader, e, by_node.get(str(e.get("node")))), node=_node_name
    )


async def _node(reader: Reader, entry: Payload, cluster_entry: Payload | None) -> RawNode:
    name = str(entry.get("node") or entry.get("name"))
    if entry.get("status") != "online":
        reason = "node is offline (cluster status: {})".format(entry.get("status") or "unknown")
        return RawNode(
            name=name, online=False, resource=entry, cluster_entry=cluster_entry, unreachable=reason
        )
    call = reader.client.node_status(name)
    status = await reader.attempt(f"{NODE}/{name}", call, f"node {name}", node=name)
    if isinstance(status, ReadFailure):
        return RawNode(
            name=name,
            online=True,
            resource=entry,
            cluster_entry=cluster_entry,
            unreachable=status.reason if status.node_unreachable else None,
        )
    return RawNode(
        name=name, online=True, resource=entry, cluster_entry=cluster_entry, status=status.payload()
    )


def nodes_gone(nodes: list[RawNode], reader: Reader) -> None:
    """Nodes that stopped answering during the discovery (595/596 after their status was read) are
    unreachable too; a failure counts as its node's only when that node is unreachable, so that a
    timeout of one read on a node that answers is named on its own."""
    for node in nodes:
        if node.online and node.unreachable is None and node.name in reader.gone:
            node.unreachable = f"stopped answering during the sync: {reader.gone[node.name]}"
    unreachable = {node.name for node in nodes if not node.online or node.unreachable}
    for failure in reader.failures:
        if failure.node is not None:
            failure.node_unreachable = failure.node in unreachable


__all__ = ["check_resources", "cluster_name_of", "home_node", "nodes_gone", "read_nodes"]
