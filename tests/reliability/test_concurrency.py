"""Two syncs of one repository at once, and two clusters pushing to one remote at once."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import proxstate.app.sync
from proxstate.store import StateRepo
from tests.helpers.cli import assert_one_line_error
from tests.helpers.process import proxstate_process
from tests.helpers.repo import assert_consistent, git


def test_two_syncs_of_one_repository_at_once(synced: Path, small_cluster: Any) -> None:
    """Both run to the end: the second waits for the lock, then finds nothing more to record."""
    small_cluster.vm(101).config["cores"] = 6
    before = int(git(synced, "rev-list", "--count", "HEAD"))
    processes = [proxstate_process("sync", "-C", str(synced)) for _ in range(3)]
    results = [(p.wait(timeout=60), *p.communicate()) for p in processes]
    for code, _out, err in results:
        assert code == 0, err
        assert "Traceback" not in err
    outs = sorted(out for _, out, _ in results)
    assert sum("committed" in out for out in outs) == 1, outs
    assert sum("no changes" in out for out in outs) == 2, outs
    assert int(git(synced, "rev-list", "--count", "HEAD")) == before + 1
    assert_consistent(synced)


def test_a_sync_that_cannot_get_the_lock_says_who_holds_it(
    synced: Path, cli: Any, small_cluster: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(proxstate.app.sync, "LOCK_TIMEOUT", 0.3)
    head = git(synced, "rev-parse", "HEAD")
    small_cluster.vm(101).config["cores"] = 6
    with StateRepo.open(synced).lock(timeout=1):
        result = cli("sync", "-C", str(synced))
    assert_one_line_error(result)
    assert "holds the lock" in result.err and "pid" in result.err
    assert git(synced, "rev-parse", "HEAD") == head
    assert cli("sync", "-C", str(synced)).code == 0
    assert_consistent(synced)


def _clone(remote: Path, where: Path) -> Path:
    git(where.parent, "clone", "-q", str(remote), str(where))
    return where


def _cluster_env(pve: Any, token: str, cafile: str) -> dict[str, str]:
    return {"PROXSTATE_URL": pve.url, "PROXSTATE_TOKEN": token, "PROXSTATE_CA_CERT": cafile}


def test_two_clusters_push_to_one_remote_at_once(
    synced: Path, small_cluster: Any, second_pve: Any, fakepve_cafile: str, tmp_path: Path
) -> None:
    """Each cluster has its own clone; both sync with --push at the same moment, two rounds: every
    commit lands on the remote, the history stays linear."""
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(remote))
    git(synced, "remote", "add", "origin", str(remote))
    git(synced, "push", "-q", "origin", "main")
    second_pve.cluster_name = "other"
    second_pve.add_vm(300, "far", node="pve1", config={"memory": 1024})
    second_pve.apitokens["root@pam!other"] = "other-secret-1"
    clones = {
        "lab": (
            synced,
            _cluster_env(
                small_cluster, "root@pam!proxstate=5ec12e7-0000-4a4a-bbbb-token-secret", fakepve_cafile
            ),
        ),
        "other": (
            _clone(remote, tmp_path / "other"),
            _cluster_env(second_pve, "root@pam!other=other-secret-1", fakepve_cafile),
        ),
    }
    for round_ in range(2):
        small_cluster.vm(101).config["cores"] = 10 + round_
        second_pve.vm(300).config["cores"] = 20 + round_
        processes = [
            proxstate_process("sync", "-C", str(root), "--push", env=env) for root, env in clones.values()
        ]
        for process in processes:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0, err
            assert "pushed to origin" in out
    assert git(remote, "rev-list", "--merges", "main") == ""
    subjects = git(remote, "log", "--format=%s", "main").splitlines()
    assert sum(s.startswith("sync lab:") for s in subjects) == 3  # the first sync, and two changes
    assert sum(s.startswith("sync other:") for s in subjects) == 2  # the first sync, and one change
    files = git(remote, "ls-tree", "-r", "--name-only", "main")
    assert "clusters/lab/qemu/101.yaml" in files and "clusters/other/qemu/300.yaml" in files
    assert "cores: 11" in git(remote, "show", "main:clusters/lab/qemu/101.yaml")
    assert "cores: 21" in git(remote, "show", "main:clusters/other/qemu/300.yaml")
    for root, _ in clones.values():
        assert_consistent(root)
