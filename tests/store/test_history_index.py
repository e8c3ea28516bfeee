"""The index of the history (store/pathindex.py): `file_history` reads a file's versions from it
without walking the history, and never trusts it beyond what it can check."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from proxstate.store import StateRepo, maintenance, pathindex
from tests.helpers.repo import Git, git_calls

VM = "clusters/lab/qemu/101.yaml"
OTHER = "clusters/lab/qemu/102.yaml"
COMMIT = ("-c", "user.name=T", "-c", "user.email=t@example.org", "commit", "-q", "-m")


def _commit(repo: StateRepo, message: str, files: dict[str, bytes | None]) -> str:
    sha = repo.commit_files(files, message=message, author=None)
    assert sha is not None
    return sha


def _history(repo: StateRepo, path: str = VM) -> list[tuple[str, bytes | None]]:
    return [(info.subject, content) for info, content in repo.file_history(path)]


def _walked(calls: list[list[str]]) -> bool:
    """Whether one of the git commands walked the history with a diff of each commit."""
    return any("--raw" in call for call in calls)


@pytest.fixture
def versions(repo: StateRepo) -> list[tuple[str, bytes | None]]:
    """VM's history, newest first: made, changed, deleted, made again (others' commits between)."""
    _commit(repo, "made", {VM: b"memory: 1\n", OTHER: b"x\n"})
    _commit(repo, "other", {OTHER: b"y\n"})
    _commit(repo, "changed", {VM: b"memory: 2\n"})
    _commit(repo, "deleted", {VM: None})
    _commit(repo, "again", {VM: b"memory: 3\n"})
    return [
        ("again", b"memory: 3\n"),
        ("deleted", None),
        ("changed", b"memory: 2\n"),
        ("made", b"memory: 1\n"),
    ]


def test_file_history_reads_the_index_that_maintenance_keeps(
    repo: StateRepo, versions: list[tuple[str, bytes | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert repo.maintain() is None
    with git_calls(monkeypatch) as calls:
        assert _history(repo) == versions
        assert [info.subject for info, _ in repo.file_history(VM, max_count=2)] == ["again", "deleted"]
    assert not _walked(calls)
    # A commit made since (without maintenance) is found by walking only the commits after the tip.
    _commit(repo, "later", {VM: b"memory: 4\n"})
    with git_calls(monkeypatch) as calls:
        assert _history(repo) == [("later", b"memory: 4\n"), *versions]
    walk = next(call for call in calls if "--raw" in call)
    assert walk[-3] == f"{repo.resolve('HEAD~1')}..{repo.head()}"
    assert repo.maintain() is None
    with git_calls(monkeypatch) as calls:
        assert _history(repo, OTHER) == [("other", b"y\n"), ("made", b"x\n")]
    assert not _walked(calls)


def test_a_rewritten_history_is_walked_then_indexed_again(
    repo: StateRepo, versions: list[tuple[str, bytes | None]], git: Git, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert repo.maintain() is None
    git(repo.root, "reset", "-q", "--hard", "HEAD~3")  # back to "other"
    _commit(repo, "rewritten", {VM: b"memory: 9\n"})
    expected = [("rewritten", b"memory: 9\n"), ("made", b"memory: 1\n")]
    assert _history(repo) == expected
    assert repo.maintain() is None
    with git_calls(monkeypatch) as calls:
        assert _history(repo) == expected
    assert not _walked(calls)


def test_a_history_with_a_merge_is_walked(repo: StateRepo, git: Git, monkeypatch: pytest.MonkeyPatch) -> None:
    """git's log of a merge is not a diff against one parent: such a history is not indexed."""
    _commit(repo, "first", {VM: b"memory: 1\n"})
    git(repo.root, "checkout", "-q", "-b", "side")
    _commit(repo, "side", {VM: b"memory: 2\n"})
    git(repo.root, "checkout", "-q", "main")
    _commit(repo, "main", {OTHER: b"x\n"})
    git(repo.root, "merge", "-q", "--no-edit", "side")
    assert repo.maintain() is None
    _commit(repo, "after", {VM: b"memory: 3\n"})
    assert repo.maintain() is None
    with git_calls(monkeypatch) as calls:
        assert _history(repo) == [
            ("after", b"memory: 3\n"),
            ("side", b"memory: 2\n"),
            ("first", b"memory: 1\n"),
        ]
    assert _walked(calls)


def test_a_merge_after_the_index_tip_is_walked(repo: StateRepo, git: Git) -> None:
    """A merge since the tip that took the file from the other side: git's log follows that side
    only, so the index's line (a change made on main since they parted) is not part of it."""
    _commit(repo, "first", {VM: b"memory: 1\n"})
    git(repo.root, "branch", "side")
    _commit(repo, "main", {VM: b"memory: 2\n"})
    assert repo.maintain() is None
    git(repo.root, "checkout", "-q", "side")
    _commit(repo, "side", {VM: b"memory: 3\n"})
    git(repo.root, "checkout", "-q", "main")
    git(repo.root, "merge", "-q", "--no-commit", "-s", "ours", "side")
    git(repo.root, "checkout", "side", "--", VM)
    git(repo.root, *COMMIT, "took the side's")
    assert git(repo.root, "log", "--format=%s", "--", VM).splitlines() == ["side", "first"]
    assert _history(repo) == [("side", b"memory: 3\n"), ("first", b"memory: 1\n")]


def test_an_index_that_names_an_unknown_commit_or_is_damaged_is_not_trusted(
    repo: StateRepo, versions: list[tuple[str, bytes | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert repo.maintain() is None
    index = repo.common_dir / "proxstate" / "history.sqlite"
    with closing(sqlite3.connect(index)) as db, db:
        db.execute("UPDATE commits SET sha = ? WHERE seq = 3", (bytes(20),))
    assert _history(repo) == versions
    index.write_bytes(b"not a database")
    assert _history(repo) == versions
    _commit(repo, "later", {VM: b"memory: 4\n"})
    assert repo.maintain() is None  # a damaged index is started again
    with git_calls(monkeypatch) as calls:
        assert _history(repo) == [("later", b"memory: 4\n"), *versions]
    assert not _walked(calls)


def test_the_index_is_never_written_through_a_link(
    repo: StateRepo, versions: list[tuple[str, bytes | None]], tmp_path: Path
) -> None:
    outside = tmp_path / "outside.sqlite"
    folder = repo.common_dir / "proxstate"
    folder.mkdir(exist_ok=True)
    (folder / "history.sqlite").symlink_to(outside)
    assert repo.maintain() is None
    assert not outside.exists()
    assert _history(repo) == versions


def test_a_name_that_was_once_a_folder_is_walked(repo: StateRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """git's pathspec `qemu/101.yaml` matches files inside a folder of that name too."""
    _commit(repo, "folder", {f"{VM}/inside": b"a\n"})
    _commit(repo, "removed", {f"{VM}/inside": None, OTHER: b"x\n"})
    _commit(repo, "file", {VM: b"memory: 1\n"})
    assert repo.maintain() is None
    with git_calls(monkeypatch) as calls:
        assert _history(repo) == [("file", b"memory: 1\n"), ("removed", None), ("folder", None)]
    assert _walked(calls)


def test_a_long_history_is_indexed_in_batches(
    repo: StateRepo, versions: list[tuple[str, bytes | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build reads the history a few commits at a time and writes what it read every few batches
    (2,000 and 5 at full size): the same index as one read at once."""
    monkeypatch.setattr(pathindex, "BATCH", 2)
    monkeypatch.setattr(pathindex, "FLUSH", 1)
    assert repo.maintain() is None
    with git_calls(monkeypatch) as calls:
        assert _history(repo) == versions
        assert _history(repo, OTHER) == [("other", b"y\n"), ("made", b"x\n")]
    assert not _walked(calls)


def _indexed_up_to(repo: StateRepo) -> str:
    with closing(sqlite3.connect(repo.common_dir / "proxstate" / pathindex.FILE)) as db:
        return str(db.execute("SELECT value FROM meta WHERE key = 'tip'").fetchone()[0])


def test_a_sync_s_maintenance_builds_a_long_index_a_part_at_a_time(
    repo: StateRepo, versions: list[tuple[str, bytes | None]], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Out of time, a build stops at the batch it has written (here after each batch of 2 commits):
    the reads stay whole, walking what it does not cover yet, and each maintenance goes on."""
    monkeypatch.setattr(pathindex, "BATCH", 2)
    monkeypatch.setattr(maintenance, "INDEX_SECONDS", 0.0)
    chain = repo._git.text("rev-list", "--reverse", "HEAD").split()
    assert len(chain) == 5
    for reached in (chain[1], chain[3], chain[4]):
        assert repo.maintain() is None
        assert _indexed_up_to(repo) == reached
        with git_calls(monkeypatch) as calls:
            assert _history(repo) == versions
        assert _walked(calls) == (reached != chain[-1])
