"""The readers behind discovery: one object per run that counts progress and collects failures,
and the per-kind reads (nodes, guests, storage and content, tasks, the declarative catalog).

Every read goes through `Reader.attempt`, which turns an API error into a ReadFailure (the
resource keeps its last state) unless the credentials stopped working, which ends the run.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from proxstate.api.client import PveClient
from proxstate.discovery.needs import major_of
from proxstate.discovery.privileges import (
    PERMISSIONS_PATH,
    Login,
    Permissions,
    by_design_failures,
    hidden_failures,
    hidden_keys,
    not_permitted,
    parse_permissions,
)
from proxstate.discovery.tasklist import finished_tasks
from proxstate.discovery.workers import each
from proxstate.errors import (
    ApiError,
    ApiTimeout,
    AuthenticationError,
    ConnectError,
    NodeUnreachable,
    ProtocolError,
)
from proxstate.resources.inventory import (
    GuestKind,
    Payload,
    RawContent,
    RawGuest,
    RawNode,
    ReadFailure,
)
from proxstate.resources.kinds import GUEST_KINDS, LXC, QEMU

T = TypeVar("T")
Item = TypeVar("Item")

# Errors that say the node as a whole could not be reached, not that one resource failed.
UNREACHABLE = (NodeUnreachable, ApiTimeout, ConnectError)


class Progress(Protocol):
    def __call__(self, *, done: int, total: int, what: str) -> None: ...


def no_progress(*, done: int, total: int, what: str) -> None:
    return None


@dataclass(frozen=True, kw_only=True)
class DiscoveryOptions:
    kinds: frozenset[str]
    cluster_name: str | None = None  # from proxstate.yaml; else PVE's own
    task_days: int = 7
    task_logs: bool = False
    nodes: frozenset[str] | None = None  # only these nodes (discover-* --node)
    guest_details: bool = True  # read each guest's config, pending changes and snapshots
    # At most this many tasks per node (discover-tasks --limit); None: every task of the window.
    task_limit: int | None = None
    task_errors: bool = False  # only failed tasks
    task_running: bool = False  # also the tasks running now (discover-tasks; never recorded)
    now: float | None = None


def cluster_name_of(status: list[Payload], nodes: list[str]) -> str:
    """PVE's cluster name, or the node name of a standalone host."""
    for entry in status:
        if entry.get("type") == "cluster" and entry.get("name"):
            return str(entry["name"])
    return nodes[0] if len(nodes) == 1 else "pve"


def reason_of(exc: ApiError) -> str:
    return exc.message


class Reader:
    """One discovery run: the client, the inventory being filled, and the progress count."""

    def __init__(self, client: PveClient, options: DiscoveryOptions, progress: Progress) -> None:
        self.client = client
        self.options = options
        self.progress = progress
        self.done = 0
        self.total = 0  # requests started
        self.queued = 0  # calls waiting for a worker (each makes one request or more)
        self.failures: list[ReadFailure] = []
        self.gone: dict[str, str] = {}  # nodes PVE said were unreachable (595/596) after all
        self.not_permitted: frozenset[str] = frozenset()  # catalog entries the login may not read
        self.permissions: Permissions | None = None  # the login's effective privileges, when known

    def restrict(self, permissions: Permissions, *, version: str) -> None:
        """What the login may not see or read: failures that keep it, and catalog entries not read."""
        settings = self.client.settings
        login = Login(user=settings.auth_user, token=settings.token is not None)
        kinds = self.options.kinds
        self.permissions = permissions
        self.failures += hidden_failures(permissions, kinds, user=login.user, major=major_of(version))
        self.failures += by_design_failures(permissions, kinds, login)
        self.not_permitted = frozenset(entry.path for entry, _ in not_permitted(permissions, kinds, login))

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
                self.gone.setdefault(node, reason_of(exc))
            self.failures.append(
                ReadFailure(
                    resource_id=resource_id,
                    reason=reason_of(exc),
                    node_unreachable=isinstance(exc, UNREACHABLE),
                    node=node,
                )
            )
            return None
        finally:
            self.done += 1
            self.report(what)

    def report(self, what: str) -> None:
        self.progress(done=self.done, total=self.total + self.queued, what=what)

    def count_queued(self, change: int) -> None:
        self.queued += change

    async def each(self, items: Sequence[Item], call: Callable[[Item], Awaitable[T]]) -> list[T]:
        """`call(item)` for every item, with as many workers as requests may be in flight."""
        return await each(items, call, workers=self.client.settings.concurrency, queued=self.count_queued)

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
        kind: GuestKind = QEMU if entry["type"] == QEMU else LXC
        vmid = int(entry["vmid"])
        node = str(entry["node"])
        rid = f"{kind}/{vmid}"
        client = self.client
        if kind == QEMU:
            pending = await self.attempt(rid, client.qemu_pending(node, vmid), rid, node=node)
            full: Payload | None = {}
        else:
            pending, full = await asyncio.gather(
                self.attempt(rid, client.lxc_pending(node, vmid), rid, node=node),
                self.attempt(rid, self._lxc_config(node, vmid), rid, node=node),
            )
        if pending is None or full is None:
            return None
        config = {str(e["key"]): e["value"] for e in pending if "value" in e}
        # PVE's /pending leaves out what is not a plain value (pve-guest-common's
        # config_with_pending_array skips array refs): a container's raw `lxc.*` lines. /config
        # has them; nothing else of /config is missing from /pending.
        named = {str(e.get("key")) for e in pending}
        config.update((k, v) for k, v in full.items() if k not in named and k != "digest")
        # Only the entries that change something are kept beside the config (a guest has some 20
        # entries, rarely one with a change): 4 KiB less per guest held until the snapshot.
        changing = [e for e in pending if "pending" in e or "delete" in e]
        snapshots = None
        if "parent" in config:
            snap_call = (
                client.qemu_snapshots(node, vmid) if kind == QEMU else client.lxc_snapshots(node, vmid)
            )
            snaps = await self.attempt(rid, snap_call, rid, node=node)
            if snaps is None:
                return None
            snapshots = [s.payload() for s in snaps]
        pool = entry.get("pool")
        return RawGuest(
            kind=kind,
            vmid=vmid,
            node=node,
            resource=entry,
            config=config,
            pending=changing,
            snapshots=snapshots,
            hidden=()
            if self.permissions is None
            else hidden_keys(self.permissions, kind, vmid, str(pool) if pool else None),
        )

    async def _lxc_config(self, node: str, vmid: int) -> Payload:
        return (await self.client.lxc_config(node, vmid)).payload()

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
        call = finished_tasks(
            self.client, node, since=since, limit=self.options.task_limit, errors=self.options.task_errors
        )
        found = await self.attempt(f"tasks/{node}/*", call, f"tasks on {node}", node=node)
        return None if found is None else (node, found)

    async def running_tasks(self, node: str) -> tuple[str, list[Payload]] | None:
        # pve-manager API2/Tasks.pm: `source=active` lists the node's active-tasks file, the running
        # tasks and those just finished but not yet archived.
        call = self.client.node_tasks(node, source="active")
        found = await self.attempt(f"tasks/{node}/*", call, f"running tasks on {node}", node=node)
        return None if found is None else (node, [t.payload() for t in found])


async def read_permissions(client: PveClient) -> Permissions | None:
    """The login's effective privileges; None when PVE does not say (nothing is assumed then)."""
    try:
        return parse_permissions(await client.get(PERMISSIONS_PATH))
    except AuthenticationError:
        raise
    except ApiError:
        return None


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


def listed_guest(entry: Payload) -> RawGuest:
    """A guest as /cluster/resources lists it, without its config (discovery tables)."""
    kind: GuestKind = QEMU if entry.get("type") == QEMU else LXC
    return RawGuest(
        kind=kind, vmid=int(entry["vmid"]), node=str(entry.get("node")), resource=entry, config={}
    )
