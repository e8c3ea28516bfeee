"""Guests that /cluster/resources lists twice, or with a type proxstate does not know.

PVE's handler (pve-manager PVE::API2::Cluster `resources`) lists each vmid once, from pmxcfs's VM
list, which is keyed by vmid; the answers here are what a split brain, a stale entry or a proxy that
merges answers gives. The guest keeps its last document and is named with what PVE said.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers.answers import rewrite_data
from tests.helpers.repo import committed, document


def test_a_vmid_on_two_nodes_keeps_its_last_state(synced: Path, cli: Any, small_cluster: Any) -> None:
    small_cluster.firewall_config("vm", vmid=101)["rules"] = [{"type": "in", "action": "DROP", "enable": 1}]
    assert cli("sync", "-C", str(synced)).code == 0
    before = committed(synced)

    def twice(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
        entry = next(e for e in data if e.get("vmid") == 101)
        return [*data, {**entry, "node": "pve2", "id": "qemu/101"}]

    rewrite_data(small_cluster, "/cluster/resources", twice)
    small_cluster.vm(101).config["cores"] = 8  # which of the two is right cannot be told
    small_cluster.vm(102).config["cores"] = 6
    result = cli("sync", "-C", str(synced))
    assert result.code == 3, result.err
    line = next(line for line in result.err.splitlines() if "qemu/101" in line)
    assert "2 times" in line and "qemu on pve1" in line and "qemu on pve2" in line
    assert committed(synced)["clusters/lab/qemu/101.yaml"] == before["clusters/lab/qemu/101.yaml"]
    assert (synced / "clusters/lab/guest-firewall/qemu/101/rules.yaml").exists()
    assert document(synced, "qemu/102.yaml")["config"]["cores"] == 6


def test_a_guest_of_an_unknown_type_is_not_removed(synced: Path, cli: Any, small_cluster: Any) -> None:
    before = committed(synced)
    renamed = {101: "QEMU", 200: "openvz"}

    def odd_types(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{**e, "type": renamed[e["vmid"]]} if e.get("vmid") in renamed else e for e in data]

    rewrite_data(small_cluster, "/cluster/resources", odd_types)
    result = cli("sync", "-C", str(synced))
    assert result.code == 3, result.err
    for rid, word in (("qemu/101", "QEMU"), ("lxc/200", "openvz")):
        line = next(line for line in result.err.splitlines() if f"of {rid}:" in line)
        assert "unknown type" in line and word in line
    assert committed(synced) == before
