"""Strict where a typo costs data: a mistyped name, date or repository is an error, not a record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers.repo import commit_count, git


@pytest.mark.parametrize("option", ["--since", "--until"])
def test_a_date_that_is_no_date_is_a_usage_error(synced: Path, cli: Any, option: str) -> None:
    result = cli("show-changes", "-C", str(synced), option, "garbage date")
    assert result.code == 64, result.err
    assert result.out == ""
    assert "'garbage date' is neither a date nor a commit" in result.err
    assert "2026-11-01" in result.err and "yesterday" in result.err
    assert cli("show-changes", "-C", str(synced), option, "now").code == 0


def test_sync_refuses_a_repository_proxstate_init_did_not_set_up(
    tmp_path: Path, pve_env: dict[str, str], cli: Any
) -> None:
    project = tmp_path / "ansible"
    project.mkdir()
    git(project, "init", "-q")
    (project / "site.yml").write_text("- hosts: all\n")
    git(project, "add", "site.yml")
    git(project, "commit", "-qm", "playbook")
    refused = cli("sync", "-C", str(project))
    assert refused.code == 64
    assert f"{project} has no proxstate.yaml" in refused.err
    assert f"proxstate init {project}" in refused.err and "--force" in refused.err
    assert sorted(path.name for path in project.iterdir()) == [".git", "site.yml"]
    assert commit_count(project) == 1
    # The way out it names works.
    assert cli("init", "--force", str(project)).code == 0
    git(project, "add", "-A")
    git(project, "commit", "-qm", "proxstate init")
    assert cli("sync", "-C", str(project)).code == 0
    assert (project / "clusters" / "lab" / "qemu" / "101.yaml").is_file()


def test_sync_refuses_a_cluster_name_it_does_not_know(synced: Path, cli: Any) -> None:
    # The connection comes from the environment, so any name would do for the read.
    refused = cli("sync", "-C", str(synced), "--cluster", "lba")
    assert refused.code == 64
    assert "no cluster named 'lba'" in refused.err
    assert "the record holds lab" in refused.err and "--new-cluster" in refused.err
    assert commit_count(synced) == 2
    assert sorted(path.name for path in (synced / "clusters").iterdir()) == ["lab"]
    assert cli("sync", "-C", str(synced), "--cluster", "lab").code == 0
    new = cli("sync", "-C", str(synced), "--cluster", "lab2", "--new-cluster")
    assert new.code == 0, new.err
    assert (synced / "clusters" / "lab2" / "cluster.yaml").is_file()


@pytest.mark.parametrize(
    "command",
    [
        ("list-vms",),
        ("list-tasks",),
        ("show-changes",),
        ("log", "qemu/101"),
        ("show", "qemu/101"),
        ("discover-vms",),
    ],
)
def test_a_cluster_nobody_knows_is_named_as_such(synced: Path, cli: Any, command: tuple[str, ...]) -> None:
    result = cli(*command, "-C", str(synced), "--cluster", "nosuch")
    assert result.code == 64, result.err
    assert result.out == ""
    assert "no cluster named 'nosuch'" in result.err and "lab" in result.err


@pytest.mark.parametrize("command", ["list-vms", "list-nodes", "list-containers", "discover-vms"])
def test_a_node_nobody_knows_is_named_as_such(synced: Path, cli: Any, command: str) -> None:
    result = cli(command, "-C", str(synced), "--node", "pve1", "--node", "nosuch")
    assert result.code == 64, result.err
    assert result.out == ""
    assert "no node named 'nosuch'" in result.err and "pve1, pve2" in result.err
    assert cli(command, "-C", str(synced), "--node", "pve1").code == 0


def _remote_with_history(synced: Path, tmp_path: Path) -> tuple[Path, str]:
    remote = tmp_path / "shared.git"
    git(tmp_path, "clone", "-q", "--bare", str(synced), str(remote))
    return remote, git(remote, "for-each-ref", "--format=%(refname) %(objectname)")


def test_push_from_an_unborn_branch_onto_a_remote_with_history_is_refused(
    synced: Path, tmp_path: Path, pve_env: dict[str, str], cli: Any
) -> None:
    remote, refs = _remote_with_history(synced, tmp_path)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    git(fresh, "init", "-q", "-b", "master")
    (fresh / "proxstate.yaml").write_bytes((synced / "proxstate.yaml").read_bytes())
    git(fresh, "remote", "add", "origin", str(remote))
    refused = cli("sync", "-C", str(fresh), "--push")
    assert refused.code == 1
    assert "refusing to push" in refused.err and "branches main" in refused.err
    assert "master here has no commit yet" in refused.err and "clone it" in refused.err
    assert git(remote, "for-each-ref", "--format=%(refname) %(objectname)") == refs
    assert not (fresh / "clusters").exists()
    # A repository of its own made by `proxstate init` has a root commit the remote does not share.
    other = tmp_path / "other"
    assert cli("init", str(other)).code == 0
    git(other, "remote", "add", "origin", str(remote))
    git(other, "branch", "-m", "records")
    unrelated = cli("sync", "-C", str(other), "--push")
    assert unrelated.code == 1 and "shares no commit with it" in unrelated.err
    assert git(remote, "for-each-ref", "--format=%(refname) %(objectname)") == refs
    # A clone of the remote pushes as before.
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(remote), str(clone))
    pushed = cli("sync", "-C", str(clone), "--push", "-m", "from the clone")
    assert pushed.code == 0, pushed.err
