"""Models read the payloads of PVE 7.4, 8.x and 9.x alike, and give back what was sent."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import Field

from proxstate.errors import ProtocolError
from proxstate.models import (
    ClusterResource,
    ClusterStatusEntry,
    ContainerConfig,
    NodeStatus,
    PendingEntry,
    PveBool,
    PveFloat,
    PveInt,
    PveModel,
    Snapshot,
    StorageContent,
    StorageInfo,
    TaskLogLine,
    parse_model,
    parse_models,
    pending_payloads,
)


# Answers proxstate does not read (a VM's config comes through its pending config, guests and nodes
# through /cluster/resources), modelled here the way proxstate models the answers it reads: their
# payloads of three PVE versions put PveModel and its types to the test.
class VMInfo(PveModel):
    """One entry of GET /nodes/{node}/qemu."""

    vmid: PveInt
    status: str | None = None
    name: str | None = None
    template: PveBool | None = None
    uptime: PveInt | None = None
    cpus: PveFloat | None = None
    maxmem: PveInt | None = None
    pid: PveInt | None = None


class VMStatus(VMInfo):
    """GET /nodes/{node}/qemu/{vmid}/status/current."""

    ha: dict[str, Any] | None = None
    running_qemu: str | None = Field(default=None, alias="running-qemu")


class VMConfig(PveModel):
    """GET /nodes/{node}/qemu/{vmid}/config; every other key is an extra field."""

    name: str | None = None
    lock: str | None = None
    template: PveBool | None = None


class NodeInfo(PveModel):
    """One entry of GET /nodes."""

    node: str
    status: str | None = None
    maxmem: PveInt | None = None
    uptime: PveInt | None = None


# One VM as GET /nodes/{node}/qemu lists it, in the styles of three PVE versions.
VM_LIST_ENTRIES = {
    "7.4": {
        "vmid": "101",
        "name": "web01",
        "status": "running",
        "pid": "4242",
        "template": "",
        "cpus": 2,
        "maxmem": "2147483648",
        "uptime": 360,
        "netin": 1,
        "qmpstatus": "running",
    },
    "8.x": {
        "vmid": 101,
        "name": "web01",
        "status": "running",
        "pid": 4242,
        "cpus": 2,
        "maxmem": 2147483648,
        "uptime": 360,
        "serial": 0,
        "cpu": 0.01,
    },
    "9.x": {
        "vmid": 101,
        "name": "web01",
        "status": "running",
        "pid": 4242,
        "cpus": 2.0,
        "maxmem": 2147483648,
        "uptime": 360,
        "template": False,
        "memhost": 1,
        "pressurecpusome": 0.0,
    },
}


@pytest.mark.parametrize("version", sorted(VM_LIST_ENTRIES))
def test_vm_list_entry_in_every_version(version: str) -> None:
    vm = VMInfo.model_validate(VM_LIST_ENTRIES[version])
    assert (vm.vmid, vm.name, vm.status, vm.pid, vm.cpus, vm.maxmem) == (
        101,
        "web01",
        "running",
        4242,
        2.0,
        2 << 30,
    )
    assert vm.template in (None, False)


def test_payload_gives_what_was_sent_by_api_names() -> None:
    sent = {
        "vmid": "101",
        "status": "running",
        "running-qemu": "9.2.0",
        "ha": {"managed": 0},
        "clipboard": None,
        "pressureiofull": 0.5,
        "template": 1,
    }
    status = VMStatus.model_validate(sent)
    assert status.running_qemu == "9.2.0" and status.template is True
    assert status.payload() == {
        "vmid": 101,  # declared: typed
        "status": "running",
        "running-qemu": "9.2.0",
        "ha": {"managed": 0},
        "clipboard": None,  # sent as null: kept
        "pressureiofull": 0.5,  # not declared: as sent
        "template": True,
    }
    assert VMStatus(vmid=5, running_qemu="x").payload() == {"vmid": 5, "running-qemu": "x"}


def test_optional_fields_are_optional() -> None:
    # A template has no uptime or pid; a guest on an offline node has no name.
    resource = ClusterResource.model_validate(
        {"id": "qemu/103", "type": "qemu", "vmid": 103, "node": "pve2", "status": "unknown"}
    )
    assert resource.name is None and resource.template is None
    node = NodeInfo.model_validate({"node": "pve2", "status": "offline"})
    assert node.uptime is None and node.maxmem is None
    assert VMInfo.model_validate({"vmid": 102, "status": "stopped", "template": 1}).uptime is None


def test_cluster_status_styles() -> None:
    entries = parse_models(
        ClusterStatusEntry,
        [
            {
                "type": "cluster",
                "id": "cluster",
                "name": "prod",
                "nodes": "3",
                "quorate": 1,
                "version": 7,
                "online": 3,
            },
            {
                "type": "node",
                "id": "node/pve1",
                "name": "pve1",
                "nodeid": 1,
                "ip": "10.0.0.1",
                "online": 1,
                "local": 1,
                "level": "",
            },
            {"type": "node", "id": "node/pve2", "name": "pve2", "nodeid": "2", "online": False, "local": 0},
        ],
        source="GET /cluster/status",
    )
    assert (entries[0].nodes, entries[0].quorate) == (3, True)
    assert [(e.nodeid, e.local, e.payload()["online"]) for e in entries[1:]] == [
        (1, True, 1),
        (2, False, False),
    ]


def test_node_status_of_7_4_and_9() -> None:
    old = NodeStatus.model_validate(
        {
            "kversion": "Linux 5.15.102-1-pve",
            "pveversion": "pve-manager/7.4-3",
            "uptime": "1000",
            "loadavg": ["0.10", "0.20", "0.30"],
        }
    )
    new = NodeStatus.model_validate(
        {
            "pveversion": "pve-manager/9.0.10",
            "current-kernel": {"release": "6.14"},
            "boot-info": {"mode": "efi", "secureboot": 0},
            "cpuinfo": {"cores": 4},
        }
    )
    assert (old.kversion, old.uptime, old.current_kernel) == ("Linux 5.15.102-1-pve", 1000, None)
    assert old.payload()["loadavg"] == ["0.10", "0.20", "0.30"]
    assert new.current_kernel == {"release": "6.14"} and new.boot_info == {"mode": "efi", "secureboot": 0}


def test_configs_keep_every_key() -> None:
    vm = VMConfig.model_validate(
        {
            "name": "web01",
            "memory": "2048",
            "cores": 2,
            "onboot": 1,
            "template": "1",
            "net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0",
            "digest": "abc",
        }
    )
    ct = ContainerConfig.model_validate(
        {
            "hostname": "ct01",
            "lxc": [["lxc.apparmor.profile", "unconfined"]],
            "rootfs": "local-lvm:vm-201-disk-0,size=8G",
        }
    )
    assert (vm.name, vm.template, vm.lock) == ("web01", True, None)
    assert vm.payload()["memory"] == "2048" and vm.payload()["onboot"] == 1
    assert ct.hostname == "ct01" and ct.payload()["lxc"] == [["lxc.apparmor.profile", "unconfined"]]


def test_pending_and_snapshots() -> None:
    pending = parse_models(
        PendingEntry,
        [
            {"key": "memory", "value": 2048, "pending": "4096"},
            {"key": "net1", "value": "virtio", "delete": "1"},
        ],
        source="GET /nodes/pve1/qemu/101/pending",
    )
    assert [(p.key, p.value, p.pending, p.delete) for p in pending] == [
        ("memory", 2048, "4096", None),
        ("net1", "virtio", None, 1),
    ]
    snaps = parse_models(
        Snapshot,
        [
            {"name": "pre", "snaptime": "1700000000", "vmstate": 0, "description": ""},
            {"name": "current", "parent": "pre", "running": 1, "digest": "d", "description": "You are here!"},
        ],
        source="GET /nodes/pve1/qemu/101/snapshot",
    )
    assert (snaps[0].snaptime, snaps[0].vmstate, snaps[1].snaptime, snaps[1].parent) == (
        1700000000,
        False,
        None,
        "pre",
    )


def test_storage_styles() -> None:
    info = StorageInfo.model_validate(
        {
            "storage": "local",
            "type": "dir",
            "content": "iso",
            "active": 1,
            "enabled": "1",
            "shared": 0,
            "total": "100",
            "used_fraction": "0.5",
        }
    )
    volume = StorageContent.model_validate(
        {
            "volid": "local:iso/a.iso",
            "format": "iso",
            "size": "1024",
            "ctime": 1680000000,
            "vmid": "101",
            "protected": 1,
        }
    )
    assert (info.active, info.enabled, info.shared, info.total, info.used_fraction) == (
        True,
        True,
        False,
        100,
        0.5,
    )
    assert (volume.size, volume.vmid, volume.protected, volume.notes) == (1024, 101, True, None)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (None, "expected a list, got null"),
        ({"vmid": 1}, "expected a list, got dict"),
        ("error", "expected a list, got str"),
        ([{"vmid": 101}, "x"], "item 1 is str, not an object"),
        ([{"vmid": 101}, {"status": "running"}], "item 1: vmid: Field required"),
        (
            [{"vmid": "hunter2"}],
            "item 0: vmid: Value error, expected an integer, got a string that is not a number",
        ),
    ],
)
def test_lists_of_the_wrong_shape(data: Any, problem: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        parse_models(VMInfo, data, source="GET /nodes/pve1/qemu")
    assert str(caught.value) == f"unexpected answer from PVE at GET /nodes/pve1/qemu: {problem}"
    assert caught.value.__cause__ is None and "hunter2" not in str(caught.value)


@pytest.mark.parametrize(
    ("data", "problem"), [(None, "expected an object, got null"), ([], "expected an object, got list")]
)
def test_objects_of_the_wrong_shape(data: Any, problem: str) -> None:
    with pytest.raises(ProtocolError, match=problem):
        parse_model(NodeStatus, data, source="GET /nodes/pve1/status")


def test_log_lines() -> None:
    lines = parse_models(
        TaskLogLine, [{"n": 1, "t": "starting"}, {"n": "2", "t": "TASK OK"}], source="GET log"
    )
    assert [(line.n, line.t) for line in lines] == [(1, "starting"), (2, "TASK OK")]


PENDING_ANSWERS = [
    [{"key": "memory", "value": 2048, "pending": "4096"}, {"key": "net1", "value": "virtio", "delete": "1"}],
    [{"key": "cores", "value": "2", "delete": 2.0, "extra": [1, {"x": None}]}],
    [{"key": "name", "delete": None}],
    [],
    [{"key": 5, "value": 1}],
    [{"value": 1}],
    [{"key": "net0", "delete": "yes"}],
    [{"key": "net0", "delete": True}],
    [{"key": "a"}, "not an object"],
    {"key": "memory"},
    None,
]


@pytest.mark.parametrize("answer", PENDING_ANSWERS)
def test_pending_payloads_match_the_model(answer: object) -> None:
    """The fast path for every guest's pending config gives what PendingEntry gives, and refuses
    what it refuses."""
    source = "GET /nodes/pve1/qemu/101/pending"
    try:
        expected: object = [entry.payload() for entry in parse_models(PendingEntry, answer, source=source)]
    except ProtocolError as error:
        expected = error
    if isinstance(expected, ProtocolError):
        with pytest.raises(ProtocolError) as raised:
            pending_payloads(answer, source=source)
        assert str(raised.value) == str(expected)
    else:
        assert pending_payloads(answer, source=source) == expected
