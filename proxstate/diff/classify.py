"""Which class a field change belongs to, from the document kind and the field's path.

Guests (`qemu` and `lxc` documents); `N` stands for a number:

| path                                                        | class     |
|-------------------------------------------------------------|-----------|
| `node`                                                      | migrated  |
| `status`                                                    | power     |
| `config.<disk>.size` (disk: scsiN virtioN sataN ideN efidisk0 tpmstate0 rootfs mpN) | resized |
| `config.<disk>` or `config.unusedN` added or removed        | hardware  |
| `config.` cores sockets memory balloon cpu numa numaN hostpciN usbN vcpus cpulimit swap | hardware |
| `config.netN`, `config.ipconfigN`, nameserver, searchdomain | network   |
| `pending`, `pending_delete`                                 | pending   |
| `snapshots`                                                 | snapshot  |
| `tags`, `config.tags`                                       | tags      |
| `pool`                                                      | pool      |
| `ha`                                                        | ha        |
| `lock`, `config.lock`                                       | lock      |
| `template`, `config.template`                               | template  |
| anything else (other disk options, boot, name, ...)         | config    |

Other kinds:

| kind      | path                    | class  |
|-----------|-------------------------|--------|
| `node`    | `status`                | power  |
| `content` | `volumes.<volid>.size`  | resized |
| `tasks`   | anything                | task   |
| `ha`      | anything                | ha     |
| `pool`    | anything                | pool   |
| `firewall`, `guest-firewall`, `network`, `sdn`, `dns`, `hosts` | anything | network |
| any other | anything                | config |

A whole resource that appears or disappears is `added` or `removed` (see `compare`).

`security` is a class of resources, not of fields: a resource whose id matches `SECURITY` (the
firewall of the cluster, a node, a guest or a VNet; users, groups, roles, ACL, API tokens, TFA,
realms and their sync jobs; ACME accounts and plugins, which get the certificates) carries it
besides the classes of its fields, so that a reviewer can filter on it and reports put it first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from proxstate.diff.model import ChangeClass
from proxstate.resources.kinds import CONTENT, GUEST_KINDS, NODE, TASK, TASKS

_DISK = re.compile(r"(?:scsi|virtio|sata|ide|mp)\d+|efidisk0|tpmstate0|rootfs")
_UNUSED = re.compile(r"unused\d+")
_HARDWARE = re.compile(r"cores|sockets|memory|balloon|cpu|numa\d*|hostpci\d+|usb\d+|vcpus|cpulimit|swap")
_NETWORK = re.compile(r"net\d+|ipconfig\d+|nameserver|searchdomain")

# Top-level guest fields that have a class of their own.
_GUEST_TOP = {
    "node": ChangeClass.MIGRATED,
    "status": ChangeClass.POWER,
    "pending": ChangeClass.PENDING,
    "pending_delete": ChangeClass.PENDING,
    "snapshots": ChangeClass.SNAPSHOT,
    "tags": ChangeClass.TAGS,
    "pool": ChangeClass.POOL,
    "ha": ChangeClass.HA,
    "lock": ChangeClass.LOCK,
    "template": ChangeClass.TEMPLATE,
}
# Config keys that mirror a top-level field (PVE keeps them in the guest config too).
# `parent` names the snapshot the current state derives from: it moves with every snapshot.
_CONFIG_MIRRORS = {
    "tags": ChangeClass.TAGS,
    "lock": ChangeClass.LOCK,
    "template": ChangeClass.TEMPLATE,
    "parent": ChangeClass.SNAPSHOT,
}


# Kinds of the declarative configuration (proxstate.resources.catalog) with a class of their own.
_DECLARED = {
    "ha": ChangeClass.HA,
    "pool": ChangeClass.POOL,
    "firewall": ChangeClass.NETWORK,
    "guest-firewall": ChangeClass.NETWORK,
    "network": ChangeClass.NETWORK,
    "sdn": ChangeClass.NETWORK,
    "dns": ChangeClass.NETWORK,
    "hosts": ChangeClass.NETWORK,
}


SECURITY = re.compile(r"(?:firewall|guest-firewall|access|acme|realm-sync)/.*|sdn/vnet-firewall/.*")


def is_security(resource_id: str) -> bool:
    """True when changes of the resource matter to the cluster's security (see the table above)."""
    return SECURITY.fullmatch(resource_id) is not None


def classify(*, kind: str, keys: Sequence[Any], action: str) -> ChangeClass:
    """The class of a change at `keys` (the path as a key list) in a document of `kind`."""
    head = str(keys[0]) if keys else ""
    if kind in GUEST_KINDS:
        return _classify_guest(keys, action)
    if kind == NODE:
        return ChangeClass.POWER if head in ("status", "unreachable") else ChangeClass.CONFIG
    if kind == CONTENT:
        is_volume_size = head == "volumes" and len(keys) == 3 and keys[2] == "size"
        return ChangeClass.RESIZED if is_volume_size else ChangeClass.CONFIG
    if kind in (TASKS, TASK):
        return ChangeClass.TASK
    return _DECLARED.get(kind, ChangeClass.CONFIG)


def _classify_guest(keys: Sequence[Any], action: str) -> ChangeClass:
    head = str(keys[0]) if keys else ""
    if head in _GUEST_TOP:
        return _GUEST_TOP[head]
    if head != "config" or len(keys) < 2:
        return ChangeClass.CONFIG
    key = str(keys[1])
    if key in _CONFIG_MIRRORS:
        return _CONFIG_MIRRORS[key]
    if _DISK.fullmatch(key):
        return _classify_disk(keys, action)
    if _UNUSED.fullmatch(key):
        # A detached disk becomes unusedN; attaching or deleting it changes the hardware.
        return ChangeClass.HARDWARE if len(keys) == 2 and action != "changed" else ChangeClass.CONFIG
    if _HARDWARE.fullmatch(key):
        return ChangeClass.HARDWARE
    if _NETWORK.fullmatch(key):
        return ChangeClass.NETWORK
    return ChangeClass.CONFIG


def _classify_disk(keys: Sequence[Any], action: str) -> ChangeClass:
    if len(keys) == 2 and action != "changed":
        return ChangeClass.HARDWARE
    if len(keys) >= 3 and keys[2] == "size":
        return ChangeClass.RESIZED
    # Other disk options (cache, iothread, the volume moving to another storage) are configuration.
    return ChangeClass.CONFIG
