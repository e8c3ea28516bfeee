"""normalize_inventory: everything discovery read, as the documents of the state repository."""

from __future__ import annotations

from proxstate.normalize.cluster import normalize_cluster, normalize_node
from proxstate.normalize.clusterlog import normalize_cluster_log
from proxstate.normalize.declared import normalize_declared
from proxstate.normalize.guest import guest_id, normalize_guest
from proxstate.normalize.options import NormalizeOptions
from proxstate.normalize.scrub import Detection, scrub_document
from proxstate.normalize.storage import content_id, normalize_content, normalize_storage, storage_id
from proxstate.normalize.tasks import normalize_tasks
from proxstate.normalize.unset import holds_nothing
from proxstate.normalize.values import natural_key
from proxstate.resources.documents import Document
from proxstate.resources.inventory import Inventory
from proxstate.resources.kinds import CLUSTER, CLUSTER_LOG, CONTENT, NODE, STORAGE, TASKS, kind_of

Documents = dict[str, Document]  # by resource id


def _wanted(inventory: Inventory, kind: str) -> bool:
    # An inventory that names the kinds it read gets documents of those kinds only.
    return not inventory.kinds or kind in inventory.kinds


def normalize_inventory(
    inventory: Inventory, *, options: NormalizeOptions, detections: list[Detection] | None = None
) -> Documents:
    """The documents of what was read, keyed by resource id and sorted by it.

    Only the kinds in `inventory.kinds` (all, when it is empty). What was not read is not here;
    keeping the last state of failed resources (`inventory.failures`) is the caller's policy.
    Every string goes through the secret detector; what it masked is added to `detections`. A
    document that holds nothing configured is left out (proxstate.normalize.unset).
    """
    documents: Documents = {}
    if _wanted(inventory, CLUSTER):
        documents[CLUSTER] = normalize_cluster(inventory.cluster, options=options)
    if _wanted(inventory, NODE):
        for node in inventory.nodes:
            documents[f"{NODE}/{node.name}"] = normalize_node(node, options=options)
    for guest in inventory.guests:
        if _wanted(inventory, guest.kind):
            documents[guest_id(guest)] = normalize_guest(guest, options=options)
    if _wanted(inventory, STORAGE):
        for storage in inventory.storages:
            documents[storage_id(storage)] = normalize_storage(storage, options=options)
    if _wanted(inventory, CONTENT):
        for content in inventory.contents:
            documents[content_id(content)] = normalize_content(content, options=options)
    for declared in inventory.declared:
        if _wanted(inventory, kind_of(declared.resource_id)):
            documents[declared.resource_id] = normalize_declared(declared, options=options)
    if _wanted(inventory, TASKS):
        for node_name, tasks in inventory.tasks.items():
            documents.update(normalize_tasks(node_name, tasks, logs=inventory.task_logs, options=options))
    if _wanted(inventory, CLUSTER_LOG) and inventory.cluster_log is not None:
        documents.update(normalize_cluster_log(inventory.cluster_log, options=options))
    for resource_id, document in documents.items():
        found = scrub_document(resource_id, document, options=options)
        if detections is not None:
            detections.extend(found)
    # A section that holds nothing configured (a guest's empty firewall rules) is not written: its
    # absence says so, and the plan removes a recorded one, since it was read (normalize/unset.py).
    return {
        resource_id: documents[resource_id]
        for resource_id in sorted(documents, key=natural_key)
        if not holds_nothing(resource_id, documents[resource_id])
    }
