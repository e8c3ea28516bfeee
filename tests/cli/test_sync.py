"""`proxstate init` + `proxstate sync` end to end: files, commits, messages, exit codes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers.cli import TOKEN_SECRET
from tests.helpers.repo import commit_count, document, git


def test_init_creates_a_committed_template(state_repo: Path) -> None:
    assert (state_repo / "proxstate.yaml").is_file()
    assert (state_repo / ".gitignore").is_file()
    assert (state_repo / ".gitattributes").is_file()
    assert git(state_repo, "log", "--format=%s").strip() == "proxstate init"


def test_init_refuses_to_overwrite(state_repo: Path, cli: Any) -> None:
    result = cli("init", str(state_repo))
    assert result.code == 64
    assert "already has" in result.err and "--force" in result.err
    assert cli("init", str(state_repo), "--force").code == 0


def test_first_sync_records_every_kind(state_repo: Path, pve_env: dict[str, str], cli: Any) -> None:
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.err
    assert "lab: committed" in result.out
    cluster = state_repo / "clusters" / "lab"
    for rel in (
        "cluster.yaml",
        "nodes/pve1.yaml",
        "nodes/pve2.yaml",
        "qemu/101.yaml",
        "qemu/102.yaml",
        "qemu/9000.yaml",
        "lxc/200.yaml",
        "lxc/201.yaml",
        "storage/local.yaml",
        "storage/local-lvm.yaml",
    ):
        assert (cluster / rel).is_file(), rel
    vm = document(state_repo, "qemu/101.yaml")
    assert vm["kind"] == "qemu" and vm["vmid"] == 101 and vm["node"] == "pve1"
    # Configured values are recorded once, under config (docs/state-format.md).
    assert vm["config"]["name"] == "web01" and "name" not in vm
    assert vm["config"]["tags"] == ["prod", "web"] and "tags" not in vm
    assert vm["config"]["net0"]["bridge"] == "vmbr0"
    assert vm["config"]["description"] == "line one\nline two"
    assert "digest" not in vm["config"]
    text = (cluster / "qemu" / "101.yaml").read_text()
    assert "uptime" not in text and "netin" not in text and "digest" not in text
    template = document(state_repo, "qemu/9000.yaml")
    assert template["config"]["template"] is True and "template" not in template
    subject = git(state_repo, "log", "-1", "--format=%s").strip()
    assert subject.startswith("sync lab: ") and "added, 0 changed, 0 removed" in subject
    body = git(state_repo, "log", "-1", "--format=%B")
    assert "qemu/101 web01: added" in body
    assert (
        "Proxstate-Cluster: lab" in body
        and "Proxstate-PVE-Version: " in body
        and "Proxstate-Version: " in body
    )
    assert git(state_repo, "status", "--porcelain") == ""
    assert TOKEN_SECRET not in git(state_repo, "log", "-p", "--all")


def test_second_sync_without_change_makes_no_commit(
    state_repo: Path, pve_env: dict[str, str], cli: Any
) -> None:
    assert cli("sync", "-C", str(state_repo)).code == 0
    before = commit_count(state_repo)
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0
    assert "lab: no changes" in result.out
    assert commit_count(state_repo) == before


def test_a_change_is_one_commit_naming_the_fields(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    assert cli("sync", "-C", str(state_repo)).code == 0
    vm = small_cluster.vm(102)
    vm.config["memory"] = 8192
    vm.config["net0"] = "virtio=BC:24:11:00:00:02,bridge=vmbr1"
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.err
    assert git(state_repo, "log", "-1", "--format=%s").strip() == "sync lab: 0 added, 1 changed, 0 removed"
    body = git(state_repo, "log", "-1", "--format=%b")
    assert "qemu/102 db01: " in body and "memory" in body and "net0" in body
    assert document(state_repo, "qemu/102.yaml")["config"]["net0"]["bridge"] == "vmbr1"


def test_removed_guest_disappears_from_the_tree(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    assert cli("sync", "-C", str(state_repo)).code == 0
    small_cluster.vms.remove(small_cluster.vm(102))
    assert cli("sync", "-C", str(state_repo)).code == 0
    assert not (state_repo / "clusters/lab/qemu/102.yaml").exists()
    assert "qemu/102 db01: removed" in git(state_repo, "log", "-1", "--format=%b")


def test_offline_node_keeps_its_guests(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    assert cli("sync", "-C", str(state_repo)).code == 0
    before = (state_repo / "clusters/lab/qemu/102.yaml").read_text()
    small_cluster.set_node_offline("pve2")
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 3, result.err
    assert "unreachable: pve2" in result.out
    assert (state_repo / "clusters/lab/qemu/102.yaml").read_text() == before
    assert (state_repo / "clusters/lab/lxc/201.yaml").is_file()
    node = document(state_repo, "nodes/pve2.yaml")
    assert node["status"] == "unreachable"
    assert "Unreachable: node pve2" in git(state_repo, "log", "-1", "--format=%b")


def test_one_failing_guest_keeps_its_last_state(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    assert cli("sync", "-C", str(state_repo)).code == 0
    before = (state_repo / "clusters/lab/qemu/101.yaml").read_text()
    small_cluster.vm(101).config["memory"] = "4096"
    small_cluster.fail(
        "GET",
        "/nodes/pve1/qemu/101/pending",
        500,
        "can't lock file '/var/lock/qemu-server/lock-101.conf' - got timeout",
    )
    small_cluster.vm(102).config["cores"] = 8
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 3
    assert "qemu/101" in result.err and "got timeout" in result.err
    assert (state_repo / "clusters/lab/qemu/101.yaml").read_text() == before
    assert document(state_repo, "qemu/102.yaml")["config"]["cores"] == 8


def test_only_one_kind_leaves_the_others(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    assert cli("sync", "-C", str(state_repo)).code == 0
    small_cluster.cts.remove(small_cluster.ct(201))
    small_cluster.vm(102).config["cores"] = 6
    assert cli("sync", "-C", str(state_repo), "--only", "qemu").code == 0
    assert (state_repo / "clusters/lab/lxc/201.yaml").is_file()
    assert document(state_repo, "qemu/102.yaml")["config"]["cores"] == 6


def test_dry_run_writes_nothing(state_repo: Path, pve_env: dict[str, str], cli: Any) -> None:
    before = commit_count(state_repo)
    result = cli("sync", "-C", str(state_repo), "--dry-run")
    assert result.code == 0
    assert "would commit" in result.out
    assert commit_count(state_repo) == before
    assert not (state_repo / "clusters").exists()


def test_branch_leaves_the_checked_out_branch(state_repo: Path, pve_env: dict[str, str], cli: Any) -> None:
    head = git(state_repo, "rev-parse", "HEAD").strip()
    assert cli("sync", "-C", str(state_repo), "--branch", "review").code == 0
    assert git(state_repo, "rev-parse", "HEAD").strip() == head
    assert not (state_repo / "clusters").exists()
    files = git(state_repo, "ls-tree", "-r", "--name-only", "review")
    assert "clusters/lab/qemu/101.yaml" in files


def test_uncommitted_edits_are_not_overwritten(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    assert cli("sync", "-C", str(state_repo)).code == 0
    edited = state_repo / "clusters/lab/qemu/101.yaml"
    edited.write_text(edited.read_text() + "# my note\n")
    small_cluster.vm(101).config["cores"] = 16
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 1
    assert "uncommitted" in result.err and "qemu/101.yaml" in result.err
    assert edited.read_text().endswith("# my note\n")


def test_push_to_a_bare_remote(state_repo: Path, pve_env: dict[str, str], cli: Any, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--bare", "-b", "main", str(remote))
    git(state_repo, "remote", "add", "origin", str(remote))
    result = cli("sync", "-C", str(state_repo), "--push")
    assert result.code == 0, result.err
    assert git(remote, "rev-parse", "main").strip() == git(state_repo, "rev-parse", "HEAD").strip()


def test_no_credentials_is_a_clear_error(
    state_repo: Path, pve_env: dict[str, str], cli: Any, monkeypatch: Any
) -> None:
    monkeypatch.delenv("PROXSTATE_TOKEN")
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 1
    assert "no credentials" in result.err
    assert "Traceback" not in result.err


def test_cluster_name_that_needs_escaping(state_repo: Path, pve_env: dict[str, str], cli: Any) -> None:
    config = state_repo / "proxstate.yaml"
    config.write_text('version: 2\nclusters:\n  - name: "../lab one"\n')
    git(state_repo, "commit", "-qam", "name the cluster")
    assert cli("sync", "-C", str(state_repo)).code == 0
    folders = [p.name for p in (state_repo / "clusters").iterdir()]
    assert folders == ["%2E.%2Flab%20one"]
    before = commit_count(state_repo)
    again = cli("sync", "-C", str(state_repo))
    assert again.code == 0 and "no changes" in again.out
    assert commit_count(state_repo) == before
    assert cli("show", "qemu/101", "-C", str(state_repo)).code == 0


def test_push_of_a_review_branch_without_changes_is_a_no_op(
    state_repo: Path, pve_env: dict[str, str], cli: Any, tmp_path: Path
) -> None:
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--bare", "-b", "main", str(remote))
    git(state_repo, "remote", "add", "origin", str(remote))
    assert cli("sync", "-C", str(state_repo), "--push").code == 0
    result = cli("sync", "-C", str(state_repo), "--branch", "review", "--push")
    assert result.code == 0, result.err
    assert "no changes" in result.out and "pushed" not in result.out
    assert git(remote, "branch", "--list", "review").strip() == ""
