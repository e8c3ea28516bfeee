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

The work tree is untrusted (see safefs): step 2 also checks every changed path, so that a link or a
special file in the way is refused before the ref moves, and nothing is written through one.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from proxstate.errors import StoreError
from proxstate.store import marker as markers
from proxstate.store.commit import FILE_MODE
from proxstate.store.gitcli import GitRunner
from proxstate.store.guard import wait_for_index
from proxstate.store.safefs import Tree

MARKER = markers.MARKER
LINK_MODE = "120000"
EXECUTABLE_MODE = "100755"
Modes = Mapping[str, str]  # path -> git file mode, where not FILE_MODE


def temp_name(path: str) -> str:
    # Document names never start with a dot (layout escapes it), so this cannot be one.
    folder, _, name = path.rpartition("/")
    return f"{folder}/.{name}.proxstate-tmp" if folder else f".{name}.proxstate-tmp"


def _stage(
    root: Path, paths: Sequence[str], contents: Mapping[str, bytes | None], modes: Modes | None = None
) -> None:
    """Check every path, then write the new content of each changed file under its temporary name;
    on failure remove what was written. Nothing is written through a link or a special file."""
    modes = modes or {}
    written = [path for path in paths if contents.get(path) is not None]
    made: list[str] = []
    # A folder whose files this update removes may give way to a file (a remote commit can do that).
    emptied = {
        str(folder) for path in paths if contents.get(path) is None for folder in PurePosixPath(path).parents
    }
    path = ""
    try:
        with Tree(root) as tree:
            for path in paths:
                if path not in emptied:
                    tree.check_file(path, verb="write" if contents.get(path) is not None else "remove")
            for path in written:
                mode = modes.get(path, FILE_MODE)
                tree.create(
                    temp_name(path),
                    contents[path] or b"",
                    mode=0o777 if mode == EXECUTABLE_MODE else 0o666,
                    link=mode == LINK_MODE,
                )
                made.append(path)
    except OSError as error:
        _unstage(root, made)
        # Named in the error: the file the user knows, not its temporary name.
        raise StoreError(f"cannot write {root / path}: {error.strerror}") from error
    except StoreError:
        _unstage(root, made)
        raise


def _unstage(root: Path, paths: Sequence[str]) -> None:
    """Remove the temporary files of `paths`; best effort (it also runs when something went wrong)."""
    with contextlib.suppress(OSError, StoreError), Tree(root) as tree:
        for path in paths:
            with contextlib.suppress(OSError, StoreError):
                tree.remove(temp_name(path), prune=False)


def contents_at(
    git: GitRunner, commit: str, paths: Sequence[str]
) -> tuple[dict[str, str | None], dict[str, bytes | None], dict[str, str]]:
    """Blob sha, content and mode of each of `paths` at `commit` (None where it is absent)."""
    listed = git.list_tree(commit, paths) if paths else {}
    blobs = {path: listed[path][1] if path in listed else None for path in paths}
    read = git.read_objects(sha for sha in blobs.values() if sha)
    modes = {path: listed[path][0] for path in paths if path in listed}
    return blobs, {path: read[sha] if sha else None for path, sha in blobs.items()}, modes


def update_worktree(
    git: GitRunner,
    root: Path,
    *,
    commit: str,
    paths: Sequence[str],
    blobs: Mapping[str, str | None] | None = None,
    contents: Mapping[str, bytes | None] | None = None,
    modes: Modes | None = None,
    staged: bool = False,
) -> None:
    """Make the work tree and index hold `commit`'s version of `paths` (absent there: removed).

    `staged`: the new contents are already written under their temporary names.
    """
    if blobs is None or contents is None:
        blobs, contents, modes = contents_at(git, commit, paths)
    modes = modes or {}
    if not staged:
        _stage(root, paths, contents, modes)
    try:
        with Tree(root) as tree:
            # Removals first: a file of the new commit may take the place of a folder that goes.
            for path in paths:
                if contents.get(path) is None:
                    tree.remove(path)
            for path in paths:
                if contents.get(path) is not None:
                    tree.replace(temp_name(path), path)
    except OSError as error:
        raise StoreError(f"cannot update {error.filename or root}: {error.strerror}") from error
    zero = "0" * len(commit)
    entries = "".join(
        f"{modes.get(path, FILE_MODE)} {sha}\t{path}\0" if sha else f"0 {zero}\t{path}\0"
        for path, sha in ((path, blobs.get(path)) for path in paths)
    )
    git.run("update-index", "-z", "--index-info", stdin=entries.encode())
    # Record the files' stat data so that `git status` sees them as clean without rereading them.
    git.run("update-index", "-q", "--refresh", check=False)


def write_files(root: Path, files: Mapping[str, bytes]) -> None:
    """Write `files` into the work tree without committing: all are checked first (nothing is written
    if one is refused), then each is written beside its place and renamed over it."""
    paths = sorted(files)
    _stage(root, paths, files)
    try:
        with Tree(root) as tree:
            for path in paths:
                tree.replace(temp_name(path), path)
    except OSError as error:
        _unstage(root, paths)
        raise StoreError(f"cannot write {error.filename or root}: {error.strerror}") from error


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
    markers.write(git_dir, record)
    try:
        _stage(git.root, paths, contents)
    except StoreError:
        markers.remove(git_dir)
        raise


def discard_staged(git: GitRunner, git_dir: Path, paths: Sequence[str]) -> None:
    """Undo `stage_ahead`: the temporary files and the marker go."""
    _unstage(git.root, paths)
    markers.remove(git_dir)


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
    markers.write(
        git_dir, {"branch": branch, "old": old, "new": new, "worktree": worktree, "paths": list(paths)}
    )
    modes: dict[str, str] = {}
    try:
        if worktree and not staged:
            if blobs is None or contents is None:
                blobs, contents, modes = contents_at(git, new, paths)
            _stage(git.root, paths, contents, modes)
            staged = True
        if worktree:
            # A stale index.lock would fail step 4 after the ref moved: refuse before it does.
            wait_for_index(git_dir)
    except StoreError:
        if staged:
            _unstage(git.root, paths)
        markers.remove(git_dir)
        raise
    moved = git.run("update-ref", f"refs/heads/{branch}", new, old or "", check=False)
    if moved.returncode != 0:
        _unstage(git.root, paths)
        markers.remove(git_dir)
        raise StoreError(
            f"branch {branch} moved while proxstate was committing (another program wrote to the "
            "repository); nothing was changed, run again"
        )
    if worktree:
        update_worktree(
            git, git.root, commit=new, paths=paths, blobs=blobs, contents=contents, modes=modes, staged=True
        )
    markers.remove(git_dir)


def recover(git: GitRunner, git_dir: Path) -> str | None:
    """Finish or roll back an interrupted `move_branch`; says what it did, None when nothing was needed.

    It never leaves the marker behind, so a failure here is said once and the next run starts clean."""
    record = markers.read(git_dir)
    if record is None:
        return None
    if isinstance(record, str):
        return record  # an unreadable marker, removed
    branch, old, new, paths, worktree = record
    _unstage(git.root, paths)
    if new is None:  # killed while the files were staged ahead, before the commit existed
        markers.remove(git_dir)
        return f"an interrupted commit on {branch} was rolled back"
    found = git.run("rev-parse", "--verify", "-q", f"refs/heads/{branch}", check=False)
    tip = found.stdout.decode().strip() if found.returncode == 0 else None
    checked_out = git.run("symbolic-ref", "-q", "HEAD", check=False).stdout.decode().strip()
    outcome = f"an interrupted commit on {branch} was rolled back"
    if tip == new:
        if worktree and checked_out == f"refs/heads/{branch}":
            try:
                update_worktree(git, git.root, commit=new, paths=paths)
            except StoreError as error:
                markers.remove(git_dir)
                raise StoreError(
                    f"an interrupted commit on {branch} ({new[:12]}) is recorded, but its files could not "
                    f"be written to the work tree: {error}; `git status` shows which, `git checkout -- .` "
                    "restores them"
                ) from error
        outcome = f"an interrupted commit on {branch} ({new[:12]}) was completed"
    elif tip != old:
        outcome = f"an interrupted commit on {branch} was dropped: the branch has moved since"
    markers.remove(git_dir)
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
