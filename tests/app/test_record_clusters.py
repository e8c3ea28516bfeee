"""The clusters of a record (`log`, `blame` of a resource without --cluster): read from each
cluster folder's cluster.yaml, not from a listing of every file below (years of tasks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxstate.app.record import cluster_names
from proxstate.store import StateRepo
from tests.helpers.repo import git, git_calls


def test_cluster_names_lists_the_folders_that_hold_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = StateRepo.init(tmp_path / "state")
    files: dict[str, bytes | None] = {
        "clusters/a/cluster.yaml": b"a\n",
        "clusters/a/tasks/pve1/2026-11-30.yaml": b"tasks: {}\n",
        "clusters/b/qemu/1.yaml": b"b\n",  # no cluster.yaml: still a cluster, as before
    }
    repo.commit_files(files, message="first", author=None)
    (repo.root / "clusters/c/qemu").mkdir(parents=True)
    (repo.root / "clusters/c/qemu/1.yaml").symlink_to("../../a/cluster.yaml")  # a link is no file
    git(repo.root, "add", "clusters")
    git(repo.root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "link")
    assert cluster_names(repo, "HEAD") == ["a", "b"]
    assert cluster_names(repo, None) == []

    repo.commit_files({"clusters/b/cluster.yaml": b"b\n"}, message="b", author=None)
    with git_calls(monkeypatch) as calls:
        assert cluster_names(repo, "HEAD") == ["a", "b"]
    recursive = [call[call.index("--") + 1 :] for call in calls if "ls-tree" in call and "-r" in call]
    # Only the folder without a cluster.yaml (c, which holds a link) is listed whole.
    assert recursive == [
        ["clusters/a/cluster.yaml", "clusters/b/cluster.yaml", "clusters/c/cluster.yaml"],
        ["clusters/c"],
    ]
