"""Crash safety: a run killed at any point leaves HEAD, index and work tree consistent after recover()."""

from __future__ import annotations

import _posixsubprocess
import json
import os
import random
import signal
import sys
from types import FrameType

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


# The calls of the store after which, or before which, a run is killed: every write, rename and
# removal of a file, and every start of git (after it: git runs on, without its parent).
_KILL_CALLS = (os.write, os.replace, os.unlink, os.rmdir, os.mkdir, os.symlink, _posixsubprocess.fork_exec)


def _sync_until_killed(root: str, generation: int, kill_at: int, report: int) -> None:  # pragma: no cover
    """Commit generation after generation, writing each one committed to `report`; the process kills
    itself at the `kill_at`-th point of _KILL_CALLS (before or after one), so where it dies depends
    on the work done, not on how fast this machine runs it."""
    points = 0

    def profile(frame: FrameType, event: str, arg: object) -> None:
        nonlocal points
        if event in ("c_call", "c_return") and any(arg is call for call in _KILL_CALLS):
            points += 1
            if points == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)

    repo = StateRepo.open(root)
    sys.setprofile(profile)
    while True:
        with repo.lock(timeout=10):
            repo.recover()
            repo.commit_files(_generation_files(generation), message=f"generation {generation}", author=None)
        os.write(report, f"{generation}\n".encode())
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


def _run_killed(root: str, generation: int, kill_at: int) -> list[int]:
    """A child process syncing from `generation` on, killed at `kill_at`; the generations it committed."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            os.close(read)
            _sync_until_killed(root, generation, kill_at, write)
        finally:
            os._exit(1)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    with os.fdopen(read) as reported:
        committed = [int(line) for line in reported]
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, "the child died on its own"
    return committed


def test_killed_at_random_points(repo: StateRepo, git: Git) -> None:
    """20 runs, each killed at a random point of its work (one commit is about 180 points): after recover()
    the repository holds the last generation the run committed, or the one it was writing when the
    branch had already moved; never a mix, never leftovers."""
    repo.commit_files(_generation_files(0), message="generation 0", author=None)
    rng = random.Random(20261101)
    generation = 0
    outcomes = {"rolled back": 0, "completed": 0}
    for _ in range(20):
        committed = _run_killed(str(repo.root), generation + 1, kill_at=rng.randint(1, 200))
        assert committed == list(range(generation + 1, generation + 1 + len(committed)))
        last = committed[-1] if committed else generation
        with repo.lock(timeout=10):  # also waits for a git command the killed run had started
            repo.recover()
        reached = _assert_consistent(repo, git)
        assert reached in (last, last + 1)
        outcomes["completed" if reached == last + 1 else "rolled back"] += 1
        generation = reached
    # The kill points fell before and after the branch moved, and the runs made progress.
    assert outcomes["completed"] >= 3 and outcomes["rolled back"] >= 3, outcomes


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
