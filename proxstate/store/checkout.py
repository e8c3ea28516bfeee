"""Moving a branch to a new commit, crash-safely, with the work tree and index following.

Protocol: (1) a marker file in the git directory records the ref, its old and new commit and the
paths that change; (2) when the branch is checked out, the new content of every changed file is
written next to it under a temporary name (steps 1 and 2 may run while git builds the commit: the
marker names no new commit then, and is rewritten with it before step 3); (3) `git update-ref
<ref> <new> <old>` moves the ref atomically; (4) the temporary files are renamed over the old
ones and the index entries set; (5) the marker is removed. A process killed anywhere leaves either
the marker (and `recover` finishes step 4 or drops a ref move that never happened, with its
temporary files) or a finished move. A write that fails for want of space fails in step 2, before
anything changed: the previous commit and work tree stay as they were. Files are not fsynced:
this protects against a killed process or a full disk, not against power loss.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from proxstate.errors import StoreError
from proxstate.store.commit import FILE_MODE
from proxstate.store.gitcli import GitRunner

MARKER = "proxstate-commit.json"


def _marker_path(git_dir: Path) -> Path:
    return git_dir / MARKER


def _temp_name(target: Path) -> Path:
    # Document names never start with a dot (layout escapes it), so this cannot be one.
    return target.with_name(f".{target.name}.proxstate-tmp")


def _stage(root: Path, paths: Sequence[str], contents: Mapping[str, bytes | None]) -> None:
    """Write the new content of each changed file under its temporary name; on failure remove them."""
    written = [path for path in paths if contents.get(path) is not None]
    target = root
    try:
        for target in sorted({(root / path).parent for path in written}):
            target.mkdir(parents=True, exist_ok=True)
        for path in written:
            target = root / path  # named in the error: the file the user knows, not its temporary name
            _temp_name(target).write_bytes(contents[path] or b"")
    except OSError as error:
        _unstage(root, paths)
        raise StoreError(f"cannot write {target}: {error.strerror}") from error


def _unstage(root: Path, paths: Sequence[str]) -> None:
    for path in paths:
        # Best effort: a file where a folder should be (ENOTDIR) means nothing was staged there.
        with contextlib.suppress(FileNotFoundError, NotADirectoryError):
            _temp_name(root / path).unlink()


def _contents_at(
    git: GitRunner, commit: str, paths: Sequence[str]
) -> tuple[dict[str, str | None], dict[str, bytes | None]]:
    """Blob sha and content of each of `paths` at `commit` (None where it is absent)."""
    listed = git.list_tree(commit, paths) if paths else {}
    blobs = {path: listed[path][1] if path in listed else None for path in paths}
    read = git.read_objects(sha for sha in blobs.values() if sha)
    return blobs, {path: read[sha] if sha else None for path, sha in blobs.items()}


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
    staged: bool = False,
) -> None:
    """Make the work tree and index hold `commit`'s version of `paths` (absent there: removed).

    `staged`: the new contents are already written under their temporary names.
    """
    if blobs is None or contents is None:
        blobs, contents = _contents_at(git, commit, paths)
    if not staged:
        _stage(root, paths, contents)
    try:
        for path in paths:
            if contents.get(path) is None:
                _remove(root / path, root)
            else:
                os.replace(_temp_name(root / path), root / path)
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


def _write_marker(git_dir: Path, record: Mapping[str, object]) -> None:
    marker = _marker_path(git_dir)
    temp = marker.with_suffix(".tmp")
    try:
        temp.write_text(json.dumps(record), encoding="utf-8")
    except OSError as error:
        temp.unlink(missing_ok=True)
        raise StoreError(f"cannot write {temp}: {error.strerror}") from error
    os.replace(temp, marker)


def stage_ahead(
    git: GitRunner,
    git_dir: Path,
    *,
    branch: str,
    old: str | None,
    paths: Sequence[str],
    contents: Mapping[str, bytes | None],
) -> None:
    """Steps (1) and (2) before the new commit exists, so that git can build it meanwhile: a marker
    without the new commit (`recover` rolls such a marker back), then the new contents under their
    temporary names. Go on with `move_branch(staged=True)`, or undo with `discard_staged`."""
    record = {"branch": branch, "old": old, "new": None, "worktree": True, "paths": list(paths)}
    _write_marker(git_dir, record)
    try:
        _stage(git.root, paths, contents)
    except StoreError:
        _marker_path(git_dir).unlink()
        raise


def discard_staged(git: GitRunner, git_dir: Path, paths: Sequence[str]) -> None:
    """Undo `stage_ahead`: the temporary files and the marker go."""
    _unstage(git.root, paths)
    _marker_path(git_dir).unlink(missing_ok=True)


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
    staged: bool = False,
) -> None:
    """Point `branch` from `old` (None: it does not exist yet) to `new`; the work tree follows if asked.

    `staged`: `stage_ahead` has written the new contents already.
    """
    marker = _marker_path(git_dir)
    _write_marker(
        git_dir, {"branch": branch, "old": old, "new": new, "worktree": worktree, "paths": list(paths)}
    )
    if worktree and not staged:
        if blobs is None or contents is None:
            blobs, contents = _contents_at(git, new, paths)
        try:
            _stage(git.root, paths, contents)
        except StoreError:
            marker.unlink()
            raise
    moved = git.run("update-ref", f"refs/heads/{branch}", new, old or "", check=False)
    if moved.returncode != 0:
        _unstage(git.root, paths)
        marker.unlink(missing_ok=True)
        raise StoreError(
            f"branch {branch} moved while proxstate was committing (another program wrote to the "
            "repository); nothing was changed, run again"
        )
    if worktree:
        update_worktree(git, git.root, commit=new, paths=paths, blobs=blobs, contents=contents, staged=True)
    marker.unlink()


def recover(git: GitRunner, git_dir: Path) -> str | None:
    """Finish or roll back an interrupted `move_branch`; says what it did, None when nothing was needed."""
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
    _unstage(git.root, paths)
    if new is None:  # killed while the files were staged ahead, before the commit existed
        marker.unlink()
        return f"an interrupted commit on {branch} was rolled back"
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
