"""normalize_inventory: everything discovery read, as the documents of the state repository."""

from __future__ import annotations

from typing import Any

from proxstate.inventory import Inventory
from proxstate.normalize.cluster import normalize_cluster, normalize_node
from proxstate.normalize.guest import guest_id, normalize_guest
from proxstate.normalize.options import NormalizeOptions
from proxstate.normalize.storage import content_id, normalize_content, normalize_storage, storage_id
from proxstate.normalize.tasks import normalize_tasks
from proxstate.normalize.values import natural_key

Documents = dict[str, dict[str, Any]]


def _wanted(inventory: Inventory, kind: str) -> bool:
    # An inventory that names the kinds it read gets documents of those kinds only.
    return not inventory.kinds or kind in inventory.kinds


def normalize_inventory(inventory: Inventory, *, options: NormalizeOptions) -> Documents:
    """The documents of one cluster, keyed by resource id and sorted by it.

    Resources listed in `inventory.failures` get no document: they keep their last recorded state.
    Nodes are the exception: an unreachable node's document says that it was unreachable.
    """
    failed = {failure.resource_id for failure in inventory.failures}
    documents: Documents = {}

    def add(resource_id: str, kind: str, document: dict[str, Any]) -> None:
        if kind == "node" or resource_id not in failed:
            documents[resource_id] = document

    if _wanted(inventory, "cluster"):
        add("cluster", "cluster", normalize_cluster(inventory.cluster, options=options))
    if _wanted(inventory, "node"):
        for node in inventory.nodes:
            add(f"node/{node.name}", "node", normalize_node(node, options=options))
    for guest in inventory.guests:
        if _wanted(inventory, guest.kind):
            add(guest_id(guest), guest.kind, normalize_guest(guest, options=options))
    if _wanted(inventory, "storage"):
        for storage in inventory.storages:
            add(storage_id(storage), "storage", normalize_storage(storage, options=options))
    if _wanted(inventory, "content"):
        for content in inventory.contents:
            add(content_id(content), "content", normalize_content(content, options=options))
    if _wanted(inventory, "tasks"):
        for node_name, tasks in inventory.tasks.items():
            day_documents = normalize_tasks(node_name, tasks, logs=inventory.task_logs, options=options)
            for resource_id, document in day_documents.items():
                add(resource_id, "tasks", document)
    return {resource_id: documents[resource_id] for resource_id in sorted(documents, key=natural_key)}
