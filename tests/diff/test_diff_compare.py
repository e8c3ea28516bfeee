"""compare(): field changes, paths, actions and classes of document pairs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from proxstate.diff import ChangeClass, FieldChange, ResourceChange, compare

Doc = Callable[[], dict[str, Any]]


def _changes(old: dict[str, Any], new: dict[str, Any], resource_id: str = "qemu/101") -> ResourceChange:
    change = compare(cluster="prod", resource_id=resource_id, old=old, new=new)
    assert change is not None
    return change


def _by_path(change: ResourceChange) -> dict[str, FieldChange]:
    return {field.path: field for field in change.fields}


def test_equal_documents_are_no_change(vm: Doc) -> None:
    assert compare(cluster="prod", resource_id="qemu/101", old=vm(), new=vm()) is None
    assert compare(cluster="prod", resource_id="qemu/101", old=None, new=None) is None


def test_added_and_removed_resources_have_name_facts_and_no_fields(vm: Doc, ct: Doc) -> None:
    added = compare(cluster="prod", resource_id="lxc/200", old=None, new=ct())
    removed = compare(cluster="prod", resource_id="qemu/101", old=vm(), new=None)
    assert added is not None and removed is not None
    assert (added.action, added.name, added.fields, added.classes) == (
        "added",
        "ct1",
        (),
        (ChangeClass.ADDED,),
    )
    assert added.facts == (
        ("node", "pve2"),
        ("status", "running"),
        ("hostname", "ct1"),
        ("cores", 1),
        ("memory", 512),
        ("rootfs", "local-lvm:vm-200-disk-0,size=8G"),
        ("net0", "eth0,bridge=vmbr0,ip=dhcp"),
    )
    assert added.document == ct()
    assert (removed.action, removed.name, removed.classes) == ("removed", "web01", (ChangeClass.REMOVED,))
    assert dict(removed.facts)["scsi0"] == "local-lvm:vm-101-disk-0,iothread=1,size=32G"


def test_container_name_falls_back_to_hostname(ct: Doc) -> None:
    doc = ct()
    del doc["name"]
    change = compare(cluster="prod", resource_id="lxc/200", old=None, new=doc)
    assert change is not None and change.name == "ct1"


def test_nodes_and_storage_carry_no_name() -> None:
    node = {"kind": "node", "name": "pve1", "status": "online"}
    change = compare(cluster="prod", resource_id="node/pve1", old=None, new=node)
    assert change is not None and change.name is None


def test_changed_value_has_dotted_path_and_both_values(vm: Doc) -> None:
    new = vm()
    new["config"]["net0"]["bridge"] = "vmbr1"
    change = _changes(vm(), new)
    assert change.action == "modified"
    assert change.name == "web01"
    assert change.fields == (
        FieldChange("config.net0.bridge", "changed", "vmbr0", "vmbr1", ChangeClass.NETWORK),
    )
    assert change.classes == (ChangeClass.NETWORK,)


def test_added_and_removed_keys(vm: Doc) -> None:
    new = vm()
    new["config"]["net1"] = {"model": "e1000", "bridge": "vmbr2"}
    del new["snapshots"]["pre-upgrade"]
    fields = _by_path(_changes(vm(), new))
    assert fields["config.net1"].action == "added"
    assert fields["config.net1"].old is None
    assert fields["config.net1"].new == {"model": "e1000", "bridge": "vmbr2"}
    assert fields["snapshots.pre-upgrade"].action == "removed"
    assert fields["snapshots.pre-upgrade"].new is None


def test_lists_are_whole_values_with_their_elements_and_a_mirrored_field_is_said_once(vm: Doc) -> None:
    new = vm()
    new["tags"] = ["prod", "db", "eu"]
    new["config"]["tags"] = ["prod", "db", "eu"]
    new["config"]["boot"]["order"] = ["net0"]
    fields = _by_path(_changes(vm(), new))
    # `tags` repeats `config.tags` (a document of state format 1 holds both): said once.
    assert set(fields) == {"config.tags", "config.boot.order"}
    tags = fields["config.tags"]
    assert (tags.old, tags.new, tags.change_class) == (
        ["prod", "web"],
        ["prod", "db", "eu"],
        ChangeClass.TAGS,
    )
    assert [(e.action, e.key) for e in tags.elements] == [
        ("removed", "web"),
        ("added", "db"),
        ("added", "eu"),
    ]
    assert fields["config.boot.order"].old == ["scsi0", "net0"]
    assert fields["config.boot.order"].new == ["net0"]


def test_memory_as_int_or_mapping(vm: Doc) -> None:
    same = vm()
    same["config"]["memory"] = 2048
    assert compare(cluster="prod", resource_id="qemu/101", old=vm(), new=same) is None
    bigger = vm()
    bigger["config"]["memory"] = 4096
    assert _changes(vm(), bigger).fields == (
        FieldChange("config.memory", "changed", 2048, 4096, ChangeClass.HARDWARE),
    )
    mapping = vm()
    mapping["config"]["memory"] = {"current": 4096}
    assert _by_path(_changes(vm(), mapping))["config.memory"].new == 4096


def test_fields_are_in_natural_order(vm: Doc) -> None:
    new = vm()
    for index in (10, 2, 1):
        new["config"][f"net{index}"] = {"bridge": "vmbr0"}
    paths = [field.path for field in _changes(vm(), new).fields]
    assert paths == ["config.net1", "config.net2", "config.net10"]


def test_private_looking_keys_and_disjoint_mappings_are_still_diffed() -> None:
    old = {"kind": "storage", "config": {"__x": 1, "a": 1}}
    new = {"kind": "storage", "config": {"__x": 2, "b": 2, "c": 3}}
    paths = {field.path for field in _changes(old, new, "storage/local").fields}
    assert paths == {"config.__x", "config.a", "config.b", "config.c"}


def test_type_change_is_a_change(vm: Doc) -> None:
    new = vm()
    new["config"]["cores"] = "2"
    assert _changes(vm(), new).fields[0].action == "changed"


@pytest.mark.parametrize(
    ("old", "new"), [(1, True), (0, False), (2, 2.0), ([1], [True]), ({"a": 1}, {"a": 1.0})]
)
def test_values_equal_under_python_equality_still_differ(old: Any, new: Any) -> None:
    change = _changes(
        {"kind": "qemu", "config": {"onboot": old}}, {"kind": "qemu", "config": {"onboot": new}}
    )
    assert [field.path for field in change.fields] in (["config.onboot"], ["config.onboot.a"])


def test_deep_changes_below_the_split_depth(vm: Doc) -> None:
    old, new = vm(), vm()
    old["config"]["cpu"] = {"flags": {"aes": {"on": True}}}
    new["config"]["cpu"] = {"flags": {"aes": {"on": False}, "pcid": {"on": True}}}
    paths = [field.path for field in _changes(old, new).fields]
    assert paths == ["config.cpu.flags.aes.on", "config.cpu.flags.pcid"]


def _mutate(doc: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = doc
    for key in parents:
        node = node[key]
    if value is _DELETE:
        del node[last]
    else:
        node[last] = value


_DELETE = object()

GUEST_CASES = [
    ("node", "pve2", ChangeClass.MIGRATED),
    ("status", "stopped", ChangeClass.POWER),
    ("config.scsi0.size", "64G", ChangeClass.RESIZED),
    ("config.scsi1", {"file": "local-lvm:vm-101-disk-1", "size": "8G"}, ChangeClass.HARDWARE),
    ("config.scsi0", _DELETE, ChangeClass.HARDWARE),
    ("config.scsi0.iothread", False, ChangeClass.CONFIG),
    ("config.unused0", {"file": "local-lvm:vm-101-disk-9"}, ChangeClass.HARDWARE),
    ("config.cores", 4, ChangeClass.HARDWARE),
    ("config.sockets", 2, ChangeClass.HARDWARE),
    ("config.balloon", 1024, ChangeClass.HARDWARE),
    ("config.cpu", {"cputype": "host"}, ChangeClass.HARDWARE),
    ("config.numa", True, ChangeClass.HARDWARE),
    ("config.hostpci0", {"host": "0000:01:00.0"}, ChangeClass.HARDWARE),
    ("config.usb0", {"host": "1234:5678"}, ChangeClass.HARDWARE),
    ("config.vcpus", 2, ChangeClass.HARDWARE),
    ("config.cpulimit", 1.5, ChangeClass.HARDWARE),
    ("config.net0.tag", 20, ChangeClass.NETWORK),
    ("config.net0.firewall", False, ChangeClass.NETWORK),
    ("config.net0.macaddr", "BC:24:11:00:00:99", ChangeClass.NETWORK),
    ("config.ipconfig0", {"ip": "dhcp"}, ChangeClass.NETWORK),
    ("pending.memory", 8192, ChangeClass.PENDING),
    ("pending_delete", [], ChangeClass.PENDING),
    ("snapshots.nightly", {"snaptime": 1764100000}, ChangeClass.SNAPSHOT),
    ("tags", ["prod"], ChangeClass.TAGS),
    ("config.tags", ["prod"], ChangeClass.TAGS),
    ("pool", "dev", ChangeClass.POOL),
    ("ha.state", "stopped", ChangeClass.HA),
    ("lock", _DELETE, ChangeClass.LOCK),
    ("template", True, ChangeClass.TEMPLATE),
    ("config.boot.order", ["net0"], ChangeClass.CONFIG),
    ("config.ostype", "l26", ChangeClass.CONFIG),
    ("name", "web02", ChangeClass.CONFIG),
]


@pytest.mark.parametrize(("path", "value", "expected"), GUEST_CASES, ids=[case[0] for case in GUEST_CASES])
def test_vm_classification(vm: Doc, path: str, value: Any, expected: ChangeClass) -> None:
    new = vm()
    _mutate(new, path, value)
    change = _changes(vm(), new)
    assert [field.change_class for field in change.fields] == [expected]
    assert change.classes == (expected,)


CT_CASES = [
    ("config.rootfs.size", "16G", ChangeClass.RESIZED),
    ("config.mp0", {"volume": "local-lvm:vm-200-disk-1", "mp": "/data", "size": "4G"}, ChangeClass.HARDWARE),
    ("config.swap", 1024, ChangeClass.HARDWARE),
    ("config.memory", 1024, ChangeClass.HARDWARE),
    ("config.net0.ip", "10.0.0.5/24", ChangeClass.NETWORK),
    ("config.nameserver", "10.0.0.1", ChangeClass.NETWORK),
    ("config.hostname", "ct1-new", ChangeClass.CONFIG),
]


@pytest.mark.parametrize(("path", "value", "expected"), CT_CASES, ids=[case[0] for case in CT_CASES])
def test_container_classification(ct: Doc, path: str, value: Any, expected: ChangeClass) -> None:
    new = ct()
    _mutate(new, path, value)
    assert _changes(ct(), new, "lxc/200").classes == (expected,)


def test_classes_are_distinct_and_in_fixed_order(vm: Doc) -> None:
    new = vm()
    new["config"]["net0"]["bridge"] = "vmbr1"
    new["config"]["cores"] = 8
    new["config"]["memory"] = 8192
    new["node"] = "pve3"
    new["config"]["ostype"] = "win11"
    change = _changes(vm(), new)
    assert change.classes == (
        ChangeClass.MIGRATED,
        ChangeClass.HARDWARE,
        ChangeClass.NETWORK,
        ChangeClass.CONFIG,
    )


def test_node_storage_content_tasks_classification() -> None:
    node_old = {"kind": "node", "name": "pve1", "status": "online", "kernel": "6.8.12-4-pve"}
    node_new = {**node_old, "status": "unreachable", "kernel": "6.8.12-5-pve"}
    node = _by_path(_changes(node_old, node_new, "node/pve1"))
    assert node["status"].change_class is ChangeClass.POWER
    assert node["kernel"].change_class is ChangeClass.CONFIG

    volume = {"content": "images", "format": "raw", "size": 34359738368}
    content_old = {
        "kind": "content",
        "storage": "local-lvm",
        "node": "pve1",
        "volumes": {"local-lvm:d0": volume},
    }
    content_new = {
        **content_old,
        "volumes": {
            "local-lvm:d0": {**volume, "size": 68719476736, "format": "qcow2"},
            "local-lvm:d1": volume,
        },
    }
    content = _by_path(_changes(content_old, content_new, "content/pve1/local-lvm"))
    # A volume is one element: its size and format change together, classed by the size.
    resized = content["volumes.local-lvm:d0"]
    assert resized.change_class is ChangeClass.RESIZED
    assert [(e.action, e.key, e.changes) for e in resized.elements] == [
        ("changed", "local-lvm:d0", (("format", "raw", "qcow2"), ("size", 34359738368, 68719476736)))
    ]
    assert content["volumes.local-lvm:d1"].change_class is ChangeClass.CONFIG

    storage_old = {"kind": "storage", "storage": "nfs", "config": {"content": ["images", "iso"]}}
    storage_new = {"kind": "storage", "storage": "nfs", "config": {"content": ["images"]}}
    assert _changes(storage_old, storage_new, "storage/nfs").classes == (ChangeClass.CONFIG,)

    tasks_old = {"kind": "tasks", "node": "pve1", "date": "2026-11-25", "tasks": {}}
    tasks_new = {**tasks_old, "tasks": {"UPID:pve1:1:2:3:qmstart:101:root@pam:": {"type": "qmstart"}}}
    assert _changes(tasks_old, tasks_new, "tasks/pve1/2026-11-25").classes == (ChangeClass.TASK,)


def test_kind_falls_back_to_resource_id_prefix(vm: Doc) -> None:
    old, new = vm(), vm()
    del old["kind"], new["kind"]
    new["status"] = "stopped"
    assert _changes(old, new).classes == (ChangeClass.POWER,)


def test_masked_secret_change_is_a_secret_change() -> None:
    old = {"kind": "qemu", "config": {"cipassword": "<masked:3f2a01>", "ciuser": "admin"}}
    new = {"kind": "qemu", "config": {"cipassword": "<masked:9b7c02>", "ciuser": "admin"}}
    (field,) = _changes(old, new).fields
    assert field.action == "changed"
    assert field.secret
    unmasked = FieldChange("config.ciuser", "changed", "a", "b", ChangeClass.CONFIG)
    assert not unmasked.secret
    nested = FieldChange("config", "added", None, {"x": {"password": "<masked>"}}, ChangeClass.CONFIG)
    assert nested.secret
