"""Moving a branch to a new commit, crash-safely, with the work tree and index following.

Protocol: (1) a marker file in the git directory records the ref, its old and new commit and the
paths that change; (2) `git update-ref <ref> <new> <old>` moves the ref atomically; (3) when the
branch is checked out, the changed files are replaced one by one (temp file + rename) and the
index entries set; (4) the marker is removed. A process killed anywhere leaves either the marker
(and `recover` finishes step 3 or drops a ref move that never happened) or a finished move.
Files are not fsynced: this protects against a killed process, not against power loss.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from proxstate.errors import StoreError
from proxstate.store.commit import FILE_MODE, remove_scratch
from proxstate.store.gitcli import GitRunner

MARKER = "proxstate-commit.json"


def _marker_path(git_dir: Path) -> Path:
    return git_dir / MARKER


def _temp_name(target: Path) -> Path:
    # Document names never start with a dot (layout escapes it), so this cannot be one.
    return target.with_name(f".{target.name}.proxstate-tmp")


def _write_atomically(target: Path, content: bytes) -> None:
    temp = _temp_name(target)
    temp.write_bytes(content)
    os.replace(temp, target)


def _remove(target: Path, root: Path) -> None:
    target.unlink(missing_ok=True)
    parent = target.parent
    while parent != root:
        try:
            parent.rmdir()  # only succeeds for a folder the deletion left empty
        except OSError:
            break
        parent = parent.parent


def update_worktree(
    git: GitRunner,
    root: Path,
    *,
    commit: str,
    paths: Sequence[str],
    blobs: Mapping[str, str | None] | None = None,
    contents: Mapping[str, bytes | None] | None = None,
) -> None:
    """Make the work tree and index hold `commit`'s version of `paths` (absent there: removed)."""
    if blobs is None or contents is None:
        listed = git.list_tree(commit, paths) if paths else {}
        blobs = {path: listed[path][1] if path in listed else None for path in paths}
        read = git.read_objects(sha for sha in blobs.values() if sha)
        contents = {path: read[sha] if sha else None for path, sha in blobs.items()}
    try:
        for folder in {(root / path).parent for path in paths if contents.get(path) is not None}:
            folder.mkdir(parents=True, exist_ok=True)
        for path in paths:
            content = contents.get(path)
            if content is None:
                _remove(root / path, root)
            else:
                _write_atomically(root / path, content)
    except OSError as error:
        raise StoreError(f"cannot update {error.filename or root}: {error.strerror}") from error
    zero = "0" * len(commit)
    entries = "".join(
        f"{FILE_MODE} {sha}\t{path}\0" if sha else f"0 {zero}\t{path}\0"
        for path, sha in ((path, blobs.get(path)) for path in paths)
    )
    git.run("update-index", "-z", "--index-info", stdin=entries.encode())
    # Record the files' stat data so that `git status` sees them as clean without rereading them.
    git.run("update-index", "-q", "--refresh", check=False)


def move_branch(
    git: GitRunner,
    git_dir: Path,
    *,
    branch: str,
    old: str | None,
    new: str,
    paths: Sequence[str],
    worktree: bool,
    blobs: Mapping[str, str | None] | None = None,
    contents: Mapping[str, bytes | None] | None = None,
) -> None:
    """Point `branch` from `old` (None: it does not exist yet) to `new`; the work tree follows if asked."""
    marker = _marker_path(git_dir)
    record = {"branch": branch, "old": old, "new": new, "worktree": worktree, "paths": list(paths)}
    temp = marker.with_suffix(".tmp")
    temp.write_text(json.dumps(record), encoding="utf-8")
    os.replace(temp, marker)
    moved = git.run("update-ref", f"refs/heads/{branch}", new, old or "", check=False)
    if moved.returncode != 0:
        marker.unlink(missing_ok=True)
        raise StoreError(
            f"branch {branch} moved while proxstate was committing (another program wrote to the "
            "repository); nothing was changed, run again"
        )
    if worktree:
        update_worktree(git, git.root, commit=new, paths=paths, blobs=blobs, contents=contents)
    marker.unlink()


def recover(git: GitRunner, git_dir: Path) -> str | None:
    """Finish or roll back an interrupted `move_branch`; says what it did, None when nothing was needed."""
    remove_scratch(git_dir)
    marker = _marker_path(git_dir)
    marker.with_suffix(".tmp").unlink(missing_ok=True)
    try:
        record = json.loads(marker.read_text(encoding="utf-8"))
        branch, old, new = record["branch"], record["old"], record["new"]
        paths, worktree = list(record["paths"]), bool(record["worktree"])
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError, OSError) as error:
        raise StoreError(f"cannot read {marker}: {error}; remove it if no proxstate is running") from error
    for path in paths:
        _temp_name(git.root / path).unlink(missing_ok=True)
    found = git.run("rev-parse", "--verify", "-q", f"refs/heads/{branch}", check=False)
    tip = found.stdout.decode().strip() if found.returncode == 0 else None
    checked_out = git.run("symbolic-ref", "-q", "HEAD", check=False).stdout.decode().strip()
    outcome = f"an interrupted commit on {branch} was rolled back"
    if tip == new:
        if worktree and checked_out == f"refs/heads/{branch}":
            update_worktree(git, git.root, commit=new, paths=paths)
        outcome = f"an interrupted commit on {branch} ({new[:12]}) was completed"
    elif tip != old:
        outcome = f"an interrupted commit on {branch} was dropped: the branch has moved since"
    marker.unlink()
    return outcome


def dirty_paths(git: GitRunner, scope: Sequence[str]) -> list[str]:
    """Paths under the `scope` folders whose work tree or index differs from HEAD, untracked included."""
    out = git.run(
        "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--ignore-submodules",
        "--", *scope, env={"GIT_OPTIONAL_LOCKS": "0"},
    ).stdout  # fmt: skip
    return sorted(
        record[3:].decode("utf-8", "surrogateescape") for record in out.split(b"\0") if len(record) > 3
    )


def dirty_among(git: GitRunner, paths: Sequence[str]) -> list[str]:
    """Those of `paths` with uncommitted edits (or an untracked file in their place)."""
    if not paths:
        return []
    common = os.path.commonpath(paths) if len(paths) > 1 else paths[0].rpartition("/")[0]
    wanted = set(paths)
    return [path for path in dirty_paths(git, [common] if common else []) if path in wanted]
