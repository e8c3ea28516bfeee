"""Pushing a branch; when the remote moved, the local commits are replayed on top of it.

Commits made by proxstate for different clusters touch different folders, so replaying a commit
means applying the same file changes to the remote's tree. A file changed on both sides to
different contents is a real conflict: PushRejected, and nothing local is lost.
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

from proxstate.errors import DirtyTree, PushRejected, StoreError
from proxstate.store import checkout
from proxstate.store.commit import build_commit
from proxstate.store.gitcli import GitRunner, git_message, redact
from proxstate.store.history import blob_changes

_BEHIND = ("(fetch first)", "(non-fast-forward)")
# What the remote says when another push updated the branch at the same moment: worth a retry.
_RACED = ("failed to update ref", "failed to lock", "cannot lock ref", "incorrect old value")
_PERSON = re.compile(r"(.*) <(.*)> (\d+) ([+-]\d{4})")
_BACKOFF_SECONDS = 0.05


def _left(ends: float | None) -> float | None:
    """Seconds until `ends`; StoreError when none are left."""
    if ends is None:
        return None
    left = ends - time.monotonic()
    if left <= 0:
        raise StoreError("no time is left before the sync's deadline to push; the next sync pushes")
    return left


def _tip(git: GitRunner, ref: str) -> str | None:
    found = git.run("rev-parse", "--verify", "-q", f"{ref}^{{commit}}", check=False)
    return found.stdout.decode().strip() if found.returncode == 0 else None


def push_branch(
    git: GitRunner,
    git_dir: Path,
    *,
    remote: str,
    branch: str,
    attempts: int,
    worktree: bool,
    ends: float | None = None,
) -> None:
    """Push `branch` to `remote`, fetching and replaying up to `attempts` times.

    `ends` (a time.monotonic() value) bounds the network commands: a remote that never answers
    must not keep the repository lock past the sync's deadline.
    """
    if remote.startswith("-") or not remote:
        raise StoreError(f"not a remote: {remote!r}")
    shown = redact(remote)
    ref = f"refs/heads/{branch}"
    for attempt in range(max(attempts, 1)):
        local = _tip(git, ref)
        if local is None:
            raise StoreError(f"nothing to push: branch {branch} has no commits")
        # Network commands do not inherit the lock: helpers they start may outlive a crash.
        result = git.run(
            "push", "--porcelain", remote, f"{ref}:{ref}", check=False, inherit=False, timeout=_left(ends)
        )
        if result.returncode == 0:
            return
        report = result.stdout.decode("utf-8", "replace")
        raced = any(token in report for token in _RACED)
        if "[remote rejected]" in report and not raced:
            reason = report.split("[remote rejected]", 1)[1].splitlines()[0].strip(" ()")
            raise PushRejected(f"{shown} refused the push of {branch}: {redact(reason)}")
        if not raced and not any(token in report for token in _BEHIND):
            raise StoreError(f"git push to {shown} failed: {git_message(result.stderr)}")
        if attempt + 1 >= attempts:
            break
        time.sleep(_BACKOFF_SECONDS * 2**attempt * (1 + random.random()))  # noqa: S311 - jitter only
        git.run(
            "fetch", "--quiet", "--no-tags", remote, ref, what="fetch", inherit=False, timeout=_left(ends)
        )
        onto = git.text("rev-parse", "--verify", "FETCH_HEAD^{commit}")
        replayed = replay(git, git_dir, local=local, onto=onto, where=f"{shown} {branch}")
        paths = sorted(change[0] for change in blob_changes(git, local, replayed, []))
        if worktree:
            dirty = checkout.dirty_among(git, paths)
            if dirty:
                raise DirtyTree(
                    f"{shown} has changes to files with uncommitted edits here: {', '.join(dirty[:5])}; "
                    "commit or discard them, then push again"
                )
        checkout.move_branch(
            git, git_dir, branch=branch, old=local, new=replayed, paths=paths, worktree=worktree
        )
    raise PushRejected(f"could not push {branch} to {shown}: it kept moving during {attempts} attempts")


def replay(git: GitRunner, git_dir: Path, *, local: str, onto: str, where: str) -> str:
    """The commit that holds `onto` plus the changes of the commits only `local` has."""
    if git.ok("merge-base", "--is-ancestor", local, onto):
        return onto
    found = git.run("merge-base", local, onto, check=False)
    if found.returncode != 0:
        raise PushRejected(f"the local history and {where} have nothing in common: cannot replay")
    base = found.stdout.decode().strip()
    listed = git.text("rev-list", "--reverse", "--first-parent", "--parents", f"{base}..{local}")
    tip = onto
    for line in listed.splitlines():
        commit, *parents = line.split()
        tip = _replay_one(
            git, git_dir, commit=commit, parent=parents[0] if parents else None, tip=tip, where=where
        )
    return tip


def _replay_one(
    git: GitRunner, git_dir: Path, *, commit: str, parent: str | None, tip: str, where: str
) -> str:
    changes = blob_changes(git, parent, commit, [])
    current = {path: sha for path, (_, sha) in git.list_tree(tip).items()}
    wanted: dict[str, str | None] = {}
    for path, _, old_sha, new_sha in changes:
        there = current.get(path)
        if there == new_sha:
            continue  # the remote already has this version
        if there != old_sha:
            raise PushRejected(
                f"cannot replay commit {commit[:12]} on {where}: {path} was changed there too; "
                "fetch and reconcile by hand"
            )
        wanted[path] = new_sha
    contents = git.read_objects(sha for sha in wanted.values() if sha)
    message, env = _message_and_people(git, commit)
    built = build_commit(
        git,
        git_dir,
        parent=tip,
        changes={path: contents[sha] if sha else None for path, sha in wanted.items()},
        message=message,
        env=env,
    )
    return tip if built is None else built.sha


def _message_and_people(git: GitRunner, commit: str) -> tuple[str, dict[str, str]]:
    """The message of `commit`, and the environment that keeps its author (and date) and committer."""
    raw = git.run("cat-file", "commit", commit).stdout.decode("utf-8", "surrogateescape")
    headers, _, message = raw.partition("\n\n")
    env: dict[str, str] = {}
    for line in headers.splitlines():
        role, _, value = line.partition(" ")
        person = _PERSON.fullmatch(value)
        if role in ("author", "committer") and person:
            prefix = f"GIT_{role.upper()}"
            env[f"{prefix}_NAME"], env[f"{prefix}_EMAIL"] = person.group(1), person.group(2)
            if role == "author":
                env["GIT_AUTHOR_DATE"] = f"@{person.group(3)} {person.group(4)}"
    return message, env
