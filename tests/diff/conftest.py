"""Document fixtures for the diff tests: realistic recorded documents to mutate."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

VM: dict[str, Any] = {
    "kind": "qemu",
    "vmid": 101,
    "name": "web01",
    "node": "pve1",
    "status": "running",
    "template": False,
    "lock": "backup",
    "pool": "prod",
    "tags": ["prod", "web"],
    "ha": {"managed": True, "state": "started"},
    "config": {
        "cores": 2,
        "memory": {"current": 2048},
        "net0": {"model": "virtio", "macaddr": "BC:24:11:00:00:01", "bridge": "vmbr0", "firewall": True},
        "scsi0": {"file": "local-lvm:vm-101-disk-0", "iothread": True, "size": "32G"},
        "boot": {"order": ["scsi0", "net0"]},
        "tags": ["prod", "web"],
    },
    "pending": {"memory": {"current": 4096}},
    "pending_delete": ["net1"],
    "snapshots": {"pre-upgrade": {"description": "x", "snaptime": 1764000000, "vmstate": False}},
}

CT: dict[str, Any] = {
    "kind": "lxc",
    "vmid": 200,
    "name": "ct1",
    "node": "pve2",
    "status": "running",
    "config": {
        "hostname": "ct1",
        "cores": 1,
        "memory": 512,
        "swap": 512,
        "rootfs": {"volume": "local-lvm:vm-200-disk-0", "size": "8G"},
        "net0": {"name": "eth0", "bridge": "vmbr0", "ip": "dhcp", "hwaddr": "BC:24:11:00:00:02"},
    },
}


@pytest.fixture
def vm() -> Callable[[], dict[str, Any]]:
    """A fresh deep copy of the sample VM document on each call."""
    return lambda: copy.deepcopy(VM)


@pytest.fixture
def ct() -> Callable[[], dict[str, Any]]:
    """A fresh deep copy of the sample container document on each call."""
    return lambda: copy.deepcopy(CT)
