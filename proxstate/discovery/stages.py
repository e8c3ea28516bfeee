"""Discovery: read a cluster through the API into an Inventory of plain payloads, stage by stage.

`discover` below is the whole path of a read, in order; each stage lives in its own module and
reads through the one Reader of the run (proxstate.discovery.reader), which collects the failures:

1. the cluster-wide calls, together: `/version`, `/cluster/status`, `/cluster/resources` (nodes,
   guests, storages, with placement, power state, lock, pool and HA state) and what the login may
   see and read (`privileges`: how 403s are handled);
2. the nodes' status (`cluster`);
3. the guests asked for (`guests`);
4. then, together under the client's bounds (in total and per node, proxstate.api.slots): the
   guests' config, then the snapshot configs they name; the catalog's other entries
   (`catalog_reads`); storage and its content (`storage`); tasks (`tasks`); the cluster log
   (`clusterlog`);
5. what keeps its last state because it was not read (`catalog_reads.kept_failures`), and the nodes
   that stopped answering on the way (`cluster.nodes_gone`).

What fails is recorded as a ReadFailure and the rest goes on: an unreachable node (595/596, or a
timeout) marks the node and its guests; a single 403, 500 or lock timeout marks that resource.
Only a failure of the first, cluster-wide calls, or credentials that stop working (401), make
discovery fail as a whole.
"""

from __future__ import annotations

import asyncio
import signal
import threading
from collections.abc import Awaitable, Callable
from types import FrameType
from typing import TypeVar

from proxstate.api.client import PveClient
from proxstate.discovery.catalog_reads import kept_failures, read_catalog
from proxstate.discovery.cluster import (
    check_resources,
    cluster_name_of,
    home_node,
    nodes_gone,
    read_nodes,
)
from proxstate.discovery.clusterlog import read_cluster_log
from proxstate.discovery.guests import guests_to_read, listed_guests, read_guests
from proxstate.discovery.privileges import read_permissions, restrict
from proxstate.discovery.reader import DiscoveryOptions, Progress, Reader, no_progress
from proxstate.discovery.storage import read_storage
from proxstate.discovery.tasks import read_tasks
from proxstate.discovery.workers import together
from proxstate.resources.catalog import KINDS as CATALOG_KINDS
from proxstate.resources.ids import ResourceId
from proxstate.resources.inventory import Inventory, RawCluster, ReadFailure
from proxstate.resources.kinds import CLUSTER, CLUSTER_LOG, CONTENT, NODE, SNAPSHOT_CONFIG, STORAGE, TASKS

T = TypeVar("T")


async def discover(
    client: PveClient, *, options: DiscoveryOptions, progress: Progress = no_progress
) -> Inventory:
    """Read the cluster. Raises ApiError only when the cluster-wide calls fail."""
    # 1. The cluster-wide calls.
    version, status, resource_entries, permissions = await together(
        client.version(),
        client.cluster_status(),
        client.cluster_resource_payloads(),
        read_permissions(client),
    )
    status_entries = [s.payload() for s in status]
    del status
    check_resources(resource_entries)
    kinds = options.kinds
    node_entries = [r for r in resource_entries if r.get("type") == NODE]
    if options.nodes is not None:
        node_entries = [r for r in node_entries if r.get("node") in options.nodes]
    node_names = sorted(str(r.get("node")) for r in node_entries)
    name = options.cluster_name or cluster_name_of(status_entries, node_names)
    reader = Reader(client, options, progress)
    client.slots.home = home_node(status_entries) or client.slots.home
    if permissions is not None:
        restrict(reader, permissions, version=str(version.payload().get("version", "")))

    # 2. The nodes.
    nodes = await read_nodes(reader, node_entries, status_entries)
    reachable = {n.name for n in nodes if n.online and n.unreachable is None}
    unreachable = {n.name for n in nodes} - reachable
    inventory = Inventory(
        cluster=RawCluster(
            name=name, version=version.payload(), status=status_entries, resources=resource_entries
        ),
        nodes=nodes if NODE in kinds or CLUSTER in kinds else [],
        kinds=kinds,
        guests_only=options.guests,
    )

    # 3. The guests asked for; a vmid listed twice, or with a type of its own, is not read.
    guest_entries = guests_to_read(reader, resource_entries, reachable=reachable, unreachable=unreachable)

    # 4. Every stage below needs only the inventory, so they run together and keep the allowed
    # number of requests in flight; only snapshot configs wait for the guest reads that name them.
    catalog_kinds = kinds & frozenset(CATALOG_KINDS)
    early = catalog_kinds - {SNAPSHOT_CONFIG}

    async def guests_then_snapshots() -> None:
        inventory.guests = await read_guests(reader, guest_entries, reachable=reachable)
        if SNAPSHOT_CONFIG in catalog_kinds:
            snapshot_kinds = frozenset({SNAPSHOT_CONFIG})
            await read_catalog(
                reader, inventory, kinds=snapshot_kinds, nodes=sorted(reachable), guests=inventory.guests
            )

    stages: list[Awaitable[None]] = [guests_then_snapshots()]
    if early:
        # Every listed guest, also when its own kind is not read (`--only guest-firewall`).
        listed = listed_guests(resource_entries, nodes=reachable)
        stages.append(
            read_catalog(
                reader,
                inventory,
                kinds=early,
                nodes=sorted(reachable),
                unreachable=sorted(unreachable),
                guests=listed,
            )
        )
    if kinds & {STORAGE, CONTENT}:
        stages.append(read_storage(reader, inventory, sorted(reachable)))
    if TASKS in kinds:
        stages.append(read_tasks(reader, inventory, sorted(reachable)))
    if CLUSTER_LOG in kinds:
        stages.append(read_cluster_log(reader, inventory))
    await together(*stages)

    # 5. What was not read keeps its last state.
    if catalog_kinds:
        # Unreachable nodes, and guests that were not read, keep their configuration documents.
        not_read = _guests_not_read(reader.failures)
        reader.failures += kept_failures(catalog_kinds, nodes=sorted(unreachable), guests=not_read)
    nodes_gone(nodes, reader)
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


# Seconds a first Ctrl-C gives the reads to end once cancelled, before it counts as a second one.
INTERRUPT_GRACE = 2.0


def run(coro_factory: Callable[[], Awaitable[T]]) -> T:
    """Run one coroutine to completion from synchronous code (the CLI)."""
    # The main task hands its value over here and itself returns None: when asyncio.run puts
    # SIGINT's handler back, Python's signal module formats (and drops) an error message holding
    # repr() of asyncio's handler, which names the main task and so repr() of its result. For an
    # inventory that is its whole text: some 60 MiB and half a second at 15,000 guests.
    result: list[T] = []

    async def main() -> None:
        restore = _second_ctrl_c_after_grace()
        try:
            result.append(await coro_factory())
        finally:
            restore()

    asyncio.run(main())
    return result[0]


def _second_ctrl_c_after_grace() -> Callable[[], None]:
    """Make a first Ctrl-C end the run even if a library swallows its cancellation.

    On the first SIGINT asyncio cancels the main task and waits for it to end; only a second SIGINT
    raises KeyboardInterrupt at once. A cancellation that lands in the middle of a connection's
    timeout handling can be lost, and the run would go on until its deadline. So the first SIGINT
    also schedules the second after INTERRUPT_GRACE seconds, which ends the run as a second Ctrl-C
    would (exit 130). Returns what puts asyncio's own handler back.
    """
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or not callable(previous):
        return lambda: None
    loop = asyncio.get_running_loop()

    def on_sigint(signum: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(loop.call_later, INTERRUPT_GRACE, signal.raise_signal, signal.SIGINT)
        previous(signum, frame)

    def restore() -> None:
        signal.signal(signal.SIGINT, previous)

    signal.signal(signal.SIGINT, on_sigint)
    return restore


__all__ = ["discover", "run"]
