"""Helpers shared by the normalization tests: golden cases as Inventory and options."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from proxstate.inventory import (
    Inventory,
    RawCluster,
    RawContent,
    RawGuest,
    RawNode,
    RawStorage,
    ReadFailure,
)
from proxstate.normalize import IgnoreRule, NormalizeOptions

GOLDEN = Path(__file__).parent / "golden"


def inventory_from_json(data: dict[str, Any]) -> Inventory:
    """An Inventory from the JSON form used by the golden cases (dataclass fields as keys)."""
    return Inventory(
        cluster=RawCluster(**data["cluster"]),
        nodes=[RawNode(**node) for node in data.get("nodes", [])],
        guests=[RawGuest(**guest) for guest in data.get("guests", [])],
        storages=[RawStorage(**storage) for storage in data.get("storages", [])],
        contents=[RawContent(**content) for content in data.get("contents", [])],
        tasks=data.get("tasks", {}),
        task_logs=data.get("task_logs", {}),
        failures=[ReadFailure(**failure) for failure in data.get("failures", [])],
        kinds=frozenset(data.get("kinds", [])),
    )


def options_from_json(data: dict[str, Any]) -> NormalizeOptions:
    secret = data.get("mask_secret")
    return NormalizeOptions(
        record_power_state=data.get("record_power_state", True),
        mask_keys=frozenset(data.get("mask_keys", [])),
        mask_secret=base64.b64decode(secret) if secret else None,
        ignore=tuple(IgnoreRule(**rule) for rule in data.get("ignore", [])),
    )
