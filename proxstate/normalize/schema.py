"""The PVE config schema as proxstate reads it: key types and property-string formats.

The data comes from `data/pve-schema.json`, generated from the official PVE API schema by
`scripts/generate_schema_data.py`. It is loaded once per process (the package works without the
source schema: only the generated file is shipped).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

ConfigKind = Literal["qemu", "lxc", "storage"]
ValueType = Literal["string", "integer", "number", "boolean"]

SCHEMA_RESOURCE = "pve-schema.json"
_DIGITS = "0123456789"


@dataclass(frozen=True, slots=True)
class KeySpec:
    """The type of one config key or property-string key."""

    type: ValueType
    format: PropertyFormat | None = None
    list: Literal["list", "alist"] | None = None
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True, slots=True)
class PropertyFormat:
    """A property-string format (`[file=]<volume>[,size=<DiskSize>]...`)."""

    name: str
    keys: dict[str, KeySpec]  # canonical keys, sorted by name
    default_key: str | None
    aliases: dict[str, str]  # alias -> canonical key (`volume` -> `file`)
    key_aliases: dict[str, str]  # shorthand key -> key that takes its name (`virtio` -> `model`)
    required: tuple[str, ...] = ()  # keys not optional in the schema, written after the default key

    @property
    def single_key(self) -> str | None:
        """The only key of a format with one key (`memory`: `current`), else None."""
        if len(self.keys) == 1 and self.default_key is not None:
            return self.default_key
        return None


@dataclass(frozen=True, slots=True)
class KindSchema:
    keys: dict[str, KeySpec]
    indexed: dict[str, KeySpec]  # `net` for `net0`, `net1`, ...


@dataclass(frozen=True, slots=True)
class Schema:
    formats: dict[str, PropertyFormat]
    kinds: dict[str, KindSchema]


def _key_spec(raw: dict[str, Any], formats: dict[str, PropertyFormat]) -> KeySpec:
    enum = raw.get("enum")
    return KeySpec(
        type=raw["type"],
        format=formats[raw["format"]] if "format" in raw else None,
        list=raw.get("list"),
        enum=tuple(enum) if enum is not None else None,
    )


def _format(name: str, raw: dict[str, Any]) -> PropertyFormat:
    keys = {key: _key_spec(spec, {}) for key, spec in sorted(raw["keys"].items())}
    return PropertyFormat(
        name=name,
        keys=keys,
        default_key=raw["default_key"],
        aliases=dict(raw["aliases"]),
        key_aliases=dict(raw["key_aliases"]),
        required=tuple(raw.get("required", ())),
    )


def parse_schema(data: dict[str, Any]) -> Schema:
    formats = {name: _format(name, raw) for name, raw in data["formats"].items()}
    kinds = {
        kind: KindSchema(
            keys={key: _key_spec(spec, formats) for key, spec in raw["keys"].items()},
            indexed={key: _key_spec(spec, formats) for key, spec in raw["indexed"].items()},
        )
        for kind, raw in data["kinds"].items()
    }
    return Schema(formats=formats, kinds=kinds)


@cache
def load_schema() -> Schema:
    """The schema shipped with the package (read once per process)."""
    text = resources.files("proxstate.normalize").joinpath("data", SCHEMA_RESOURCE).read_text("utf-8")
    return parse_schema(json.loads(text))


def key_spec(kind: str, key: str) -> KeySpec | None:
    """The spec of a config key of `qemu`, `lxc` or `storage` (`net3` finds `net[n]`), or None."""
    schema = load_schema().kinds.get(kind)
    if schema is None:
        return None
    spec = schema.keys.get(key)
    if spec is not None:
        return spec
    base = key.rstrip(_DIGITS)
    if base != key and base:
        return schema.indexed.get(base)
    return None


def config_format(kind: str, key: str) -> PropertyFormat | None:
    """The property-string format of a config key (`config_format("qemu", "scsi0")`), or None."""
    spec = key_spec(kind, key)
    return spec.format if spec is not None else None


def named_format(name: str) -> PropertyFormat:
    """A format by its name in the data file (`pve-qm-hostpci`, `qemu:net[n]`); KeyError if unknown."""
    return load_schema().formats[name]
