"""Storage: the definitions (`/storage`), each node's view of them, and the content of each
storage that is active.

A shared storage's content is listed once, through a node where it is active, and recorded under
`_shared`; a local one per node. What cannot be listed now (a storage enabled but not active, a
node whose storage list failed) keeps its last state; a storage disabled on purpose has none.
"""

from __future__ import annotations

from proxstate.discovery.reader import Reader
from proxstate.resources.inventory import (
    Inventory,
    Payload,
    RawContent,
    RawStorage,
    ReadFailure,
)
from proxstate.resources.kinds import CONTENT, STORAGE


async def read_storage(reader: Reader, inventory: Inventory, nodes: list[str]) -> None:
    """The storages and, when `content` is asked for, their content, into the inventory."""
    call = reader.client.storage_definitions()
    definitions = await reader.attempt("storage/*", call, "storage definitions")
    if isinstance(definitions, ReadFailure):
        # Without the definitions nothing of storage can be told: every storage and all content
        # keep their last state.
        reader.failures.append(ReadFailure(resource_id="content/*", reason=definitions.reason))
        return
    per_node = await reader.each(nodes, lambda node: _node_storage(reader, node), node=str)
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
                        resource_id=f"{CONTENT}/_shared/{storage.storage}",
                        reason=f"storage {storage.storage} {why}",
                    )
                )
            continue
        listings.extend((n, storage.storage, n) for n in active)
        reader.failures += [
            ReadFailure(
                resource_id=f"{CONTENT}/{n}/{storage.storage}",
                reason=f"storage {storage.storage} is enabled but not active on node {n}",
                node=n,
            )
            for n in down
        ]
    found = await reader.each(
        listings, lambda listing: _content(reader, *listing), node=lambda listing: listing[0]
    )
    inventory.contents = [c for c in found if c is not None]


async def _node_storage(reader: Reader, node: str) -> tuple[str, list[Payload]] | None:
    # A failure here leaves every storage definition with its last recorded node states, and
    # the content recorded for the node as it was: without the list, no content is read there.
    call = reader.client.node_storage(node)
    found = await reader.attempt("storage/*", call, f"storage on {node}", node=node)
    if isinstance(found, ReadFailure):
        reader.failures.append(
            ReadFailure(
                resource_id=f"{CONTENT}/{node}/*",
                reason=found.reason,
                node_unreachable=found.node_unreachable,
                node=node,
            )
        )
        return None
    return node, [s.payload() for s in found]


async def _content(reader: Reader, node: str, storage: str, folder: str) -> RawContent | None:
    rid = f"{CONTENT}/{folder}/{storage}"
    found = await reader.attempt(rid, reader.client.storage_content_payloads(node, storage), rid, node=node)
    if isinstance(found, ReadFailure):
        return None
    return RawContent(node=folder, storage=storage, volumes=found)
