"""Whatever the API sends, normalization returns JSON-like documents and never raises."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxstate.normalize import (
    NormalizeOptions,
    normalize_content,
    normalize_guest,
    normalize_node,
    normalize_storage,
    normalize_tasks,
)
from proxstate.normalize.schema import load_schema
from proxstate.resources.inventory import RawContent, RawGuest, RawNode, RawStorage

SCHEMA = load_schema()
CONFIG_KEYS = sorted(
    {*SCHEMA.kinds["qemu"].keys, *SCHEMA.kinds["lxc"].keys, *SCHEMA.kinds["storage"].keys}
    | {
        f"{base}{index}"
        for kind in ("qemu", "lxc")
        for base in SCHEMA.kinds[kind].indexed
        for index in (0, 10)
    }
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and infinity included: they must not reach a document
    st.text(max_size=30),
    st.sampled_from(["1", "0", "yes", "on", "0x1F", "1e3", "~", "01", "virtio=AA:BB,bridge=vmbr0", "a,,=b"]),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
KEYS = st.one_of(st.sampled_from(CONFIG_KEYS), st.text(max_size=12))
PAYLOAD = st.dictionaries(KEYS, JSON, max_size=12)
ENTRIES = st.lists(st.one_of(PAYLOAD, JSON), max_size=4)
OPTIONS = NormalizeOptions(mask_keys=frozenset({"description", "net*"}), mask_secret=b"k")


def assert_json_like(document: Any) -> None:
    text = json.dumps(document, allow_nan=False)
    assert json.loads(text) == document


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    kind=st.sampled_from(["qemu", "lxc"]),
    resource=PAYLOAD,
    config=PAYLOAD,
    status=st.one_of(st.none(), PAYLOAD),
    pending=st.one_of(st.none(), ENTRIES),
    snapshots=st.one_of(st.none(), ENTRIES),
)
def test_guest(
    kind: Any, resource: dict[str, Any], config: dict[str, Any], status: Any, pending: Any, snapshots: Any
) -> None:
    guest = RawGuest(
        kind=kind, vmid=100, node="pve1", resource=resource, config=config, status=status,
        pending=pending, snapshots=snapshots,
    )  # fmt: skip
    document = normalize_guest(guest, options=OPTIONS)
    assert_json_like(document)
    assert document == normalize_guest(guest, options=OPTIONS)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definition=PAYLOAD, per_node=st.dictionaries(st.text(max_size=6), JSON, max_size=3), volumes=ENTRIES)
def test_storage_and_content(definition: dict[str, Any], per_node: dict[str, Any], volumes: Any) -> None:
    assert_json_like(normalize_storage(RawStorage(storage="s", definition=definition, per_node=per_node)))
    assert_json_like(normalize_content(RawContent(node="pve1", storage="s", volumes=volumes)))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status=st.one_of(st.none(), PAYLOAD), resource=PAYLOAD, entry=st.one_of(st.none(), PAYLOAD))
def test_node(status: Any, resource: dict[str, Any], entry: Any) -> None:
    node = RawNode(name="pve1", online=True, resource=resource, cluster_entry=entry, status=status)
    assert_json_like(normalize_node(node))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tasks=ENTRIES)
def test_tasks(tasks: Any) -> None:
    assert_json_like(normalize_tasks("pve1", tasks))
