"""Pushing to a bare remote: replay when the remote moved, conflicts, refusals, clean messages."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from proxstate.errors import PushRejected, StoreError
from proxstate.store import Identity, StateRepo
from tests.helpers.repo import Git


@pytest.fixture
def remote(tmp_path: Path, git: Git) -> Path:
    """A bare repository whose main branch has one commit."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    seed = StateRepo.init(tmp_path / "seed")
    seed.commit_files({"proxstate.yaml": b"version: 2\n"}, message="proxstate init", author=None)
    git(seed.root, "remote", "add", "origin", str(bare))
    seed.push(branch="main")
    return bare


def _clone(remote: Path, name: str, git: Git) -> StateRepo:
    git(remote.parent, "clone", "-q", str(remote), name)
    return StateRepo.open(remote.parent / name)


def _clean(repo: StateRepo, git: Git) -> bool:
    return git(repo.root, "status", "--porcelain", "--untracked-files=all") == ""


def test_push_fast_forward(remote: Path, git: Git) -> None:
    alpha = _clone(remote, "alpha", git)
    sha = alpha.commit_files({"clusters/a/cluster.yaml": b"a\n"}, message="sync a", author=None)
    alpha.push(branch="main")
    assert git(remote, "rev-parse", "main") == sha


def test_push_replays_on_a_remote_that_moved(remote: Path, git: Git) -> None:
    alpha, beta = _clone(remote, "alpha", git), _clone(remote, "beta", git)
    beta_sha = beta.commit_files({"clusters/b/cluster.yaml": b"b\n"}, message="sync b", author=None)
    beta.push(branch="main")
    alpha.commit_files(
        {"clusters/a/cluster.yaml": b"a\n"},
        message="sync a\n\nProxstate-Cluster: a\n",
        author=Identity(name="Alpha Bot", email="alpha@example.org"),
    )
    alpha.push(branch="main")
    tip = git(remote, "rev-parse", "main")
    assert alpha.head() == tip
    assert git(remote, "rev-parse", "main^") == beta_sha
    assert git(remote, "log", "-1", "--format=%an <%ae>%n%B", "main") == (
        "Alpha Bot <alpha@example.org>\nsync a\n\nProxstate-Cluster: a"
    )
    # The checked-out work tree followed: it has the other cluster's files and nothing is dirty.
    assert (alpha.root / "clusters/b/cluster.yaml").read_bytes() == b"b\n"
    assert _clean(alpha, git)


def test_concurrent_pushes_both_land(remote: Path, git: Git) -> None:
    clones = {name: _clone(remote, name, git) for name in ("alpha", "beta")}
    errors: list[BaseException] = []

    def sync(name: str) -> None:
        repo = clones[name]
        try:
            for number in range(4):
                repo.commit_files(
                    {f"clusters/{name}/cluster.yaml": f"run: {number}\n".encode()},
                    message=f"sync {name} {number}",
                    author=None,
                )
                repo.push(branch="main", attempts=10)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=sync, args=(name,)) for name in clones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    subjects = git(remote, "log", "--format=%s", "main").splitlines()
    assert sorted(subjects) == sorted(
        [f"sync {name} {number}" for name in clones for number in range(4)] + ["proxstate init"]
    )
    final = git(remote, "ls-tree", "-r", "--name-only", "main").splitlines()
    assert final == ["clusters/alpha/cluster.yaml", "clusters/beta/cluster.yaml", "proxstate.yaml"]
    for repo in clones.values():
        assert _clean(repo, git)


def test_same_change_on_both_sides_is_not_a_conflict(remote: Path, git: Git) -> None:
    alpha, beta = _clone(remote, "alpha", git), _clone(remote, "beta", git)
    for repo in (beta, alpha):
        repo.commit_files({"clusters/a/cluster.yaml": b"same\n"}, message="sync", author=None)
    beta.push(branch="main")
    alpha.push(branch="main")
    assert alpha.head() == git(remote, "rev-parse", "main")


def test_real_conflict_is_rejected_and_nothing_is_lost(remote: Path, git: Git) -> None:
    alpha, beta = _clone(remote, "alpha", git), _clone(remote, "beta", git)
    beta.commit_files({"clusters/a/cluster.yaml": b"beta\n"}, message="beta", author=None)
    beta.push(branch="main")
    mine = alpha.commit_files({"clusters/a/cluster.yaml": b"alpha\n"}, message="alpha", author=None)
    with pytest.raises(PushRejected, match=r"clusters/a/cluster\.yaml was changed there too"):
        alpha.push(branch="main", attempts=2)
    assert alpha.head() == mine
    assert (alpha.root / "clusters/a/cluster.yaml").read_bytes() == b"alpha\n"


def test_remote_refusal_is_push_rejected(remote: Path, git: Git) -> None:
    hook = remote / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'recording is frozen' >&2\nexit 1\n")
    hook.chmod(0o755)
    alpha = _clone(remote, "alpha", git)
    alpha.commit_files({"clusters/a/cluster.yaml": b"a\n"}, message="a", author=None)
    with pytest.raises(PushRejected, match="refused the push of main"):
        alpha.push(branch="main")


def test_errors_never_show_credentials(repo: StateRepo) -> None:
    repo.commit_files({"clusters/a/cluster.yaml": b"a\n"}, message="a", author=None)
    with pytest.raises(StoreError) as raised:
        repo.push(remote="http://robot:s3cret-token@127.0.0.1:9/state.git", branch="main", attempts=1)
    assert "s3cret" not in str(raised.value)
    assert "robot" not in str(raised.value)
    assert "http://127.0.0.1:9/state.git" in str(raised.value)


def test_push_needs_a_branch_with_commits(repo: StateRepo) -> None:
    with pytest.raises(StoreError, match="no commits"):
        repo.push(remote="origin", branch="main")
    with pytest.raises(StoreError, match="not a remote"):
        repo.push(remote="--mirror", branch="main")
