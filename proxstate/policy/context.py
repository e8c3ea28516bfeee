"""What a rule's condition (and a query) sees: one context per recorded document.

    {
      "id": "qemu/101",          the resource id
      "kind": "qemu",            its first part
      "cluster": "lab",
      "doc": {...},              the recorded document, as `proxstate show` prints it
      "facts": {...},            what proxstate worked out for it from the cluster's other documents
      "record": {...},           the cluster's documents by collection, each keyed by resource id
    }

JMESPath has no variables, so a condition cannot join two documents itself (inside
`record.backup_jobs.*[? ...]` the guest is out of reach). The joins a rule needs are made here,
once per cluster, and handed over as `facts` (docs/policy.md lists them by kind).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from proxstate.policy import facts, peers

Context = dict[str, Any]

# Collections of `record`: name -> the first parts of the resource ids it holds.
COLLECTIONS: dict[str, tuple[str, ...]] = {
    "guests": ("qemu/", "lxc/"),
    "nodes": ("node/",),
    "storages": ("storage/",),
    "pools": ("pool/",),
    "backup_jobs": ("backup-job/",),
    "ha_resources": ("ha/resource/",),
    "ha_groups": ("ha/group/",),
    "ha_rules": ("ha/rule/",),
    "users": ("access/user/",),
    "tokens": ("access/tokens/",),
    "realms": ("access/realm/",),
    "tfa": ("access/tfa",),
    "networks": ("network/",),
    "apt": ("apt/",),
    "guest_firewalls": ("guest-firewall/",),
}


@dataclass(frozen=True, kw_only=True)
class Settings:
    """What the facts depend on beyond the record."""

    now: float  # seconds since the epoch: the moment ages are counted to
    protected_pools: tuple[str, ...] = ()
    # (cluster, resource id) -> when the guest's pending changes were first recorded (epoch seconds)
    pending_since: Mapping[tuple[str, str], float] | None = None


def collections_of(documents: Mapping[str, dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    record: dict[str, dict[str, dict[str, Any]]] = {name: {} for name in COLLECTIONS}
    for rid, document in documents.items():
        for name, prefixes in COLLECTIONS.items():
            if rid.startswith(prefixes):
                record[name][rid] = document
                break
    return record


def cluster_contexts(
    cluster: str, documents: Mapping[str, dict[str, Any]], *, settings: Settings
) -> Iterable[Context]:
    """The context of every document of one cluster (documents: resource id -> document)."""
    record = collections_of(documents)
    index = facts.GuestIndex.build(cluster, record, settings=settings)
    node_facts = peers.node_facts(record)
    for rid, document in documents.items():
        kind = rid.split("/", 1)[0]
        if kind in ("qemu", "lxc"):
            found = index.guest_facts(rid, document)
        elif kind == "node":
            found = node_facts.get(rid, {})
        elif rid.startswith("ha/resource/"):
            found = peers.ha_facts(rid, document, record)
        elif kind == "backup-job":
            found = peers.backup_job_facts(document, record)
        elif rid.startswith("access/user/"):
            found = peers.user_facts(rid, document, record)
        elif rid.startswith("access/tokens/"):
            found = peers.token_facts(rid, document)
        else:
            found = {}
        yield {"id": rid, "kind": kind, "cluster": cluster, "doc": document, "facts": found, "record": record}
