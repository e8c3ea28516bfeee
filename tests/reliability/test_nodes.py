"""Nodes that are offline before a sync, or go offline while it runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from proxstate import yamlio

from .conftest import assert_consistent, committed, git

PVE2_GUESTS = ("clusters/lab/qemu/102.yaml", "clusters/lab/lxc/201.yaml")


def _doc(root: Path, rel: str) -> Any:
    return yamlio.load((root / rel).read_text())


def test_node_offline_before_the_sync(synced: Path, cli: Any, small_cluster: Any) -> None:
    before = committed(synced)
    small_cluster.set_node_offline("pve2")
    small_cluster.vm(102).config["cores"] = 12  # not visible: pve2 cannot be asked
    small_cluster.vm(101).config["cores"] = 3
    result = cli("sync", "-C", str(synced))
    assert result.code == 3, result.err
    assert "unreachable: pve2" in result.out
    after = committed(synced)
    for path in PVE2_GUESTS:
        assert after[path] == before[path]
    assert set(before) <= set(after), "nothing is removed because it could not be read"
    node = _doc(synced, "clusters/lab/nodes/pve2.yaml")
    assert node["status"] == "unreachable" and node["unreachable"]
    assert _doc(synced, "clusters/lab/qemu/101.yaml")["config"]["cores"] == 3
    assert "Unreachable: node pve2" in git(synced, "log", "-1", "--format=%B")
    assert_consistent(synced)


def test_a_node_storage_list_that_fails_keeps_the_content_of_that_node(
    synced: Path, cli: Any, small_cluster: Any
) -> None:
    small_cluster.storages["nfs"] = {
        "type": "nfs", "active": 1, "content": "iso", "shared": 1, "files": set(),
        "path": "/mnt/pve/nfs", "server": "192.0.2.5", "export": "/export",
    }  # fmt: skip
    small_cluster.store_file("nfs", "shared.iso", 5000)
    assert cli("sync", "-C", str(synced)).code == 0
    before = committed(synced)
    assert "clusters/lab/content/_shared/nfs.yaml" in before
    small_cluster.store_file("local", "new.iso", 7000)  # on both nodes' local storage
    small_cluster.store_file("nfs", "new.iso", 7000)
    small_cluster.fail("GET", "/nodes/pve1/storage", 500, "internal error")
    result = cli("sync", "-C", str(synced))
    assert result.code == 3, result.err
    assert "storage/*" in result.err and "internal error" in result.err
    after = committed(synced)
    assert set(before) <= set(after)
    for path in ("clusters/lab/content/pve1/local.yaml", "clusters/lab/content/pve1/local-lvm.yaml"):
        assert after[path] == before[path]
    assert b"new.iso" in after["clusters/lab/content/pve2/local.yaml"]
    assert b"new.iso" in after["clusters/lab/content/_shared/nfs.yaml"]  # read through pve2
    small_cluster.fail("GET", "/nodes/pve2/storage", 500, "internal error")
    small_cluster.store_file("nfs", "newer.iso", 7000)
    result = cli("sync", "-C", str(synced))
    assert result.code == 3, result.err
    assert "content/_shared/nfs" in result.err
    assert committed(synced) == after
    assert_consistent(synced)
