"""Nodes that are offline before a sync, or go offline while it runs."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from tests.helpers.answers import rewrite_data
from tests.helpers.process import wait_for
from tests.helpers.repo import assert_consistent, committed, document, git

PVE2_GUESTS = ("clusters/lab/qemu/102.yaml", "clusters/lab/lxc/201.yaml")


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
    node = document(synced, "nodes/pve2.yaml")
    assert node["status"] == "unreachable" and node["unreachable"]
    assert document(synced, "qemu/101.yaml")["config"]["cores"] == 3
    assert "Unreachable: node pve2" in git(synced, "log", "-1", "--format=%B")
    assert_consistent(synced)


def _fail_node_after_status(pve: Any, node: str) -> None:
    """Every request for the node's guests, storage and tasks answers 595, as PVE does for a node
    that went away after its status was read."""
    for kind, vmids in (("qemu", [v.vmid for v in pve.vms]), ("lxc", [c.vmid for c in pve.cts])):
        for vmid in vmids:
            pve.fail("GET", f"/nodes/{node}/{kind}/{vmid}/pending", 595, "No route to host")
    pve.fail("GET", f"/nodes/{node}/storage", 595, "No route to host")
    pve.fail("GET", f"/nodes/{node}/tasks", 595, "No route to host")
    for storage in pve.storages:
        pve.fail("GET", f"/nodes/{node}/storage/{storage}/content", 595, "No route to host")


def test_node_goes_offline_after_its_status_was_read(synced: Path, cli: Any, small_cluster: Any) -> None:
    before = committed(synced)
    _fail_node_after_status(small_cluster, "pve2")
    small_cluster.vm(102).config["cores"] = 12
    small_cluster.vm(101).config["cores"] = 3
    result = cli("sync", "-C", str(synced))
    assert result.code == 3, result.err
    assert "pve2" in result.out + result.err, "the output says which node could not be read"
    after = committed(synced)
    for path in PVE2_GUESTS:
        assert after[path] == before[path]
    assert set(before) <= set(after)
    assert document(synced, "qemu/101.yaml")["config"]["cores"] == 3
    assert "pve2" in git(synced, "log", "-1", "--format=%b")
    assert_consistent(synced)


def test_node_goes_offline_while_the_sync_waits_for_it(synced: Path, cli: Any, small_cluster: Any) -> None:
    """pve2 answers slowly; it goes offline once its first request was seen."""
    before = committed(synced)
    small_cluster.time_scale = 1.0
    small_cluster.slow_network(0.3, node="pve2")
    small_cluster.vm(101).config["cores"] = 3
    small_cluster.requests.clear()

    def take_pve2_down() -> None:
        wait_for(
            lambda: any(
                path.startswith("/api2/json/nodes/pve2/") for _, path, _ in list(small_cluster.requests)
            ),
            timeout=10,
            what="a request for pve2",
        )
        small_cluster.set_node_offline("pve2")

    thread = threading.Thread(target=take_pve2_down)
    thread.start()
    try:
        result = cli("sync", "-C", str(synced))
    finally:
        thread.join(10)
    assert result.code == 3, result.err
    assert "pve2" in result.out + result.err
    after = committed(synced)
    for path in PVE2_GUESTS:
        assert after[path] == before[path]
    assert set(before) <= set(after)
    assert document(synced, "qemu/101.yaml")["config"]["cores"] == 3
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


def test_an_offline_node_is_named_when_only_guests_are_read(
    synced: Path, cli: Any, small_cluster: Any
) -> None:
    before = committed(synced)
    small_cluster.set_node_offline("pve2")
    result = cli("sync", "-C", str(synced), "--only", "qemu,lxc")
    assert result.code == 3, result.err
    assert "unreachable: pve2" in result.out
    assert committed(synced) == before
    assert "Unreachable: node pve2" not in git(synced, "log", "-1", "--format=%b")  # nothing committed


def test_a_guest_on_a_node_the_cluster_does_not_list_is_kept(
    synced: Path, cli: Any, small_cluster: Any
) -> None:
    """/cluster/resources places VM 102 on a node it does not list: the VM is not removed."""
    before = committed(synced)

    def move_102(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for entry in data:
            if entry.get("vmid") == 102:
                entry["node"] = "pve9"
        return data

    rewrite_data(small_cluster, "/cluster/resources", move_102)
    result = cli("sync", "-C", str(synced))
    assert result.code == 3, result.err
    assert "qemu/102" in result.err and "pve9" in result.err
    assert committed(synced)["clusters/lab/qemu/102.yaml"] == before["clusters/lab/qemu/102.yaml"]
    assert_consistent(synced)


def test_a_storage_that_is_not_active_keeps_its_content(synced: Path, cli: Any, small_cluster: Any) -> None:
    """An enabled storage that is not active (its NFS server is down, say) cannot list its content:
    the content keeps its last state and is named. A storage disabled on purpose has none to keep."""
    small_cluster.storages["nfs"] = {
        "type": "nfs", "active": 1, "content": "iso", "shared": 1, "files": set(),
        "path": "/mnt/pve/nfs", "server": "192.0.2.5", "export": "/export",
    }  # fmt: skip
    small_cluster.store_file("nfs", "shared.iso", 5000)
    assert cli("sync", "-C", str(synced)).code == 0
    before = committed(synced)
    small_cluster.storages["local"]["active"] = 0
    small_cluster.storages["nfs"]["active"] = 0
    result = cli("sync", "-C", str(synced))
    assert result.code == 3, result.err
    for rid in ("content/pve1/local", "content/pve2/local", "content/_shared/nfs"):
        assert f"kept the last state of {rid}: storage" in result.err, rid
    after = committed(synced)
    for path in ("content/pve1/local", "content/pve2/local", "content/_shared/nfs"):
        assert after[f"clusters/lab/{path}.yaml"] == before[f"clusters/lab/{path}.yaml"]
    assert b"active: false" in after["clusters/lab/storage/local.yaml"]
    small_cluster.storages["local"]["disable"] = 1
    small_cluster.storages["nfs"]["active"] = 1
    result = cli("sync", "-C", str(synced))
    assert result.code == 0, result.err
    assert "clusters/lab/content/pve1/local.yaml" not in committed(synced)
    assert_consistent(synced)
