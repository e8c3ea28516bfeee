"""One guest that cannot be read (500, a lock timeout, gone in between): the rest is recorded, that
guest keeps its last state and is named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers.repo import assert_consistent, committed, git

LOCK_TIMEOUT = "can't lock file '/run/lock/lxc/pve-config-200.lock' - got timeout"


@pytest.mark.parametrize(
    ("status", "message", "named"),
    [
        (500, LOCK_TIMEOUT, "got timeout"),
        (500, "internal error", "internal error"),
        (501, "Method 'GET /nodes/pve1/lxc/200/pending' not implemented", "not implemented"),
        (500, "Configuration file 'nodes/pve1/lxc/200.conf' does not exist", "not found"),
    ],
    ids=["lock timeout", "500", "501", "gone in between"],
)
def test_one_container_fails(
    synced: Path, cli: Any, small_cluster: Any, status: int, message: str, named: str
) -> None:
    before = committed(synced)
    small_cluster.ct(200).config["memory"] = 1024
    small_cluster.vm(102).config["cores"] = 6
    small_cluster.fail("GET", "/nodes/pve1/lxc/200/pending", status, message)
    result = cli("sync", "-C", str(synced))
    assert result.code == 3, result.err
    assert "Traceback" not in result.err
    warning = [line for line in result.err.splitlines() if "lxc/200" in line]
    assert len(warning) == 1 and named in warning[0], result.err
    assert "(1 not read)" in result.out
    after = committed(synced)
    assert set(before) <= set(after)
    for path in before:  # its document, and its firewall documents
        if "lxc/200" in path:
            assert after[path] == before[path], path
    assert b"cores: 6" in after["clusters/lab/qemu/102.yaml"]
    assert "Not read: lxc/200 (GET /nodes/pve1/lxc/200/pending" in git(synced, "log", "-1", "--format=%b")
    assert_consistent(synced)
    # Once it answers again, its change is recorded.
    small_cluster.failures.clear()
    assert cli("sync", "-C", str(synced)).code == 0
    assert b"memory: 1024" in committed(synced)["clusters/lab/lxc/200.yaml"]


def test_a_new_guest_that_fails_is_named_and_not_recorded(synced: Path, cli: Any, small_cluster: Any) -> None:
    small_cluster.add_vm(500, "fresh", node="pve2", config={"memory": 512})
    small_cluster.fail("GET", "/nodes/pve2/qemu/500/pending", 500, "internal error")
    result = cli("sync", "-C", str(synced))
    assert result.code == 3
    assert "qemu/500" in result.err
    assert "clusters/lab/qemu/500.yaml" not in committed(synced)
    assert_consistent(synced)


def test_a_snapshot_list_that_fails_keeps_the_guest(synced: Path, cli: Any, small_cluster: Any) -> None:
    """A guest with snapshots needs a second call; when that one fails, the guest keeps its last state."""
    small_cluster.vm(102).config["parent"] = "before-upgrade"
    assert cli("sync", "-C", str(synced)).code in (0, 3)
    before = committed(synced)
    small_cluster.vm(102).config["cores"] = 12
    small_cluster.fail("GET", "/nodes/pve2/qemu/102/snapshot", 500, "internal error")
    result = cli("sync", "-C", str(synced))
    assert result.code == 3
    assert "qemu/102" in result.err
    assert committed(synced)["clusters/lab/qemu/102.yaml"] == before["clusters/lab/qemu/102.yaml"]
    assert_consistent(synced)


def test_a_node_status_that_fails_keeps_the_node_document(synced: Path, cli: Any, small_cluster: Any) -> None:
    """A 500 for one node's status (the node answers otherwise): its facts are not dropped."""
    before = committed(synced)
    small_cluster.fail("GET", "/nodes/pve1/status", 500, "internal error")
    result = cli("sync", "-C", str(synced))
    assert result.code == 3
    assert "node/pve1" in result.err
    assert committed(synced)["clusters/lab/nodes/pve1.yaml"] == before["clusters/lab/nodes/pve1.yaml"]
    assert_consistent(synced)
