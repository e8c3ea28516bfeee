"""Per-kind documents and normalize_inventory: the choices that golden files do not spell out."""

from __future__ import annotations

from typing import Any

import pytest

from proxstate.normalize import (
    NormalizeOptions,
    build_config_value,
    normalize_guest,
    normalize_inventory,
    normalize_node,
    normalize_storage,
)
from proxstate.normalize.config import normalize_value
from proxstate.resources.inventory import Inventory, RawCluster, RawGuest, RawNode, RawStorage, ReadFailure


def guest(**changes: Any) -> RawGuest:
    values: dict[str, Any] = {
        "kind": "qemu",
        "vmid": 100,
        "node": "pve1",
        "resource": {"name": "vm", "status": "running"},
        "config": {"name": "vm"},
    }
    values.update(changes)
    return RawGuest(**values)


def test_power_state_only_when_recorded() -> None:
    assert normalize_guest(guest())["status"] == "running"
    assert "status" not in normalize_guest(guest(), options=NormalizeOptions(record_power_state=False))


def test_identity_first_and_fixed_order() -> None:
    document = normalize_guest(
        guest(
            resource={"name": "vm", "status": "running", "pool": "p", "tags": "b;a", "hastate": "started"},
            snapshots=[{"name": "s"}],
            pending=[{"key": "cores", "pending": "2"}, {"key": "onboot", "delete": 1}],
            config={"name": "vm", "lock": "backup"},
        )
    )
    assert list(document) == [
        "kind", "vmid", "node", "status", "lock", "pool", "ha",
        "config", "pending", "pending_delete", "snapshots",
    ]  # fmt: skip
    assert document["ha"] == {"managed": True, "state": "started"}
    assert document["lock"] == "backup"
    assert "lock" not in document["config"]


def test_name_tags_and_template_are_recorded_once_under_config() -> None:
    vm = guest(
        resource={"name": "web", "tags": "b;a", "template": 1},
        config={"name": "web", "tags": "b;a", "template": 1},
    )
    document = normalize_guest(vm)
    assert not {"name", "tags", "template"} & set(document)
    assert document["config"] == {"name": "web", "tags": ["a", "b"], "template": True}
    container = guest(
        kind="lxc", resource={"name": "web.example.org"}, config={"hostname": "web.example.org"}
    )
    assert "name" not in normalize_guest(container)
    assert normalize_guest(container)["config"] == {"hostname": "web.example.org"}


def test_pending_delete_zero_is_not_a_delete_and_masking_applies() -> None:
    document = normalize_guest(
        guest(
            pending=[
                {"key": "onboot", "value": "1", "delete": 0},
                {"key": "ipconfig0", "pending": "ip=dhcp"},
            ]
        ),
        options=NormalizeOptions(mask_keys=frozenset({"ipconfig0"}), mask_secret=b"k"),
    )
    assert "pending_delete" not in document
    assert document["pending"]["ipconfig0"].startswith("<masked:")


def test_unmanaged_ha_is_not_recorded() -> None:
    assert "ha" not in normalize_guest(guest(status={"status": "running", "ha": {"managed": 0}}))


def test_node_states() -> None:
    online = RawNode(name="a", online=True, resource={})
    unreachable = RawNode(name="b", online=True, resource={}, unreachable="timeout")
    offline = RawNode(name="c", online=False, resource={})
    assert normalize_node(online) == {"kind": "node", "name": "a", "status": "online"}
    assert normalize_node(unreachable)["unreachable"] == "timeout"
    assert normalize_node(offline) == {"kind": "node", "name": "c", "status": "offline"}
    kernel = RawNode(name="d", online=True, resource={}, status={"kversion": "Linux 6.8.12-4-pve #1"})
    assert normalize_node(kernel)["kernel"] == "Linux 6.8.12-4-pve #1"


def test_storage_gauges_dropped_and_secrets_masked() -> None:
    storage = RawStorage(
        storage="cifs",
        definition={"type": "cifs", "password": "p", "digest": "d", "content": "iso,images"},
        per_node={
            "pve1": {"enabled": 1, "active": 1, "total": 10, "used": 5, "avail": 5, "used_fraction": 0.5}
        },
    )
    document = normalize_storage(storage)
    assert document["config"] == {"content": ["images", "iso"], "password": "<masked>"}
    assert document["nodes"] == {"pve1": {"enabled": True, "active": True}}


@pytest.mark.parametrize(
    ("kind", "key", "text", "value"),
    [
        ("qemu", "memory", "2048", 2048),
        ("qemu", "memory", "current=2048", 2048),
        ("qemu", "unused0", "volume=local:vm-1-disk-0", "local:vm-1-disk-0"),
        ("qemu", "unused0", "file=a=b", {"file": "a=b"}),
        ("qemu", "onboot", "1", True),
        ("qemu", "agent", "1", {"enabled": True}),
        ("qemu", "tags", "b;a,b c", ["a", "b", "c"]),
        ("lxc", "searchdomain", "b.org a.org", ["b.org", "a.org"]),
        ("storage", "content", "iso,backup", ["backup", "iso"]),
        ("qemu", "net0", "virtio=AA,bridge", "virtio=AA,bridge"),
        ("qemu", "x-unknown", "0x1F", "0x1F"),
        ("qemu", "lock", "backup", "backup"),
    ],
)
def test_config_values(kind: str, key: str, text: str, value: Any) -> None:
    assert normalize_value(kind, key, text) == value
    rebuilt = build_config_value(kind, key, value)
    assert normalize_value(kind, key, rebuilt) == value


def inventory(**changes: Any) -> Inventory:
    values: dict[str, Any] = {
        "cluster": RawCluster(name="lab", version={"version": "9.1.1"}, status=[]),
        "nodes": [RawNode(name="pve1", online=False, resource={}, unreachable="offline")],
        "guests": [guest(vmid=10), guest(vmid=9), guest(vmid=100, node="pve1")],
        "storages": [RawStorage(storage="local", definition={"type": "dir"})],
    }
    values.update(changes)
    return Inventory(**values)


def test_inventory_sorted_ids_and_failures_left_to_the_caller() -> None:
    failures = [
        ReadFailure(resource_id="qemu/100", reason="403"),
        ReadFailure(resource_id="node/pve1", reason="offline", node_unreachable=True),
    ]
    documents = normalize_inventory(inventory(failures=failures), options=NormalizeOptions())
    assert list(documents) == ["cluster", "node/pve1", "qemu/9", "qemu/10", "qemu/100", "storage/local"]
    assert documents["node/pve1"]["status"] == "offline"


def test_inventory_only_the_kinds_that_were_read() -> None:
    documents = normalize_inventory(inventory(kinds=frozenset({"qemu"})), options=NormalizeOptions())
    assert list(documents) == ["qemu/9", "qemu/10", "qemu/100"]
