"""Checks before proxstate moves a branch: a usable name, no git operation in the way, no link in
the recorded tree, and an index git can update."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from pathlib import Path, PurePosixPath

from proxstate.errors import StoreError, UsageError
from proxstate.store.gitcli import GitRunner
from proxstate.store.safefs import unsafe

TREE_MODE = "040000"
REGULAR_MODES = ("100644", "100755")
INDEX_WAIT = 1.0  # seconds a running git command may hold index.lock before it counts as stale (as gitcli)
_POLL = 0.05


def check_branch_name(git: GitRunner, name: str) -> None:
    """UsageError unless `name` is a branch name as `git check-ref-format --branch` takes it, without
    the shorthands that command expands (`@`, `@{-1}`) and without a `refs/` prefix, which would make
    a branch named `refs/heads/x` rather than `x`."""
    bad = (
        not name
        or name.startswith("-")
        or name in ("HEAD", "@")
        or name.startswith("refs/")
        or "@{" in name
        or not git.ok("check-ref-format", f"refs/heads/{name}")
    )
    if bad:
        raise UsageError(
            f"not a valid branch name: {name!r} (a name as `git branch` takes it, e.g. snapshots or "
            "proxstate/lab; not HEAD, not starting with - or refs/)"
        )


def _read(path: Path) -> str:
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return path.read_text(encoding="utf-8").strip()
    return ""


def _git_dirs(common_dir: Path) -> list[Path]:
    """The git directory of every work tree of the repository: the main one and each linked one."""
    linked = common_dir / "worktrees"
    found = [common_dir]
    with contextlib.suppress(OSError):
        found += sorted(path for path in linked.iterdir() if path.is_dir())
    return found


def check_branch_free(common_dir: Path, own_git_dir: Path, branch: str) -> None:
    """StoreError when a rebase, merge, cherry-pick, revert or bisect in progress involves `branch`,
    or another work tree has it checked out: a commit proxstate made there would be dropped by
    `git rebase --abort` (or leave that work tree behind its branch)."""
    ref = f"refs/heads/{branch}"
    for git_dir in _git_dirs(common_dir):
        head = _read(git_dir / "HEAD")
        on_it = head == f"ref: {ref}"
        for folder in ("rebase-merge", "rebase-apply"):
            if _read(git_dir / folder / "head-name") == ref:
                raise StoreError(f"branch {branch} is being rebased; finish or abort the rebase first")
        if _read(git_dir / "BISECT_START") in (branch, ref):
            raise StoreError(f"a git bisect started on {branch} is in progress; `git bisect reset` first")
        if on_it:
            for name, what in (
                ("MERGE_HEAD", "a merge"),
                ("CHERRY_PICK_HEAD", "a cherry-pick"),
                ("REVERT_HEAD", "a revert"),
                ("rebase-apply", "a git am"),
            ):
                if (git_dir / name).exists():
                    raise StoreError(f"{what} is in progress on {branch}; finish or abort it first")
            if git_dir.resolve() != own_git_dir.resolve():
                where = _read(git_dir / "gitdir").removesuffix("/.git") or str(git_dir)
                raise StoreError(f"branch {branch} is checked out in another work tree ({where})")


def wait_for_index(git_dir: Path, *, timeout: float = INDEX_WAIT) -> None:
    """Wait briefly for a running git command to release index.lock; StoreError if it stays."""
    lock = git_dir / "index.lock"
    deadline = time.monotonic() + timeout
    while lock.exists() or lock.is_symlink():
        if time.monotonic() >= deadline:
            raise StoreError(
                f"{lock} exists: another git command is running, or one was killed; remove that file "
                "if no git command is running. Nothing was recorded"
            )
        time.sleep(_POLL)


def check_recorded_tree(git: GitRunner, parent: str | None, paths: Sequence[str]) -> None:
    """Refuse (naming the path) when `parent`'s tree holds a link, a submodule or a file where one of
    `paths` or a folder above it belongs: proxstate never writes through a link, nor over one."""
    if parent is None or not paths:
        return
    scope = PurePosixPath(paths[0]).parent
    for path in paths[1:]:
        while scope.parts and not PurePosixPath(path).is_relative_to(scope):
            scope = scope.parent
    listed = _entries(git, parent, str(scope) if scope.parts else "")
    for ancestor in reversed(scope.parents[:-1] if scope.parts else ()):
        if str(ancestor) not in listed:
            listed.update(_entries(git, parent, str(ancestor), recursive=False))
    for path in paths:
        for folder in reversed(PurePosixPath(path).parents[:-1]):
            mode = listed.get(str(folder))
            if mode is not None and mode != TREE_MODE:
                raise unsafe(path, f"{folder} is {_kind(mode)} in the recorded tree, where a folder belongs")
        mode = listed.get(path)
        if mode is not None and mode not in REGULAR_MODES:
            raise unsafe(path, f"it is {_kind(mode)} in the recorded tree")


def _kind(mode: str) -> str:
    return {"120000": "a symbolic link", "160000": "a submodule", TREE_MODE: "a folder"}.get(mode, "a file")


def _entries(git: GitRunner, commit: str, scope: str, *, recursive: bool = True) -> dict[str, str]:
    """path -> mode of every entry (folders too) under `scope` at `commit`, and of the folders above."""
    options = ("-r", "-t") if recursive else ()
    out = git.run("ls-tree", "-z", *options, "--full-tree", commit, "--", *([scope] if scope else [])).stdout
    found: dict[str, str] = {}
    for record in out.split(b"\0"):
        if record:
            meta, _, path = record.partition(b"\t")
            found[path.decode("utf-8", "surrogateescape")] = meta.split(b" ", 1)[0].decode()
    return found
