"""Crash safety: a run killed at any point leaves HEAD, index and work tree consistent after recover()."""

from __future__ import annotations

import json
import os
import random
import signal
import time

import pytest

from proxstate.store import StateRepo, checkout
from tests.helpers.repo import Git

VMS = [f"clusters/lab/qemu/{vmid}.yaml" for vmid in range(100, 130)]
CTS = [f"clusters/lab/lxc/{vmid}/x.yaml" for vmid in range(200, 205)]


def _generation_files(generation: int) -> dict[str, bytes | None]:
    """Every VM file says the generation; containers exist in even generations only."""
    files: dict[str, bytes | None] = {path: f"generation: {generation}\n".encode() for path in VMS}
    files.update({path: (b"ct\n" if generation % 2 == 0 else None) for path in CTS})
    return files


def _sync_forever(root: str, generation: int) -> None:  # pragma: no cover - runs in the child
    repo = StateRepo.open(root)
    while True:
        with repo.lock(timeout=10):
            repo.recover()
            repo.commit_files(_generation_files(generation), message=f"generation {generation}", author=None)
        generation += 1


def _assert_consistent(repo: StateRepo, git: Git) -> int:
    """HEAD, index and work tree agree, HEAD's tree is one whole generation; returns that generation."""
    assert git(repo.root, "status", "--porcelain", "--untracked-files=all", "--ignored") == ""
    assert git(repo.root, "write-tree") == git(repo.root, "rev-parse", "HEAD^{tree}")
    tree = repo.read_tree("HEAD", "clusters/")
    generations = {tree[path] for path in VMS}
    assert len(generations) == 1
    generation = int(generations.pop().split(b":")[1])
    assert all((path in tree) == (generation % 2 == 0) for path in CTS)
    assert git(repo.root, "log", "-1", "--format=%s") == f"generation {generation}"
    assert not list(repo.git_dir.glob("proxstate-*")), "leftovers in the git directory"
    return generation


def test_killed_at_random_points(repo: StateRepo, git: Git) -> None:
    repo.commit_files(_generation_files(0), message="generation 0", author=None)
    rng = random.Random(20261101)
    generation = 0
    started = time.monotonic()
    for _ in range(30):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            try:
                _sync_forever(str(repo.root), generation + 1)
            finally:
                os._exit(1)
        time.sleep(rng.uniform(0.0, 0.08))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with repo.lock(timeout=10):  # also waits for git commands the killed run had started
            repo.recover()
        reached = _assert_consistent(repo, git)
        assert reached >= generation
        generation = reached
    # On a loaded machine a child may get little done between kills; consistency is the point.
    assert generation >= 1, "the child should have made progress between kills"
    assert time.monotonic() - started < 60


def test_recover_rolls_back_when_the_ref_did_not_move(repo: StateRepo, git: Git) -> None:
    head = repo.commit_files({VMS[0]: b"a\n"}, message="one", author=None)
    record = {"branch": "main", "old": head, "new": "0" * 40, "worktree": True, "paths": [VMS[0]]}
    (repo.git_dir / checkout.MARKER).write_text(json.dumps(record))
    (repo.root / "clusters/lab/qemu/.100.yaml.proxstate-tmp").write_bytes(b"half")
    assert "rolled back" in (repo.recover() or "")
    assert repo.head() == head
    _assert_clean(repo, git)
    assert repo.recover() is None


@pytest.mark.parametrize("first_commit", [False, True])
def test_recover_rolls_back_files_staged_while_git_built_the_commit(
    repo: StateRepo, git: Git, first_commit: bool
) -> None:
    """Killed after the files were staged ahead and before the commit existed: the marker names no
    new commit (on a first commit neither an old one), and recover removes what was staged."""
    head = None if first_commit else repo.commit_files({VMS[0]: b"a\n"}, message="one", author=None)
    record = {"branch": "main", "old": head, "new": None, "worktree": True, "paths": [VMS[0], VMS[1]]}
    (repo.git_dir / checkout.MARKER).write_text(json.dumps(record))
    (repo.root / "clusters/lab/qemu").mkdir(parents=True, exist_ok=True)
    (repo.root / "clusters/lab/qemu/.100.yaml.proxstate-tmp").write_bytes(b"new")
    (repo.root / "clusters/lab/qemu/.101.yaml.proxstate-tmp").write_bytes(b"new")
    assert "rolled back" in (repo.recover() or "")
    assert repo.head() == head
    assert not list(repo.root.rglob("*.proxstate-tmp"))
    assert not (repo.git_dir / checkout.MARKER).exists()
    if not first_commit:
        _assert_clean(repo, git)
    assert repo.commit_files({VMS[0]: b"b\n"}, message="two", author=None) is not None


def test_recover_finishes_a_moved_ref(repo: StateRepo, git: Git, monkeypatch: pytest.MonkeyPatch) -> None:
    repo.commit_files({VMS[0]: b"a\n", VMS[1]: b"b\n"}, message="one", author=None)

    def killed(*args: object, **kwargs: object) -> None:
        raise SystemExit("killed after the ref moved")

    monkeypatch.setattr(checkout, "update_worktree", killed)
    with pytest.raises(SystemExit):
        repo.commit_files({VMS[0]: b"changed\n", VMS[1]: None}, message="two", author=None)
    monkeypatch.undo()
    assert (repo.root / VMS[0]).read_bytes() == b"a\n"  # the ref moved, the work tree did not
    assert "completed" in (repo.recover() or "")
    assert (repo.root / VMS[0]).read_bytes() == b"changed\n"
    assert not (repo.root / VMS[1]).exists()
    assert git(repo.root, "log", "-1", "--format=%s") == "two"
    _assert_clean(repo, git)


def test_recover_removes_an_unreadable_marker(repo: StateRepo, git: Git) -> None:
    """Recovery runs under the lock, so nothing is writing the marker: one that cannot be read is
    removed with a sentence that says so, and the next run does not stop on it again."""
    repo.commit_files({VMS[0]: b"a\n"}, message="one", author=None)
    (repo.git_dir / checkout.MARKER).write_text("{not json")
    assert "unreadable" in (repo.recover() or "")
    assert repo.recover() is None
    assert repo.commit_files({VMS[0]: b"b\n"}, message="two", author=None) is not None
    _assert_clean(repo, git)


def _assert_clean(repo: StateRepo, git: Git) -> None:
    assert git(repo.root, "status", "--porcelain", "--untracked-files=all") == ""
    assert not (repo.git_dir / checkout.MARKER).exists()
