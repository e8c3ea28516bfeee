"""normalize_inventory: everything discovery read, as the documents of the state repository."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

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
Maker = Callable[[], Document]  # makes one document when called (document_makers)


def _wanted(inventory: Inventory, kind: str) -> bool:
    # An inventory that names the kinds it read gets documents of those kinds only.
    return not inventory.kinds or kind in inventory.kinds


def document_makers(inventory: Inventory, *, options: NormalizeOptions) -> dict[str, Maker]:
    """How to make each document of what was read, keyed by resource id, in the order they are made.

    Only the kinds in `inventory.kinds` (all, when it is empty). A document is made when its maker
    is called, so that a caller can make, write and drop them one at a time instead of holding the
    whole cluster's documents at once (a sync of 15,000 guests); the days of tasks and of the
    cluster log are made here, as one read gives many of them.
    """
    makers: dict[str, Maker] = {}
    if _wanted(inventory, CLUSTER):
        makers[CLUSTER] = partial(normalize_cluster, inventory.cluster, options=options)
    if _wanted(inventory, NODE):
        for node in inventory.nodes:
            makers[f"{NODE}/{node.name}"] = partial(normalize_node, node, options=options)
    for guest in inventory.guests:
        if _wanted(inventory, guest.kind):
            makers[guest_id(guest)] = partial(normalize_guest, guest, options=options)
    if _wanted(inventory, STORAGE):
        for storage in inventory.storages:
            makers[storage_id(storage)] = partial(normalize_storage, storage, options=options)
    if _wanted(inventory, CONTENT):
        for content in inventory.contents:
            makers[content_id(content)] = partial(normalize_content, content, options=options)
    for declared in inventory.declared:
        if _wanted(inventory, kind_of(declared.resource_id)):
            makers[declared.resource_id] = partial(normalize_declared, declared, options=options)
    made: Documents = {}
    if _wanted(inventory, TASKS):
        for node_name, tasks in inventory.tasks.items():
            made.update(normalize_tasks(node_name, tasks, logs=inventory.task_logs, options=options))
    if _wanted(inventory, CLUSTER_LOG) and inventory.cluster_log is not None:
        made.update(normalize_cluster_log(inventory.cluster_log, options=options))
    for resource_id, document in made.items():
        makers[resource_id] = partial(_given, document)
    return makers


def _given(document: Document) -> Document:
    return document


def made_document(
    resource_id: str, maker: Maker, *, options: NormalizeOptions, detections: list[Detection] | None = None
) -> Document | None:
    """One document of `document_makers`, made and scrubbed (what the secret detector masked is
    added to `detections`); None when it holds nothing configured (proxstate.normalize.unset)."""
    document = maker()
    found = scrub_document(resource_id, document, options=options)
    if detections is not None:
        detections.extend(found)
    return None if holds_nothing(resource_id, document) else document


def normalize_inventory(
    inventory: Inventory, *, options: NormalizeOptions, detections: list[Detection] | None = None
) -> Documents:
    """The documents of what was read, keyed by resource id and sorted by it.

    Only the kinds in `inventory.kinds` (all, when it is empty). What was not read is not here;
    keeping the last state of failed resources (`inventory.failures`) is the caller's policy.
    Every string goes through the secret detector; what it masked is added to `detections`. A
    document that holds nothing configured is left out (proxstate.normalize.unset).
    """
    # A section that holds nothing configured (a guest's empty firewall rules) is not written: its
    # absence says so, and the plan removes a recorded one, since it was read (normalize/unset.py).
    documents: Documents = {}
    for resource_id, make in document_makers(inventory, options=options).items():
        document = made_document(resource_id, make, options=options, detections=detections)
        if document is not None:
            documents[resource_id] = document
    return {resource_id: documents[resource_id] for resource_id in sorted(documents, key=natural_key)}
