"""Helpers shared by the normalization tests: golden cases, strategies of valid values."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from proxstate.normalize import IgnoreRule, KeySpec, NormalizeOptions, PropertyFormat
from proxstate.resources.inventory import (
    Inventory,
    RawCluster,
    RawContent,
    RawGuest,
    RawNode,
    RawStorage,
    ReadFailure,
)

GOLDEN = Path(__file__).resolve().parents[1] / "normalize" / "golden"


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


# List items inside a property string are separated by `;`; PVE also splits them on `,` and space.
_TOKEN = st.text(
    alphabet=st.characters(blacklist_characters=",; \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\0"),
    min_size=1,
    max_size=12,
).filter(lambda text: not any(char.isspace() for char in text))
# Any text without a comma is a valid string value (`=` included: only the first one splits).
_STRING = st.text(
    st.characters(blacklist_characters=",", blacklist_categories=["Cs"]), min_size=1, max_size=24
)


def canonical_number(value: float) -> int | float:
    # Parsing records integral numbers as int (`2.0` and `2` mean the same to PVE).
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def value_strategy(spec: KeySpec) -> st.SearchStrategy[Any]:
    """Valid values of one key, as parse_property_string returns them."""
    if spec.list is not None:
        return st.lists(_TOKEN, min_size=1, max_size=4)
    if spec.enum:
        values = [int(item) if spec.type == "integer" else item for item in spec.enum]
        return st.sampled_from(values)
    if spec.type == "boolean":
        return st.booleans()
    if spec.type == "integer":
        return st.integers(min_value=-(10**18), max_value=10**18)
    if spec.type == "number":
        return st.one_of(
            st.integers(min_value=-(10**9), max_value=10**9),
            st.floats(allow_nan=False, allow_infinity=False).map(canonical_number),
        )
    return _STRING


def mappings(fmt: PropertyFormat, *, every_key: bool) -> st.SearchStrategy[dict[str, Any]]:
    strategies = {key: value_strategy(spec) for key, spec in fmt.keys.items()}
    if every_key:
        return st.fixed_dictionaries(strategies)
    return st.fixed_dictionaries({}, optional=strategies).filter(bool)
