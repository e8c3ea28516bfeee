"""Discovery: read a cluster through the API into an Inventory of plain payloads.

One `/cluster/resources` call gives the inventory (nodes, guests, storages, with placement, power
state, lock, pool and HA state); then per-resource calls read what it does not hold. Per guest that is
one call, `pending` (it returns every config key with its current value and any pending one, so it
serves as the config too), plus `snapshot` only when the config names a snapshot (`parent`); a
container also has its `config` read, for the raw `lxc.*` lines `pending` leaves out.

What fails is recorded as a ReadFailure and the rest goes on: an unreachable node (595/596, or a
timeout) marks the node and its guests; a single 403, 500 or lock timeout marks that resource.
Only a failure of the first, cluster-wide calls, or credentials that stop working (401), make
discovery fail as a whole.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from proxstate.api.client import PveClient
from proxstate.discovery.catalog_reads import kept_failures
from proxstate.discovery.guestlist import wanted_guests
from proxstate.discovery.reader import (
    DiscoveryOptions,
    Progress,
    Reader,
    T,
    check_resources,
    cluster_name_of,
    listed_guest,
    no_progress,
    read_permissions,
)
from proxstate.discovery.stages import read_declared_into, read_storage, read_tasks
from proxstate.resources.catalog import KINDS as CATALOG_KINDS
from proxstate.resources.ids import ResourceId
from proxstate.resources.inventory import Inventory, RawCluster, RawNode, ReadFailure
from proxstate.resources.kinds import CLUSTER, CONTENT, NODE, SNAPSHOT_CONFIG, STORAGE, TASKS


async def discover(
    client: PveClient, *, options: DiscoveryOptions, progress: Progress = no_progress
) -> Inventory:
    """Read the cluster. Raises ApiError only when the cluster-wide calls fail."""
    version, status, resources, permissions = await asyncio.gather(
        client.version(), client.cluster_status(), client.cluster_resources(), read_permissions(client)
    )
    status_entries = [s.payload() for s in status]
    resource_entries = [r.payload() for r in resources]
    check_resources(resource_entries)
    kinds = options.kinds
    wanted_nodes = options.nodes
    node_entries = [r for r in resource_entries if r.get("type") == "node"]
    if wanted_nodes is not None:
        node_entries = [r for r in node_entries if r.get("node") in wanted_nodes]
    node_names = sorted(str(r.get("node")) for r in node_entries)
    name = options.cluster_name or cluster_name_of(status_entries, node_names)
    reader = Reader(client, options, progress)
    if permissions is not None:
        reader.restrict(permissions, version=str(version.payload().get("version", "")))
    by_node = {str(e.get("name")): e for e in status_entries if e.get("type") == "node"}

    nodes = await reader.each(node_entries, lambda e: reader.node(e, by_node.get(str(e.get("node")))))
    reachable = {n.name for n in nodes if n.online and n.unreachable is None}
    unreachable = {n.name for n in nodes} - reachable
    inventory = Inventory(
        cluster=RawCluster(
            name=name, version=version.payload(), status=status_entries, resources=resource_entries
        ),
        nodes=nodes if NODE in kinds or CLUSTER in kinds else [],
        kinds=kinds,
    )

    # A vmid listed twice, or with a type of its own, keeps its documents and is named.
    guest_entries = wanted_guests(
        resource_entries,
        kinds=kinds,
        nodes=wanted_nodes,
        failures=reader.failures if options.guest_details else None,
    )
    for entry in guest_entries:
        # Listing guests needs no per-guest call, so an unreachable node hides nothing then.
        node = entry.get("node")
        if node not in reachable and options.guest_details:
            known = node in unreachable
            reader.failures.append(
                ReadFailure(
                    resource_id=f"{entry['type']}/{entry['vmid']}",
                    reason=f"node {node} is unreachable"
                    if known
                    else f"its node {node!r} is not among the nodes /cluster/resources lists",
                    node_unreachable=known,
                    node=str(node) if known else None,
                )
            )
    readable = [r for r in guest_entries if r.get("node") in reachable]
    declared_kinds = kinds & frozenset(CATALOG_KINDS)
    # Every stage below needs only the inventory, so they run together and keep the allowed number
    # of requests in flight; only snapshot configs wait for the guest reads that name the snapshots.
    early = declared_kinds - {SNAPSHOT_CONFIG}

    async def guests_then_snapshots() -> None:
        if options.guest_details:
            guests = await reader.each(readable, reader.guest)
            inventory.guests = [g for g in guests if g is not None]
        else:
            inventory.guests = [listed_guest(e) for e in guest_entries]
        if SNAPSHOT_CONFIG in declared_kinds:
            await read_declared_into(
                client,
                reader,
                inventory,
                kinds=frozenset({SNAPSHOT_CONFIG}),
                reachable=sorted(reachable),
                guests=inventory.guests,
            )

    stages: list[Awaitable[None]] = [guests_then_snapshots()]
    if early:
        # Every listed guest, also when its own kind is not read (`--only guest-firewall`).
        listed = [
            listed_guest(r)
            for r in resource_entries
            if r.get("type") in ("qemu", "lxc")
            and r.get("node") in reachable
            and (wanted_nodes is None or r.get("node") in wanted_nodes)
        ]
        stages.append(
            read_declared_into(
                client,
                reader,
                inventory,
                kinds=early,
                reachable=sorted(reachable),
                unreachable=sorted(unreachable),
                guests=listed,
            )
        )
    if kinds & {STORAGE, CONTENT}:
        stages.append(read_storage(client, reader, inventory, sorted(reachable)))
    if TASKS in kinds:
        stages.append(read_tasks(client, reader, inventory, sorted(reachable)))
    await asyncio.gather(*stages)
    if declared_kinds:
        # Unreachable nodes, and guests that were not read, keep their configuration documents.
        not_read = _guests_not_read(reader.failures)
        reader.failures += kept_failures(declared_kinds, nodes=sorted(unreachable), guests=not_read)
    _nodes_gone(nodes, reader)
    inventory.failures = reader.failures
    return inventory


def _guests_not_read(failures: list[ReadFailure]) -> list[tuple[str, int, str]]:
    """(kind, vmid, reason) of each guest a failure names; a glob (`qemu/*`) names none."""
    out = []
    for failure in failures:
        rid = ResourceId.parse_or_none(failure.resource_id)
        if rid is not None and rid.vmid is not None:
            out.append((rid.kind, rid.vmid, failure.reason))
    return out


def _nodes_gone(nodes: list[RawNode], reader: Reader) -> None:
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


def run(coro_factory: Callable[[], Awaitable[T]]) -> T:
    """Run one coroutine to completion from synchronous code (the CLI)."""

    async def main() -> T:
        return await coro_factory()

    return asyncio.run(main())


__all__ = ["DiscoveryOptions", "Progress", "cluster_name_of", "discover", "run"]
