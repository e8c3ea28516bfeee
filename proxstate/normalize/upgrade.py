"""A document of state format version 1 as version 2 writes it (docs/state-format.md, "Migration").

`upgrade_document` is what the migration commit applies to every recorded document, and what every
reader of the history (show-changes, log, list, show, drift on a repository not migrated yet)
applies to each document it loads, so that documents of both versions compare as equals when the
cluster did not change. It changes a version-2 document in nothing: applying it twice is applying
it once. Each step mirrors one rule of normalization:

- a guest's `name`, `tags` and `template` are recorded under `config` only (normalize/guest.py);
- a node's `nodeid` and `ip` are recorded with the member in `cluster.yaml` only, and whether a
  member is `online` in its node document's `status` only (normalize/cluster.py);
- a snapshot's `description`, `parent` and `snaptime` are recorded in its guest's document only
  (normalize/snapshot.py);
- firewall rules carry no `pos`: their order is the list's (normalize/declared.py);
- corosync's `config_version` counter and a replication job's `guest` and `jobnum` (the halves of
  its id) are not recorded (resources/catalog.py);
- a pool's members, a group's members and a user's groups are sorted (normalize/declared.py);
- a document that holds nothing configured is not written (normalize/unset.py): None.
"""

from __future__ import annotations

from typing import Any

from proxstate.normalize.declared import sort_sets, without_position
from proxstate.normalize.snapshot import IN_GUEST_DOCUMENT
from proxstate.normalize.unset import holds_nothing
from proxstate.resources.kinds import CLUSTER, GUEST_KINDS, NODE, SNAPSHOT_CONFIG, kind_of

Document = dict[str, Any]
_GUEST_TOP_LEVEL_CONFIG = ("name", "tags", "template")
_NODE_IN_CLUSTER = ("nodeid", "ip")  # recorded with the member in cluster.yaml
# Keys of a declared document's `config` that version 2 does not record, by resource id pattern.
_DROPPED = {"corosync/totem": ("config_version",), "replication/": ("guest", "jobnum")}
_SET_PATHS = {"pool/": "/pools/{poolid}", "access/group/": "/access/groups/{groupid}"}
_SET_PATHS["access/user/"] = "/access/users/{userid}"


def _matches(resource_id: str, pattern: str) -> bool:
    return resource_id.startswith(pattern) if pattern.endswith("/") else resource_id == pattern


def upgrade_document(resource_id: str, document: Document) -> Document | None:
    """The version-2 document of a version-1 (or version-2) one; None when version 2 writes none."""
    kind = kind_of(resource_id)
    upgraded = dict(document)
    config = upgraded.get("config")
    if kind in GUEST_KINDS:
        for key in _GUEST_TOP_LEVEL_CONFIG:
            upgraded.pop(key, None)
    elif kind == NODE:
        for key in _NODE_IN_CLUSTER:
            upgraded.pop(key, None)
    elif kind == CLUSTER and isinstance(upgraded.get("nodes"), dict):
        upgraded["nodes"] = {
            name: {k: v for k, v in member.items() if k != "online"} if isinstance(member, dict) else member
            for name, member in upgraded["nodes"].items()
        }
    elif isinstance(config, dict):
        config = dict(config)
        if kind == SNAPSHOT_CONFIG:
            config = {key: value for key, value in config.items() if key not in IN_GUEST_DOCUMENT}
        for pattern, keys in _DROPPED.items():
            if _matches(resource_id, pattern):
                config = {key: value for key, value in config.items() if key not in keys}
        for pattern, path in _SET_PATHS.items():
            if _matches(resource_id, pattern):
                config = sort_sets(path, config)
        upgraded["config"] = config
    entries = upgraded.get("entries")
    if isinstance(entries, list) and any(isinstance(item, dict) and "pos" in item for item in entries):
        upgraded["entries"] = [without_position(item) for item in entries]
    return None if holds_nothing(resource_id, upgraded) else upgraded
