"""The declarative configuration (proxstate.resources.catalog) recorded by real syncs against fakepve."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from proxstate import yamlio
from tests.helpers.cli import api_post
from tests.helpers.repo import document, git


def test_sync_records_the_declarative_kinds(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    small_cluster.firewall_config("cluster")["options"] = {"enable": 1}
    small_cluster.firewall_config("host", node="pve2")["rules"] = [
        {"type": "in", "action": "DROP", "enable": 1}
    ]
    small_cluster.firewall_config("vm", vmid=101)["rules"] = [{"type": "in", "action": "ACCEPT", "enable": 1}]
    small_cluster.firewall_config("ct", vmid=200)["options"] = {"enable": 1}
    assert cli("sync", "-C", str(state_repo)).code == 0
    job = next((state_repo / "clusters/lab/backup-job").glob("*.yaml"))
    job_document = yamlio.load(job.read_text())
    assert job_document["kind"] == "backup-job"
    assert job_document["config"]["enabled"] is True  # typed from the schema: PVE sends 1
    assert "next-run" not in job_document["config"]  # volatile
    assert document(state_repo, "pool/prod.yaml")["config"]["members"] == [
        {"id": "qemu/101", "type": "qemu", "vmid": 101}
    ]
    assert document(state_repo, "network/pve1.yaml")["entries"]["vmbr0"]["type"] == "bridge"
    assert document(state_repo, "access/user/root@pam.yaml")["kind"] == "access"
    for rel in (
        "cluster-options.yaml",
        "firewall/cluster/options.yaml",
        "firewall/node/pve2/rules.yaml",
        "guest-firewall/qemu/101/rules.yaml",
        "guest-firewall/lxc/200/options.yaml",
        "dns/pve1.yaml",
        "access/acl.yaml",
        "ha/resource",
        "corosync/nodes.yaml",
    ):
        assert (state_repo / "clusters/lab" / rel).exists(), rel
    # Sections that hold nothing configured are not written (docs/state-format.md).
    for rel in ("firewall/cluster/rules.yaml", "firewall/node/pve1", "guest-firewall/qemu/102"):
        assert not (state_repo / "clusters/lab" / rel).exists(), rel


def test_a_new_firewall_rule_is_one_change(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    assert cli("sync", "-C", str(state_repo)).code == 0
    api_post(
        small_cluster,
        pve_env,
        "/cluster/firewall/rules",
        {"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "22", "enable": "1"},
    )
    assert cli("sync", "-C", str(state_repo)).code == 0
    assert "firewall/cluster/rules" in git(state_repo, "log", "-1", "--format=%b")
    rules = document(state_repo, "firewall/cluster/rules.yaml")["entries"]
    assert rules[0]["dport"] == "22" and rules[0]["action"] == "ACCEPT"
    report = cli("show-changes", "-C", str(state_repo), "--resource", "firewall/*").out
    assert "firewall/cluster/rules" in report


def test_a_kind_without_privilege_keeps_its_state_and_is_named(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    assert cli("sync", "-C", str(state_repo)).code == 0
    before = (state_repo / "clusters/lab/access/user/root@pam.yaml").read_text()
    small_cluster.fail("GET", "/access/users", 403, "Permission check failed (/access, Sys.Audit)")
    small_cluster.vm(102).config["cores"] = 3
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 3
    assert "access/user/*" in result.err and "Sys.Audit" in result.err
    assert (state_repo / "clusters/lab/access/user/root@pam.yaml").read_text() == before
    assert document(state_repo, "qemu/102.yaml")["config"]["cores"] == 3


def test_an_absent_optional_feature_is_not_a_failure(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    small_cluster.fail("GET", "/ceph/pool", 500, "binary not installed: /usr/bin/ceph-mon")
    result = cli("sync", "-C", str(state_repo), "--only", "ceph")
    assert result.code == 0, result.err
    assert not (state_repo / "clusters/lab/ceph/pool").exists()


def test_only_a_declarative_kind(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    small_cluster.firewall_config("cluster")["aliases"] = {"lan": {"cidr": "192.0.2.0/24"}}
    assert cli("sync", "-C", str(state_repo), "--only", "firewall,access").code == 0
    kinds = sorted(p.name for p in (state_repo / "clusters/lab").iterdir())
    assert kinds == ["access", "firewall"]
