"""The kinds of recorded resources: the first part of every resource id (`qemu` of `qemu/101`) and
the `kind` field of every document.

The built-in kinds are read by discovery's own stages; the kinds of the declarative configuration
(`firewall`, `pool`, `backup-job`, ...) come from the entries of proxstate.resources.catalog, which
gives them as `CATALOG_KINDS`. Only the few of those that code treats specially are named here.
"""

from __future__ import annotations

from typing import Final, Literal

__all__ = [
    "BUILTIN_KINDS",
    "CLUSTER",
    "CLUSTER_LOG",
    "CONTENT",
    "GUEST_FIREWALL",
    "GUEST_KINDS",
    "LXC",
    "NODE",
    "QEMU",
    "SNAPSHOT_CONFIG",
    "STORAGE",
    "TASK",
    "TASKS",
    "GuestKind",
    "kind_of",
    "split_kind",
]

CLUSTER: Final = "cluster"
NODE: Final = "node"
QEMU: Final = "qemu"
LXC: Final = "lxc"
STORAGE: Final = "storage"
CONTENT: Final = "content"
TASKS: Final = "tasks"  # one node's finished tasks of one day: tasks/<node>/<YYYY-MM-DD>
# PVE's cluster log (GET /cluster/log) of one UTC day, the whole cluster's: cluster-log/<YYYY-MM-DD>.
CLUSTER_LOG: Final = "cluster-log"
# The singular, as the design names a single task (`task/<upid>`): change reports class and order
# it with `tasks`.
TASK: Final = "task"

# Declarative kinds that code treats on their own: a guest's firewall and snapshot configs go with
# their guest, and a snapshot config holds a guest's config keys.
GUEST_FIREWALL: Final = "guest-firewall"
SNAPSHOT_CONFIG: Final = "snapshot-config"

GuestKind = Literal["qemu", "lxc"]
GUEST_KINDS: Final[tuple[GuestKind, ...]] = (QEMU, LXC)
# The built-in kinds, in the order configuration lists them and change reports sort them.
BUILTIN_KINDS: Final[tuple[str, ...]] = (CLUSTER, NODE, QEMU, LXC, STORAGE, CONTENT, TASKS, CLUSTER_LOG)


def split_kind(text: str) -> tuple[str, str]:
    """The kind an id names and what follows it (`qemu/101`: `qemu`, `101`), also of a glob of ids
    or a resource id template (`content/*/local`, `pool/{poolid}`): the text around its first `/`.
    It never fails, so that sorting and rules work on any text; proxstate.resources.ids.ResourceId
    checks an id's shape."""
    kind, _, rest = text.partition("/")
    return kind, rest


def kind_of(text: str) -> str:
    """The kind of an id, a glob of ids or an id template (see split_kind)."""
    return split_kind(text)[0]
