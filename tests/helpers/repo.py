"""Reading and checking a state repository with git itself, the way a user would look at it."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from proxstate import yamlio

# The store tests' `git` fixture: `git_stripped`.
Git = Callable[..., str]


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """stdout of `git -C repo ARGS` (raises when git fails)."""
    return subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **env} if env else None,
    ).stdout


@contextmanager
def git_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[list[str]]]:
    """The argument lists of the programs started with subprocess.run inside the block: which git
    commands a reading makes."""
    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting_run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[Any]:
        calls.append(args)
        return real_run(args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(subprocess, "run", counting_run)
        yield calls


def git_stripped(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """`git` with its stdout stripped (what the store tests compare)."""
    return git(repo, *args, env=env).strip()


def commit_count(repo: Path) -> int:
    return int(git(repo, "rev-list", "--count", "HEAD").strip())


def document(root: Path, rel: str, *, cluster: str = "lab") -> Any:
    """The recorded document at `clusters/<cluster>/<rel>` in the work tree."""
    return yamlio.load((root / "clusters" / cluster / rel).read_text())


def recorded(root: Path) -> dict[str, bytes]:
    """Every file under clusters/ in the work tree, by path relative to the repository."""
    base = root / "clusters"
    if not base.exists():
        return {}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def committed(root: Path, rev: str = "HEAD") -> dict[str, bytes]:
    """Every file under clusters/ at `rev`."""
    names = git(root, "ls-tree", "-r", "-z", "--name-only", rev, "--", "clusters").split("\0")
    out = {}
    for name in filter(None, names):
        out[name] = subprocess.run(
            ["git", "-C", str(root), "cat-file", "blob", f"{rev}:{name}"], check=True, capture_output=True
        ).stdout
    return out


def assert_consistent(root: Path) -> None:
    """HEAD is a valid commit, the work tree and index equal it, the history is linear and sound."""
    assert git(root, "status", "--porcelain", "--untracked-files=all") == ""
    assert recorded(root) == committed(root)
    assert git(root, "rev-list", "--merges", "HEAD") == ""
    subprocess.run(
        ["git", "-C", str(root), "fsck", "--no-dangling", "--no-progress"], check=True, capture_output=True
    )


def repository_text(root: Path) -> str:
    """The work tree, the whole history with every commit message, the refs' logs and the config."""
    parts = [
        git(root, "log", "-p", "--all", "--format=%H%n%an %ae%n%B"),
        git(root, "reflog", "--all"),
        (root / ".git" / "config").read_text(),
    ]
    parts += [
        path.read_bytes().decode("utf-8", "replace")
        for path in root.rglob("*")
        if path.is_file() and ".git/objects" not in str(path)
    ]
    return "\n".join(parts)


def assert_only_files_of_the_repository(tmp_path: Path, root: Path, *, cluster: str = "lab") -> None:
    """Nothing was written beside the repository, and nothing in it outside the template and
    `clusters/<cluster>/` (checked through links too)."""
    assert sorted(p.name for p in tmp_path.iterdir()) == [root.name]
    first = git(root, "rev-list", "--max-parents=0", "HEAD").strip()
    template = set(git(root, "ls-tree", "-r", "-z", "--name-only", first).split("\0"))
    for name in git(root, "ls-files", "-z").split("\0"):
        assert name.startswith(f"clusters/{cluster}/") or name in template, name
    inside = (root / "clusters" / cluster).resolve()
    for path in (root / "clusters").rglob("*"):
        assert path.resolve().is_relative_to(inside), path


def commit_link(root: Path, name: str, target: Path) -> None:
    """A symbolic link at `name` committed with git and checked out (replacing what was there), as
    a push from anyone could bring it."""
    path = root / name
    if path.is_dir() and not path.is_symlink():
        git(root, "rm", "-q", "-r", "--", name)
    elif path.exists() or path.is_symlink():
        git(root, "rm", "-q", "--", name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)
    git(root, "add", "-f", "--", name)
    git(root, "commit", "-q", "-m", f"a link at {name}")


def assert_untouched(outside: Path) -> None:
    """The `outside` fixture's folder holds its one file, unchanged, and nothing else."""
    assert sorted(p.name for p in outside.iterdir()) == ["victim"]
    assert (outside / "victim").read_bytes() == b"untouched\n"
