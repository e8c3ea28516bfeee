"""Discovery: read a cluster through the API into an Inventory of plain payloads.

One `/cluster/resources` call gives the inventory (nodes, guests, storages, with placement, power
state, lock, pool and HA state); then per-resource calls read what it does not hold. Per guest that is
one call, `pending` (it returns every config key with its current value and any pending one, so it
serves as the config too), plus `snapshot` only when the config names a snapshot (`parent`).

What fails is recorded as a ReadFailure and the rest goes on: an unreachable node (595/596, or a
timeout) marks the node and its guests; a single 403, 500 or lock timeout marks that resource.
Only a failure of the first, cluster-wide calls, or credentials that stop working (401), make
discovery fail as a whole.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from proxstate.api.client import PveClient
from proxstate.catalog import KINDS as CATALOG_KINDS
from proxstate.declared import kept_failures, read_declared
from proxstate.errors import (
    ApiError,
    ApiTimeout,
    AuthenticationError,
    ConnectError,
    NodeUnreachable,
    ProtocolError,
)
from proxstate.inventory import (
    GuestKind,
    Inventory,
    Payload,
    RawCluster,
    RawContent,
    RawGuest,
    RawNode,
    RawStorage,
    ReadFailure,
)
from proxstate.privileges import PERMISSIONS_PATH, Permissions, hidden_failures, parse_permissions

T = TypeVar("T")
SNAPSHOT_CONFIG = "snapshot-config"

TASK_LIMIT = 5000
# Errors that say the node as a whole could not be reached, not that one resource failed.
UNREACHABLE = (NodeUnreachable, ApiTimeout, ConnectError)


class Progress(Protocol):
    def __call__(self, *, done: int, total: int, what: str) -> None: ...


def _no_progress(*, done: int, total: int, what: str) -> None:
    return None


@dataclass(frozen=True, kw_only=True)
class DiscoveryOptions:
    kinds: frozenset[str]
    cluster_name: str | None = None  # from proxstate.yaml; else PVE's own
    task_days: int = 7
    task_logs: bool = False
    nodes: frozenset[str] | None = None  # only these nodes (discover-* --node)
    guest_details: bool = True  # read each guest's config, pending changes and snapshots
    task_limit: int = TASK_LIMIT
    task_errors: bool = False  # only failed tasks
    now: float | None = None


def cluster_name_of(status: list[Payload], nodes: list[str]) -> str:
    """PVE's cluster name, or the node name of a standalone host."""
    for entry in status:
        if entry.get("type") == "cluster" and entry.get("name"):
            return str(entry["name"])
    return nodes[0] if len(nodes) == 1 else "pve"


def _reason(exc: ApiError) -> str:
    return exc.message


class _Reader:
    """One discovery run: the client, the inventory being filled, and the progress count."""

    def __init__(self, client: PveClient, options: DiscoveryOptions, progress: Progress) -> None:
        self.client = client
        self.options = options
        self.progress = progress
        self.done = 0
        self.total = 0
        self.failures: list[ReadFailure] = []
        self.gone: dict[str, str] = {}  # nodes PVE said were unreachable (595/596) after all

    async def attempt(
        self, resource_id: str, call: Awaitable[T], what: str, *, node: str | None = None
    ) -> T | None:
        """Run one call (for `node`, if it is for one); on an API error record the failure and
        return None.

        A refused login or token ends the whole discovery: nothing more can be read with it.
        """
        self.total += 1
        try:
            return await call
        except AuthenticationError:
            raise
        except ApiError as exc:
            if isinstance(exc, NodeUnreachable) and node is not None:
                self.gone.setdefault(node, _reason(exc))
            self.failures.append(
                ReadFailure(
                    resource_id=resource_id,
                    reason=_reason(exc),
                    node_unreachable=isinstance(exc, UNREACHABLE),
                    node=node,
                )
            )
            return None
        finally:
            self.done += 1
            self.progress(done=self.done, total=self.total, what=what)

    async def node(self, entry: Payload, cluster_entry: Payload | None) -> RawNode:
        name = str(entry.get("node") or entry.get("name"))
        online = entry.get("status") == "online"
        if not online:
            reason = "node is offline (cluster status: {})".format(entry.get("status") or "unknown")
            return RawNode(
                name=name, online=False, resource=entry, cluster_entry=cluster_entry, unreachable=reason
            )
        status = await self.attempt(f"node/{name}", self.client.node_status(name), f"node {name}", node=name)
        failure = self.failures[-1] if status is None and self.failures else None
        return RawNode(
            name=name,
            online=True,
            resource=entry,
            cluster_entry=cluster_entry,
            status=status.payload() if status is not None else None,
            unreachable=failure.reason if failure is not None and failure.node_unreachable else None,
        )

    async def guest(self, entry: Payload) -> RawGuest | None:
        kind: GuestKind = "qemu" if entry["type"] == "qemu" else "lxc"
        vmid = int(entry["vmid"])
        node = str(entry["node"])
        rid = f"{kind}/{vmid}"
        client = self.client
        pending_call = client.qemu_pending(node, vmid) if kind == "qemu" else client.lxc_pending(node, vmid)
        pending = await self.attempt(rid, pending_call, rid, node=node)
        if pending is None:
            return None
        entries = [p.payload() for p in pending]
        config = {str(e["key"]): e["value"] for e in entries if "value" in e}
        snapshots = None
        if "parent" in config:
            snap_call = (
                client.qemu_snapshots(node, vmid) if kind == "qemu" else client.lxc_snapshots(node, vmid)
            )
            snaps = await self.attempt(rid, snap_call, rid, node=node)
            if snaps is None:
                return None
            snapshots = [s.payload() for s in snaps]
        return RawGuest(
            kind=kind,
            vmid=vmid,
            node=node,
            resource=entry,
            config=config,
            pending=entries,
            snapshots=snapshots,
        )

    async def node_storage(self, node: str) -> tuple[str, list[Payload]] | None:
        # A failure here leaves every storage definition with its last recorded node states, and
        # the content recorded for the node as it was: without the list, no content is read there.
        found = await self.attempt(
            "storage/*", self.client.node_storage(node), f"storage on {node}", node=node
        )
        if found is None:
            failure = self.failures[-1]
            self.failures.append(
                ReadFailure(
                    resource_id=f"content/{node}/*",
                    reason=failure.reason,
                    node_unreachable=failure.node_unreachable,
                    node=node,
                )
            )
            return None
        return node, [s.payload() for s in found]

    async def content(self, node: str, storage: str, folder: str) -> RawContent | None:
        rid = f"content/{folder}/{storage}"
        found = await self.attempt(rid, self.client.storage_content(node, storage), rid, node=node)
        return (
            None
            if found is None
            else RawContent(node=folder, storage=storage, volumes=[v.payload() for v in found])
        )

    async def tasks(self, node: str) -> tuple[str, list[Payload]] | None:
        now = self.options.now if self.options.now is not None else time.time()
        since = int(now - self.options.task_days * 86400)
        call = self.client.node_tasks(
            node,
            since=since,
            limit=self.options.task_limit,
            source="archive",
            errors=self.options.task_errors or None,
        )
        found = await self.attempt(f"tasks/{node}/*", call, f"tasks on {node}", node=node)
        return None if found is None else (node, [t.payload() for t in found])


async def _permissions(client: PveClient) -> Permissions | None:
    """The login's effective privileges; None when PVE does not say (nothing is assumed then)."""
    try:
        return parse_permissions(await client.get(PERMISSIONS_PATH))
    except AuthenticationError:
        raise
    except ApiError:
        return None


MAX_VMID = 999_999_999  # PVE's pve-vmid format: 100 to 999999999


def _check_resources(entries: list[Payload]) -> None:
    """ProtocolError for a resource list that cannot be the cluster's: one without any node (every
    cluster lists its nodes, whatever the privileges), or a guest without a valid vmid. Recording
    such a list would remove what it leaves out."""
    where = "unexpected answer from PVE at GET /cluster/resources"
    if not any(entry.get("type") == "node" for entry in entries):
        raise ProtocolError(f"{where}: it lists no node", path="/cluster/resources")
    for index, entry in enumerate(entries):
        vmid = entry.get("vmid")
        if entry.get("type") in ("qemu", "lxc") and not (isinstance(vmid, int) and 0 < vmid <= MAX_VMID):
            raise ProtocolError(
                f"{where}: item {index} is a {entry['type']} guest without a valid vmid",
                path="/cluster/resources",
            )


def _listed_guest(entry: Payload) -> RawGuest:
    """A guest as /cluster/resources lists it, without its config (discovery tables)."""
    kind: GuestKind = "qemu" if entry.get("type") == "qemu" else "lxc"
    return RawGuest(
        kind=kind, vmid=int(entry["vmid"]), node=str(entry.get("node")), resource=entry, config={}
    )


async def _gather(calls: Sequence[Awaitable[T]]) -> list[T]:
    return list(await asyncio.gather(*calls))


async def discover(
    client: PveClient, *, options: DiscoveryOptions, progress: Progress = _no_progress
) -> Inventory:
    """Read the cluster. Raises ApiError only when the cluster-wide calls fail."""
    version, status, resources, permissions = await asyncio.gather(
        client.version(), client.cluster_status(), client.cluster_resources(), _permissions(client)
    )
    status_entries = [s.payload() for s in status]
    resource_entries = [r.payload() for r in resources]
    _check_resources(resource_entries)
    kinds = options.kinds
    wanted_nodes = options.nodes
    node_entries = [r for r in resource_entries if r.get("type") == "node"]
    if wanted_nodes is not None:
        node_entries = [r for r in node_entries if r.get("node") in wanted_nodes]
    node_names = sorted(str(r.get("node")) for r in node_entries)
    name = options.cluster_name or cluster_name_of(status_entries, node_names)
    reader = _Reader(client, options, progress)
    if permissions is not None:
        reader.failures += hidden_failures(permissions, kinds, user=client.settings.auth_user)
    by_node = {str(e.get("name")): e for e in status_entries if e.get("type") == "node"}

    nodes = await _gather([reader.node(e, by_node.get(str(e.get("node")))) for e in node_entries])
    reachable = {n.name for n in nodes if n.online and n.unreachable is None}
    unreachable = {n.name for n in nodes} - reachable
    inventory = Inventory(
        cluster=RawCluster(
            name=name, version=version.payload(), status=status_entries, resources=resource_entries
        ),
        nodes=nodes if "node" in kinds or "cluster" in kinds else [],
        kinds=kinds,
    )

    guest_entries = [
        r
        for r in resource_entries
        if r.get("type") in kinds & {"qemu", "lxc"}
        and (wanted_nodes is None or r.get("node") in wanted_nodes)
    ]
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
            guests = await _gather([reader.guest(e) for e in readable])
            inventory.guests = [g for g in guests if g is not None]
        else:
            inventory.guests = [_listed_guest(e) for e in guest_entries]
        if SNAPSHOT_CONFIG in declared_kinds:
            await _read_declared(
                client,
                reader,
                inventory,
                kinds=frozenset({SNAPSHOT_CONFIG}),
                reachable=sorted(reachable),
                guests=inventory.guests,
            )

    stages: list[Awaitable[None]] = [guests_then_snapshots()]
    if early:
        listed = [_listed_guest(e) for e in readable]
        stages.append(
            _read_declared(client, reader, inventory, kinds=early, reachable=sorted(reachable), guests=listed)
        )
    if kinds & {"storage", "content"}:
        stages.append(_read_storage(client, reader, inventory, sorted(reachable)))
    if "tasks" in kinds:
        stages.append(_read_tasks(client, reader, inventory, sorted(reachable)))
    await asyncio.gather(*stages)
    if declared_kinds:
        # Unreachable nodes, and guests that were not read, keep their configuration documents.
        not_read = [
            (kind, int(vmid), f.reason)
            for f in reader.failures
            for kind, _, vmid in [f.resource_id.partition("/")]
            if kind in ("qemu", "lxc") and vmid.isdigit()
        ]
        reader.failures += kept_failures(declared_kinds, nodes=sorted(unreachable), guests=not_read)
    _nodes_gone(nodes, reader)
    inventory.failures = reader.failures
    return inventory


def _nodes_gone(nodes: list[RawNode], reader: _Reader) -> None:
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


async def _read_storage(client: PveClient, reader: _Reader, inventory: Inventory, nodes: list[str]) -> None:
    definitions = await client.storage_definitions()
    per_node = await _gather([reader.node_storage(n) for n in nodes])
    storages = {
        d.payload()["storage"]: RawStorage(storage=str(d.payload()["storage"]), definition=d.payload())
        for d in definitions
    }
    for item in per_node:
        if item is None:
            continue
        node, entries = item
        for entry in entries:
            storage = storages.get(str(entry.get("storage")))
            if storage is not None:
                storage.per_node[node] = entry
    inventory.storages = (
        sorted(storages.values(), key=lambda s: s.storage) if "storage" in inventory.kinds else []
    )
    if "content" not in inventory.kinds:
        return
    unlisted = [n for n, item in zip(nodes, per_node, strict=True) if item is None]
    calls: list[Awaitable[RawContent | None]] = []
    for storage in sorted(storages.values(), key=lambda s: s.storage):
        states = storage.per_node
        active = [n for n in sorted(states) if states[n].get("active") in (1, True, "1")]
        # Enabled but not active (an NFS server that is down): the content cannot be listed now, and
        # keeps its last state. A storage disabled on purpose has no content to keep.
        down = [
            n
            for n in sorted(states)
            if n not in active and states[n].get("enabled", 1) not in (0, False, "0")
        ]
        shared = storage.definition.get("shared") in (1, True, "1") or any(
            states[n].get("shared") in (1, True, "1") for n in active
        )
        if shared:
            if active:
                calls.append(reader.content(active[0], storage.storage, "_shared"))
            elif down or unlisted:
                # Perhaps active on a node whose list failed: its content keeps its last state.
                why = "is not active on any node" if down else "is listed by no node that answered"
                reader.failures.append(
                    ReadFailure(
                        resource_id=f"content/_shared/{storage.storage}",
                        reason=f"storage {storage.storage} {why}",
                    )
                )
            continue
        calls.extend(reader.content(n, storage.storage, n) for n in active)
        reader.failures += [
            ReadFailure(
                resource_id=f"content/{n}/{storage.storage}",
                reason=f"storage {storage.storage} is enabled but not active on node {n}",
                node=n,
            )
            for n in down
        ]
    inventory.contents = [c for c in await _gather(calls) if c is not None]


async def _read_declared(
    client: PveClient,
    reader: _Reader,
    inventory: Inventory,
    *,
    kinds: frozenset[str],
    reachable: list[str],
    guests: list[RawGuest],
) -> None:
    async def get(path: str) -> object:
        reader.total += 1
        try:
            return await client.get(path)
        except NodeUnreachable as exc:
            if exc.node is not None:
                reader.gone.setdefault(exc.node, _reason(exc))
            raise
        finally:
            reader.done += 1
            reader.progress(done=reader.done, total=reader.total, what=path)

    found = await read_declared(
        get, kinds=kinds, nodes=reachable, guests=guests, on_failure=reader.failures.append
    )
    inventory.declared.extend(found)


async def _read_tasks(client: PveClient, reader: _Reader, inventory: Inventory, nodes: list[str]) -> None:
    options = reader.options
    for item in await _gather([reader.tasks(n) for n in nodes]):
        if item is not None:
            node, tasks = item
            finished = [t for t in tasks if t.get("endtime") or t.get("status") not in (None, "running")]
            if options.task_errors:
                # Older PVE versions ignore the `errors` filter; apply it here as well.
                finished = [t for t in finished if t.get("status") not in (None, "OK")]
            inventory.tasks[node] = finished
    if options.task_logs:
        await _read_task_logs(client, reader, inventory)


async def _read_task_logs(client: PveClient, reader: _Reader, inventory: Inventory) -> None:
    async def one(node: str, upid: str) -> tuple[str, list[str]] | None:
        lines = await reader.attempt(
            f"tasks/{node}", client.task_log(node, upid), f"task log {upid}", node=node
        )
        return None if lines is None else (upid, [str(line.t) for line in lines])

    calls = [
        one(node, str(task["upid"]))
        for node, tasks in inventory.tasks.items()
        for task in tasks
        if task.get("status") not in (None, "OK") and task.get("upid")
    ]
    for item in await _gather(calls):
        if item is not None:
            inventory.task_logs[item[0]] = item[1]


def run(coro_factory: Callable[[], Awaitable[T]]) -> T:
    """Run one coroutine to completion from synchronous code (the CLI)."""

    async def main() -> T:
        return await coro_factory()

    return asyncio.run(main())


__all__ = ["DiscoveryOptions", "Progress", "cluster_name_of", "discover", "run"]
