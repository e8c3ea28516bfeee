"""When a fresh cluster document is the cluster a folder's cluster.yaml describes."""

from __future__ import annotations

from typing import Any

import pytest

from proxstate.app.identity import describe, same_cluster


def _doc(name: str, **nodes: tuple[int, str | None]) -> dict[str, Any]:
    members = {n: {"nodeid": i, **({"ip": ip} if ip else {})} for n, (i, ip) in nodes.items()}
    return {"kind": "cluster", "name": name, "nodes": members}


LAB = _doc("lab", pve1=(1, "10.0.0.1"), pve2=(2, "10.0.0.2"))


@pytest.mark.parametrize(
    ("current", "same"),
    [
        (_doc("lab", pve1=(1, "10.0.0.1"), pve2=(2, "10.0.0.2")), True),
        (_doc("lab", pve1=(1, "10.0.0.1"), pve3=(3, "10.0.0.3")), True),  # a node left, one joined
        (_doc("lab", pve1=(1, None), pve2=(2, "10.0.0.2")), True),  # offline: no address said
        (_doc("lab", pve1=(1, "10.9.0.1"), pve2=(2, "10.9.0.2")), False),  # another network
        (_doc("lab", pve1=(2, "10.0.0.1")), False),  # another node id: another corosync.conf
        (_doc("lab2", pve1=(1, "10.0.0.1"), pve2=(2, "10.0.0.2")), False),
    ],
)
def test_a_cluster_keeps_its_folder_while_one_member_stays(current: dict[str, Any], same: bool) -> None:
    assert same_cluster(LAB, current) is same


def test_standalone_hosts_of_one_name_are_told_apart_by_address() -> None:
    host = _doc("pve", pve=(0, "192.168.1.10"))
    assert same_cluster(host, _doc("pve", pve=(0, "192.168.1.10")))
    assert not same_cluster(host, _doc("pve", pve=(0, "192.168.1.20")))


def test_a_folder_without_members_is_free() -> None:
    assert same_cluster({"kind": "cluster", "name": "old"}, LAB)


def test_the_description_is_one_escaped_line() -> None:
    assert describe(LAB) == "cluster 'lab' (nodes pve1 #1 10.0.0.1, pve2 #2 10.0.0.2)"
    assert "\x1b" not in describe(_doc("l\x1b[2Jab", pve1=(1, "x\ny")))


def test_a_large_cluster_is_described_in_a_few_members() -> None:
    large = _doc("big", **{f"pve{i}": (i, f"10.0.0.{i}") for i in range(1, 41)})
    assert describe(large).endswith("pve12 #12 10.0.0.12, and 36 more)")
