"""Models of storage: definitions (storage.cfg), per-node state, and volumes."""

from __future__ import annotations

from typing import Any

from proxstate.models.base import PveModel
from proxstate.models.types import PveBool, PveFloat, PveInt


class StorageDefinition(PveModel):
    """One entry of GET /storage: a storage.cfg section; type-specific options are extra fields."""

    storage: str
    type: str | None = None
    content: str | None = None
    nodes: str | None = None
    shared: PveBool | None = None
    disable: PveBool | None = None
    digest: str | None = None


class StorageInfo(PveModel):
    """One entry of GET /nodes/{node}/storage: a storage as one node sees it."""

    storage: str
    type: str | None = None
    content: str | None = None
    active: PveBool | None = None
    enabled: PveBool | None = None
    shared: PveBool | None = None
    total: PveInt | None = None
    used: PveInt | None = None
    avail: PveInt | None = None
    used_fraction: PveFloat | None = None


class StorageContent(PveModel):
    """One entry of GET /nodes/{node}/storage/{storage}/content: a volume."""

    volid: str
    content: str | None = None
    format: str | None = None
    size: PveInt | None = None
    used: PveInt | None = None
    ctime: PveInt | None = None
    vmid: PveInt | None = None
    parent: str | None = None
    notes: str | None = None
    protected: PveBool | None = None
    encrypted: str | None = None
    verification: dict[str, Any] | None = None


__all__ = ["StorageContent", "StorageDefinition", "StorageInfo"]
