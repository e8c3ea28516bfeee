"""What a user can choose about normalization (from proxstate.yaml)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class IgnoreRule:
    """Drop a field from matching documents.

    `resource` is a glob over resource ids (`qemu/*`, `node/pve[12]`); `field` is a dotted path
    into the document, each segment a glob (`config.net*.rate`, `snapshots.*.snaptime`).
    `reason` says why, for the people who read the configuration.
    """

    resource: str
    field: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class NormalizeOptions:
    record_power_state: bool = True
    mask_keys: frozenset[str] = frozenset()  # extra config keys (or globs) to mask, any kind
    mask_secret: bytes | None = None  # key of the keyed hash in masked values
    ignore: tuple[IgnoreRule, ...] = ()


DEFAULT_OPTIONS = NormalizeOptions()
