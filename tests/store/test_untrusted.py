"""The state repository is untrusted input: links and special files committed into it (or left in the
work tree) are refused by name before anything is written, and nothing is written through them."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from proxstate.config import load_config
from proxstate.errors import ConfigError, StoreError
from proxstate.store import StateRepo
from tests.helpers.repo import Git, assert_untouched, commit_link

VM = "clusters/lab/qemu/101.yaml"


def _refused(repo: StateRepo, git: Git, changes: dict[str, bytes | None], named: str) -> None:
    head = repo.head()
    with pytest.raises(StoreError, match=f"refusing to (write|remove) .*{named}") as caught:
        repo.commit_files(changes, message="sync", author=None)
    assert "link" in str(caught.value) or "folder" in str(caught.value)
    assert repo.head() == head
    assert git(repo.root, "status", "--porcelain", "--untracked-files=all") == ""


def test_a_linked_folder_is_refused(repo: StateRepo, git: Git, outside: Path) -> None:
    repo.commit_files({"clusters/lab/cluster.yaml": b"name: lab\n"}, message="one", author=None)
    commit_link(repo.root, "clusters/lab/qemu", outside)
    _refused(repo, git, {VM: b"vmid: 101\n"}, "clusters/lab/qemu is a symbolic link")
    assert_untouched(outside)


def test_a_linked_cluster_folder_is_refused(repo: StateRepo, git: Git, outside: Path) -> None:
    repo.commit_files({"proxstate.yaml": b"{}\n"}, message="one", author=None)
    commit_link(repo.root, "clusters/lab", outside)
    _refused(repo, git, {VM: b"vmid: 101\n", "clusters/lab/cluster.yaml": b"x\n"}, "clusters/lab ")
    assert_untouched(outside)


@pytest.mark.parametrize("change", [b"vmid: 101\n", None], ids=["write", "remove"])
def test_a_document_replaced_by_a_link_is_refused(
    repo: StateRepo, git: Git, outside: Path, change: bytes | None
) -> None:
    repo.commit_files({VM: b"vmid: 101\n"}, message="one", author=None)
    git(repo.root, "rm", "-q", "--", VM)
    commit_link(repo.root, VM, outside / "victim")
    _refused(repo, git, {VM: change}, f"{VM}: it is a symbolic link")
    assert_untouched(outside)
    assert (repo.root / VM).is_symlink()


def test_a_link_at_the_name_of_a_temporary_file_is_refused(repo: StateRepo, git: Git, outside: Path) -> None:
    repo.commit_files({VM: b"vmid: 101\n"}, message="one", author=None)
    commit_link(repo.root, "clusters/lab/qemu/.101.yaml.proxstate-tmp", outside / "victim")
    head = repo.head()
    with pytest.raises(StoreError, match="in the way of this temporary file"):
        repo.commit_files({VM: b"vmid: 101\ncores: 2\n"}, message="two", author=None)
    assert repo.head() == head
    assert (repo.root / VM).read_bytes() == b"vmid: 101\n"
    assert git(repo.root, "status", "--porcelain", "--untracked-files=all") == ""
    assert_untouched(outside)


def test_a_folder_where_a_document_belongs_is_refused(repo: StateRepo, git: Git) -> None:
    repo.commit_files({f"{VM}/inside": b"x\n"}, message="one", author=None)
    _refused(repo, git, {VM: b"vmid: 101\n"}, f"{VM}: it is a folder")


def test_a_link_on_another_branch_is_refused_as_well(repo: StateRepo, git: Git, outside: Path) -> None:
    """Nothing would be written through it there (no work tree), but the rule is the same everywhere."""
    repo.commit_files({"clusters/lab/cluster.yaml": b"name: lab\n"}, message="one", author=None)
    commit_link(repo.root, "clusters/lab/qemu", outside)
    with pytest.raises(StoreError, match="clusters/lab/qemu is a symbolic link"):
        repo.commit_files({VM: b"vmid: 101\n"}, message="two", author=None, branch="snapshots")
    assert repo.head("refs/heads/snapshots") is None


def _within(seconds: float, action: Callable[[], object]) -> BaseException | None:
    """What `action` raised, asserting it did not block (a FIFO opened for reading waits for a writer)."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            action()
        except BaseException as error:  # handed to the test, which says what it expected
            raised.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "blocked on a FIFO"
    return raised[0] if raised else None


def test_a_fifo_in_the_work_tree_is_refused_without_waiting(repo: StateRepo, git: Git) -> None:
    repo.commit_files({"clusters/lab/cluster.yaml": b"name: lab\n"}, message="one", author=None)
    fifo = repo.root / "clusters/lab/qemu/101.yaml"
    fifo.parent.mkdir()
    os.mkfifo(fifo)
    error = _within(5, lambda: repo.write_files({VM: b"vmid: 101\n"}))
    assert isinstance(error, StoreError) and "it is a FIFO" in str(error)
    os.mkfifo(repo.root / "proxstate.yaml")
    error = _within(5, lambda: load_config(repo.root))
    assert isinstance(error, ConfigError) and "refusing to read proxstate.yaml: it is a FIFO" in str(error)


def test_a_linked_configuration_is_not_read(repo: StateRepo, git: Git, tmp_path: Path) -> None:
    secret = tmp_path / "shadow"
    secret.write_text("root:$6$not-for-your-eyes:19000:0:99999:7:::\n")
    commit_link(repo.root, "proxstate.yaml", secret)
    with pytest.raises(ConfigError) as caught:
        load_config(repo.root)
    assert "symbolic link" in str(caught.value) and "not-for-your-eyes" not in str(caught.value)


def test_the_lock_file_is_never_followed(repo: StateRepo, outside: Path) -> None:
    (repo.git_dir / "proxstate.lock").symlink_to(outside / "victim")
    with pytest.raises(StoreError, match="lock file"), repo.lock(timeout=0.1):
        pass
    assert_untouched(outside)


def test_hooks_and_git_get_no_secret(
    repo: StateRepo, git: Git, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git runs the reference-transaction hook when proxstate moves a branch: its environment holds
    no PROXSTATE_* variable and none of those proxstate.yaml names for secrets."""
    seen = tmp_path / "seen"
    hook = repo.git_dir / "hooks" / "reference-transaction"
    hook.parent.mkdir(exist_ok=True)
    hook.write_text(f"#!/bin/sh\nenv >> '{seen}'\n")
    hook.chmod(0o755)
    monkeypatch.setenv("PROXSTATE_TOKEN", "root@pam!x=token-value-1")
    monkeypatch.setenv("PROXSTATE_MASK_KEY", "mask-key-value-2")
    monkeypatch.setenv("LAB_PASSWORD", "named-password-3")
    monkeypatch.setenv("UNRELATED", "kept")
    repo = StateRepo.open(repo.root)
    repo.withhold_environment(["LAB_PASSWORD"])
    repo.commit_files({VM: b"vmid: 101\n"}, message="one", author=None)
    env = seen.read_text()
    assert "UNRELATED=kept" in env
    for value in ("PROXSTATE_", "token-value-1", "mask-key-value-2", "named-password-3"):
        assert value not in env


def test_a_stale_index_lock_refuses_before_committing(repo: StateRepo, git: Git) -> None:
    first = repo.commit_files({VM: b"vmid: 101\n"}, message="one", author=None)
    (repo.git_dir / "index.lock").write_bytes(b"")
    with pytest.raises(StoreError, match=r"index.lock exists.*Nothing was recorded"):
        repo.commit_files({VM: b"vmid: 101\ncores: 2\n"}, message="two", author=None)
    assert repo.head() == first
    assert (repo.root / VM).read_bytes() == b"vmid: 101\n"
    assert not list(repo.root.rglob("*.proxstate-tmp"))
    with repo.lock():
        assert repo.recover() is None
    (repo.git_dir / "index.lock").unlink()
    assert git(repo.root, "status", "--porcelain", "--untracked-files=all") == ""


def test_an_index_lock_released_meanwhile_is_waited_for(repo: StateRepo) -> None:
    repo.commit_files({VM: b"vmid: 101\n"}, message="one", author=None)
    lock = repo.git_dir / "index.lock"
    lock.write_bytes(b"")
    threading.Timer(0.2, lock.unlink).start()
    assert repo.commit_files({VM: b"vmid: 102\n"}, message="two", author=None) is not None


def _conflicting_branches(repo: StateRepo, git: Git) -> None:
    """main and side change one file differently, so that merging or picking stops halfway."""
    repo.commit_files({"notes.txt": b"base\n"}, message="base", author=None)
    git(repo.root, "checkout", "-q", "-b", "side")
    (repo.root / "notes.txt").write_bytes(b"side\n")
    git(repo.root, "commit", "-qam", "side")
    git(repo.root, "checkout", "-q", "main")
    (repo.root / "notes.txt").write_bytes(b"main\n")
    git(repo.root, "commit", "-qam", "main")


@pytest.mark.parametrize(
    ("start", "said"),
    [
        (["merge", "side"], "a merge is in progress on main"),
        (["cherry-pick", "side"], "a cherry-pick is in progress on main"),
        (["rebase", "side"], "branch main is being rebased"),
    ],
    ids=["merge", "cherry-pick", "rebase"],
)
def test_no_commit_on_a_branch_in_the_middle_of_a_git_operation(
    repo: StateRepo, git: Git, start: list[str], said: str
) -> None:
    _conflicting_branches(repo, git)
    with pytest.raises(subprocess.CalledProcessError):
        git(repo.root, *start)
    tip = repo.head("refs/heads/main")
    with pytest.raises(StoreError, match=said):
        repo.commit_files({VM: b"vmid: 101\n"}, message="sync", author=None, branch="main")
    assert repo.head("refs/heads/main") == tip


def test_no_commit_on_a_branch_of_a_bisect_or_of_another_work_tree(
    repo: StateRepo, git: Git, tmp_path: Path
) -> None:
    _conflicting_branches(repo, git)
    git(repo.root, "bisect", "start", "main", "main~2")
    with pytest.raises(StoreError, match="bisect started on main"):
        repo.commit_files({VM: b"vmid: 101\n"}, message="sync", author=None, branch="main")
    git(repo.root, "bisect", "reset")
    git(repo.root, "worktree", "add", "-q", str(tmp_path / "other"), "side")
    with pytest.raises(StoreError, match=r"branch side is checked out in another work tree \(.*other\)"):
        repo.commit_files({VM: b"vmid: 101\n"}, message="sync", author=None, branch="side")
    assert repo.commit_files({VM: b"vmid: 101\n"}, message="sync", author=None, branch="main")
