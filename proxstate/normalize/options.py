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
class AllowRule:
    """A value the secret detector flags that is not a secret: recorded as it is.

    `resource` is a glob over resource ids; `field` a glob over the dotted path of the value
    (`config.description`, `snapshots.*.description`). `reason` says why it is safe.
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
    allow_secrets: tuple[AllowRule, ...] = ()  # values the secret detector flags that are recorded


DEFAULT_OPTIONS = NormalizeOptions()
