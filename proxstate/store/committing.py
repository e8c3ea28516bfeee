"""Writing one commit of the record: git builds it while the new files are written to the work tree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from proxstate.errors import DirtyTree, StoreError
from proxstate.store import checkout
from proxstate.store.commit import Identity, build_commit, check_path, identity_env
from proxstate.store.guard import check_recorded_tree

if TYPE_CHECKING:
    from proxstate.store.repo import StateRepo


def commit_changes(
    repo: StateRepo,
    changes: Mapping[str, bytes | None],
    *,
    message: str,
    author: Identity | None,
    branch: str | None,
    base: str | None,
) -> str | None:
    """One commit on `branch` (the checked-out one by default) writing `changes` (None deletes); its
    sha, or None if nothing changed. The work tree follows when the branch is checked out."""
    git = repo._git  # the repository's runner: git without proxstate's secrets in its environment
    paths = sorted(check_path(path) for path in changes)
    if not paths:
        return None
    checked_out = repo.current_branch()
    target = branch or checked_out
    if target is None:
        raise StoreError("HEAD is detached: name the branch to record on")
    repo.check_branch(target)
    tip = repo.head(f"refs/heads/{target}")
    parent = tip if tip is not None else (repo.resolve(base) if base else repo.head())
    check_recorded_tree(git, parent, paths)
    worktree = target == checked_out
    if worktree:
        dirty = checkout.dirty_among(git, paths)
        if dirty:
            raise DirtyTree(_dirty_message(dirty))
    env = identity_env(git, author)
    # git builds the commit (blobs, trees: one fast-import) while the new files are written next
    # to their places: for a first snapshot both take a while, and neither needs the other.
    with ThreadPoolExecutor(max_workers=1) as pool:
        building = pool.submit(
            build_commit,
            git,
            repo.git_dir,
            parent=parent,
            changes=changes,
            message=message,
            env=env,
        )
        if worktree:
            try:
                checkout.stage_ahead(git, repo.git_dir, branch=target, old=tip, paths=paths, contents=changes)
            except StoreError:
                # When git failed as well (a full disk fails both), its error is the one told:
                # it comes first in the order of the steps, so the message does not depend on timing.
                if building.exception() is None:
                    raise
    try:
        built = building.result()
    except BaseException:
        if worktree:
            checkout.discard_staged(git, repo.git_dir, paths)
        raise
    if built is None:
        if worktree:
            checkout.discard_staged(git, repo.git_dir, paths)
        return None
    checkout.move_branch(
        git,
        repo.git_dir,
        branch=target,
        old=tip,
        new=built.sha,
        paths=paths,
        worktree=worktree,
        blobs=built.blobs,
        contents=changes,
        staged=worktree,
    )
    return built.sha


def _dirty_message(dirty: Sequence[str]) -> str:
    shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
    return f"uncommitted edits would be overwritten: {shown}; commit or discard them first (git status)"
