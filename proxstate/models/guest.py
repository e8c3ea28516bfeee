"""Models of guest answers: a container's config, the pending config of VMs and containers, and
snapshots (a VM's config is read through its pending config only).

The config model declares only the keys every guest may have in common; the hundreds of device and
option keys stay as extra fields (`payload()` returns them) and are typed by normalization from
the API schema.
"""

from __future__ import annotations

from typing import Any

from proxstate.errors import ProtocolError
from proxstate.models.base import PveModel, objects_of
from proxstate.models.types import PveBool, PveInt
from proxstate.resources.coerce import to_int


class ContainerConfig(PveModel):
    """GET /nodes/{node}/lxc/{vmid}/config; every other key is an extra field."""

    description: str | None = None
    tags: str | None = None
    lock: str | None = None
    template: PveBool | None = None
    digest: str | None = None
    hostname: str | None = None


class PendingEntry(PveModel):
    """One entry of GET .../pending: a config key, its value, and the change waiting for a restart.

    `delete` is 1 for a pending removal (2: forced). Values stay as PVE sent them.
    """

    key: str
    value: Any = None
    pending: Any = None
    delete: PveInt | None = None


def pending_payloads(data: Any, *, source: str) -> list[dict[str, Any]]:
    """The entries of GET .../pending as PendingEntry(...).payload() gives them, checked alike
    (a string `key`, an integer `delete`), without building a model per entry: every guest's
    config comes through here, and the round trip through the model cost about 65 µs a guest."""
    entries = []
    for index, item in enumerate(objects_of(data, source=source)):
        entry = dict(item)
        problem = None
        if not isinstance(entry.get("key"), str):
            problem = "key: Field required" if "key" not in entry else "key: Input should be a valid string"
        elif entry.get("delete") is not None:
            try:
                entry["delete"] = to_int(entry["delete"])
            except ValueError as error:
                problem = f"delete: Value error, {error}"
        if problem is not None:
            detail = f"item {index}: {problem}"
            raise ProtocolError(f"unexpected answer from PVE at {source}: {detail}", path=source)
        entries.append(entry)
    return entries


class Snapshot(PveModel):
    """One entry of GET .../snapshot; the entry named "current" is the live state."""

    name: str
    description: str | None = None
    parent: str | None = None
    snaptime: PveInt | None = None
    vmstate: PveBool | None = None


__all__ = ["ContainerConfig", "PendingEntry", "Snapshot", "pending_payloads"]
