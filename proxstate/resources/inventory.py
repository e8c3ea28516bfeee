"""What discovery read from a cluster, before normalization: plain API payloads, grouped.

These are the inputs of the pure normalization functions (proxstate.normalize) and the outputs
of discovery (proxstate.discovery). Payloads are the `data` member of PVE's answers as dicts
(numbers may be strings, booleans may be 0/1: normalization fixes the types).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from proxstate.resources.kinds import GuestKind

__all__ = ["GuestKind"]  # where discovery's readers have always found it

Payload = dict[str, Any]


@dataclass(kw_only=True)
class ReadFailure:
    """A resource (or a whole node) that could not be read; it keeps its last recorded state."""

    resource_id: str  # e.g. "qemu/101", "node/pve2", "content/pve1/local"
    reason: str  # a human message, e.g. "403 Permission check failed (/vms/101, VM.Audit)"
    node_unreachable: bool = False  # because its node is unreachable (reported once, as the node)
    node: str | None = None  # the node that was asked, when the read was for one node
    # Only what was not listed keeps its last state (the login may not see everything); what was
    # listed and read is recorded.
    unseen_only: bool = False
    # The login may not read it by design (a privilege beyond PVEAuditor): not read, not a failure
    # unless something of it was recorded before.
    by_design: bool = False


@dataclass(kw_only=True)
class RawGuest:
    kind: GuestKind
    vmid: int
    node: str
    resource: Payload  # its entry of /cluster/resources (name, status, template, tags, pool, ...)
    config: Payload  # GET /nodes/{node}/{kind}/{vmid}/config
    pending: list[Payload] | None = None  # the entries of GET .../pending with a pending value or delete
    snapshots: list[Payload] | None = None  # GET .../snapshot
    status: Payload | None = None  # GET .../status/current (qmpstatus, ha, lock, ...)
    # Config keys PVE leaves out for this login (a container's `env` without VM.Config.Options):
    # absent from `config` and `pending`, they keep their last recorded value.
    hidden: tuple[str, ...] = ()


@dataclass(kw_only=True)
class RawNode:
    name: str
    online: bool
    resource: Payload  # its entry of /cluster/resources or /nodes
    cluster_entry: Payload | None = None  # its entry of /cluster/status (nodeid, ip, ...)
    status: Payload | None = None  # GET /nodes/{node}/status; None when unreachable
    unreachable: str | None = None  # why it could not be read, when it could not


@dataclass(kw_only=True)
class RawStorage:
    storage: str
    definition: Payload  # its entry of GET /storage
    per_node: dict[str, Payload] = field(default_factory=dict)  # node -> entry of /nodes/{node}/storage


@dataclass(kw_only=True)
class RawContent:
    node: str  # a node name, or "_shared" for a shared storage read once
    storage: str
    volumes: list[Payload]


@dataclass(kw_only=True)
class RawDeclared:
    """One answer of a declarative-configuration endpoint of proxstate.resources.catalog, as recorded."""

    resource_id: str  # e.g. "backup-job/backup-1", "firewall/node/pve1/rules"
    entry: str  # the catalog entry's path template, which says how to normalize it
    data: Any  # the `data` of PVE's answer (an item of it, for entries in `items` mode)
    beside: dict[str, Any] = field(default_factory=dict)  # the entry's fields beside `data` (`changes`)
    listed: dict[str, Any] = field(default_factory=dict)  # fields of its item in the source list


@dataclass(kw_only=True)
class RawCluster:
    name: str  # the folder name of the cluster in the state repository
    version: Payload  # GET /version
    status: list[Payload]  # GET /cluster/status
    resources: list[Payload] = field(default_factory=list)  # GET /cluster/resources


@dataclass(kw_only=True)
class Inventory:
    """Everything one discovery read, plus what it could not read."""

    cluster: RawCluster
    nodes: list[RawNode] = field(default_factory=list)
    guests: list[RawGuest] = field(default_factory=list)
    storages: list[RawStorage] = field(default_factory=list)
    contents: list[RawContent] = field(default_factory=list)
    tasks: dict[str, list[Payload]] = field(default_factory=dict)  # node -> finished tasks
    running_tasks: dict[str, list[Payload]] = field(default_factory=dict)  # node -> running (never recorded)
    task_logs: dict[str, list[str]] = field(default_factory=dict)  # upid -> log lines (failed tasks)
    declared: list[RawDeclared] = field(default_factory=list)  # the catalog's configuration
    # GET /cluster/log, newest first; None when it was not read. `cluster_log_own_only`: the login
    # lacks Sys.Syslog on `/`, so PVE showed it only its own entries.
    cluster_log: list[Payload] | None = None
    cluster_log_own_only: bool = False
    # Only these guests were read (a watch's burst); the others keep their last state. None: all.
    guests_only: frozenset[str] | None = None
    failures: list[ReadFailure] = field(default_factory=list)
    kinds: frozenset[str] = frozenset()  # the kinds that were read (cluster, node, qemu, lxc, ...)
