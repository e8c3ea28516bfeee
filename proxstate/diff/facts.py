"""What an added or removed resource is, in a few facts a reviewer reads at a glance.

A guest: name, node, status, cores, memory, its disks and network cards; a collection (firewall
rules, IP-set entries, tasks, volumes): its elements, one line each; any other kind: its scalar
fields, top level and `config`. The facts are (label, value) pairs; the whole document travels
beside them for `--full`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from proxstate.diff.collections import COLLECTIONS, describe, failed_task
from proxstate.resources.kinds import GUEST_KINDS

Facts = tuple[tuple[str, Any], ...]
MAX_FACTS = 12
_DISK = re.compile(r"(?:scsi|virtio|sata|ide|mp)\d+|efidisk0|tpmstate0|rootfs")
_NIC = re.compile(r"net\d+")
_GUEST = ("name", "hostname", "cores", "sockets", "memory", "ostype", "tags")
_IDENTITY = frozenset({"kind", "id", "vmid", "name", "storage", "node", "date"})


def facts_of(kind: str, resource_id: str, document: Mapping[str, Any]) -> Facts:
    """The key facts of a document of `kind`, at most MAX_FACTS of them (the last one counts the rest)."""
    found: Facts
    if kind in GUEST_KINDS:
        found = _guest(document)
    else:
        elements = _collection(resource_id, document)
        found = elements if elements is not None else _scalars(document)
    if len(found) > MAX_FACTS:
        rest = len(found) - (MAX_FACTS - 1)
        found = (*found[: MAX_FACTS - 1], ("more", f"{rest} more"))
    return found


def _guest(document: Mapping[str, Any]) -> Facts:
    config = document.get("config")
    config = config if isinstance(config, Mapping) else {}
    found: list[tuple[str, Any]] = [(key, document[key]) for key in ("node", "status") if key in document]
    found.extend((key, config[key]) for key in _GUEST if key in config)
    for key, value in config.items():
        if _DISK.fullmatch(str(key)) and not _is_cdrom(value):
            found.append((str(key), _property(value, first=("file", "volume"))))
        elif _NIC.fullmatch(str(key)):
            found.append((str(key), _property(value, first=("model", "name"))))
    found.extend((key, document[key]) for key in ("pool", "template") if document.get(key))
    return tuple(found)


def _collection(resource_id: str, document: Mapping[str, Any]) -> Facts | None:
    for collection in COLLECTIONS:
        if collection.path in document and collection.matches(resource_id, collection.path):
            elements = document[collection.path]
            if isinstance(elements, Mapping) and collection.noun == "task":
                # A day's tasks: the failed ones first, so that the bound on facts never hides one.
                tasks = sorted(elements.values(), key=lambda task: not failed_task(task))
                return tuple(
                    ("failed task" if failed_task(task) else "task", describe(collection, task))
                    for task in tasks
                )
            if isinstance(elements, Mapping):
                return tuple(
                    (f"{collection.noun} {key}", describe(collection, item)) for key, item in elements.items()
                )
            if isinstance(elements, list):
                return tuple(
                    (f"{collection.noun} {index}", describe(collection, item))
                    for index, item in enumerate(elements, start=1)
                )
    return None


def _scalars(document: Mapping[str, Any]) -> Facts:
    found = [(str(key), value) for key, value in document.items() if key not in _IDENTITY and _plain(value)]
    config = document.get("config")
    if isinstance(config, Mapping):
        found.extend((str(key), value) for key, value in config.items() if _plain(value))
    return tuple(found)


def _plain(value: Any) -> bool:
    return not isinstance(value, Mapping) and not (
        isinstance(value, list | tuple) and any(isinstance(item, Mapping | list) for item in value)
    )


def _is_cdrom(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get("media") == "cdrom"


def _property(value: Any, *, first: tuple[str, ...]) -> str:
    """A disk or a NIC as PVE writes it: `local-lvm:vm-111-disk-0,iothread=1,size=32G`."""
    if not isinstance(value, Mapping):
        return str(value)
    words = [str(value[key]) for key in first if key in value]
    skipped = (*first, "macaddr", "hwaddr")  # a MAC address tells a reviewer nothing new
    words.extend(f"{key}={_flag(item)}" for key, item in value.items() if key not in skipped)
    return ",".join(words)


def _flag(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)
