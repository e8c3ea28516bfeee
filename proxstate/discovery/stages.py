"""The discovery stages that read many resources at once: storage and its content, tasks and
their logs, and the declarative configuration of proxstate.resources.catalog. Each adds to the Inventory
and leaves its failures with the Reader.
"""

from __future__ import annotations

from collections.abc import Sequence

from proxstate.api.client import PveClient
from proxstate.discovery.catalog_reads import read_declared
from proxstate.discovery.reader import Reader, reason_of
from proxstate.errors import (
    NodeUnreachable,
)
from proxstate.resources.inventory import (
    Inventory,
    RawGuest,
    RawStorage,
    ReadFailure,
)
from proxstate.resources.kinds import CONTENT, STORAGE


async def read_storage(client: PveClient, reader: Reader, inventory: Inventory, nodes: list[str]) -> None:
    definitions = await reader.attempt("storage/*", client.storage_definitions(), "storage definitions")
    if definitions is None:
        # Without the definitions nothing of storage can be told: every storage and all content
        # keep their last state.
        reader.failures.append(ReadFailure(resource_id="content/*", reason=reader.failures[-1].reason))
        return
    per_node = await reader.each(nodes, reader.node_storage)
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
        sorted(storages.values(), key=lambda s: s.storage) if STORAGE in inventory.kinds else []
    )
    if CONTENT not in inventory.kinds:
        return
    unlisted = [n for n, item in zip(nodes, per_node, strict=True) if item is None]
    listings: list[tuple[str, str, str]] = []  # node to ask, storage, folder recorded under
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
                listings.append((active[0], storage.storage, "_shared"))
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
        listings.extend((n, storage.storage, n) for n in active)
        reader.failures += [
            ReadFailure(
                resource_id=f"content/{n}/{storage.storage}",
                reason=f"storage {storage.storage} is enabled but not active on node {n}",
                node=n,
            )
            for n in down
        ]
    found = await reader.each(listings, lambda listing: reader.content(*listing))
    inventory.contents = [c for c in found if c is not None]


async def read_declared_into(
    client: PveClient,
    reader: Reader,
    inventory: Inventory,
    *,
    kinds: frozenset[str],
    reachable: list[str],
    unreachable: Sequence[str] = (),
    guests: list[RawGuest],
) -> None:
    async def get(path: str, *, envelope: bool = False) -> object:
        reader.total += 1
        try:
            return await (client.get_envelope(path) if envelope else client.get(path))
        except NodeUnreachable as exc:
            if exc.node is not None:
                reader.gone.setdefault(exc.node, reason_of(exc))
            raise
        finally:
            reader.done += 1
            reader.report(path)

    found = await read_declared(
        get,
        kinds=kinds,
        nodes=reachable,
        guests=guests,
        on_failure=reader.failures.append,
        workers=client.settings.concurrency,
        queued=reader.count_queued,
        skip=reader.not_permitted,
        unreachable=unreachable,
    )
    inventory.declared.extend(found)


async def read_tasks(client: PveClient, reader: Reader, inventory: Inventory, nodes: list[str]) -> None:
    options = reader.options
    for item in await reader.each(nodes, reader.tasks):
        if item is not None:
            node, tasks = item
            finished = [t for t in tasks if t.get("endtime") or t.get("status") not in (None, "running")]
            if options.task_errors:
                # Older PVE versions ignore the `errors` filter; apply it here as well.
                finished = [t for t in finished if t.get("status") not in (None, "OK")]
            inventory.tasks[node] = finished
    if options.task_running:
        for item in await reader.each(nodes, reader.running_tasks):
            if item is not None:
                node, tasks = item
                # PVE marks a running task's status `RUNNING`; a finished one has its end time.
                inventory.running_tasks[node] = [
                    t
                    for t in tasks
                    if not t.get("endtime") and t.get("status") in (None, "RUNNING", "running")
                ]
    if options.task_logs:
        await read_task_logs(client, reader, inventory)


async def read_task_logs(client: PveClient, reader: Reader, inventory: Inventory) -> None:
    async def one(node: str, upid: str) -> tuple[str, list[str]] | None:
        lines = await reader.attempt(
            f"tasks/{node}", client.task_log(node, upid), f"task log {upid}", node=node
        )
        return None if lines is None else (upid, [str(line.t) for line in lines])

    failed = [
        (node, str(task["upid"]))
        for node, tasks in inventory.tasks.items()
        for task in tasks
        if task.get("status") not in (None, "OK") and task.get("upid")
    ]
    for item in await reader.each(failed, lambda task: one(*task)):
        if item is not None:
            inventory.task_logs[item[0]] = item[1]
