"""The clusters of a record (`log`, `blame` of a resource without --cluster): read from each
cluster folder's cluster.yaml, not from a listing of every file below (years of tasks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxstate.app.record import cluster_names
from proxstate.store import StateRepo
from proxstate.store.layout import HASHED, document_file, document_header
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


def test_a_cluster_filed_under_a_hashed_name_is_named_by_its_cluster_yaml(tmp_path: Path) -> None:
    long_name = "c" * 300  # longer than a file name may be: its folder has a hashed name
    path = document_file(long_name, "cluster")
    assert HASHED in path
    repo = StateRepo.init(tmp_path / "state")
    header = document_header(long_name, "cluster", path)
    repo.commit_files(
        {path: header + b"name: x\n", "clusters/a/cluster.yaml": b"a\n"}, message="m", author=None
    )
    assert cluster_names(repo, "HEAD") == ["a", long_name]
    # A link in its place names nothing: only a file's first line is read.
    folder = repo.root / path.rsplit("/", 1)[0]
    (folder / "cluster.yaml").unlink()
    (folder / "cluster.yaml").symlink_to(header.decode().strip())
    (folder / "qemu").mkdir()
    (folder / "qemu/1.yaml").write_text("x\n", encoding="utf-8")
    git(repo.root, "add", "-A", "clusters")
    git(repo.root, "-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m", "link")
    assert cluster_names(repo, "HEAD") == ["a"]
