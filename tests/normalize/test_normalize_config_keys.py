"""Every config key of every kind: a valid value is recorded and rebuilt with the same meaning."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxstate.normalize import KeySpec, build_config_value
from proxstate.normalize.config import normalize_value
from proxstate.normalize.rules import SET_KEYS
from proxstate.normalize.schema import load_schema
from proxstate.normalize.values import sorted_set
from tests.helpers.normalize_cases import mappings, value_strategy

KEYS = sorted(
    [(kind, key) for kind, schema in load_schema().kinds.items() for key in schema.keys]
    + [(kind, f"{base}3") for kind, schema in load_schema().kinds.items() for base in schema.indexed]
)


def spec_of(kind: str, key: str) -> KeySpec:
    schema = load_schema().kinds[kind]
    return schema.keys.get(key) or schema.indexed[key.rstrip("0123456789")]


def recorded_values(kind: str, key: str) -> st.SearchStrategy[Any]:
    """Valid values of a config key in their recorded form."""
    spec = spec_of(kind, key)
    if spec.format is not None:
        single = spec.format.single_key
        if single is not None:
            scalar = value_strategy(spec.format.keys[single])
            return scalar.filter(lambda value: not (isinstance(value, str) and "=" in value))
        return mappings(spec.format, every_key=False)
    values = value_strategy(spec)
    if spec.list is not None and key in SET_KEYS.get(kind, ()):
        return values.map(sorted_set)
    return values


@pytest.mark.parametrize(("kind", "key"), KEYS)
@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_config_key_round_trip(kind: str, key: str, data: st.DataObject) -> None:
    value = data.draw(recorded_values(kind, key))
    assert normalize_value(kind, key, build_config_value(kind, key, value)) == value


def test_every_kind_is_covered() -> None:
    assert {kind for kind, _ in KEYS} == {"qemu", "lxc", "storage"}
    assert len(KEYS) > 170
