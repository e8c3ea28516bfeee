"""The marker of a commit in progress (see checkout): written, read and removed without following links.

The marker lives in the git directory, which a push cannot fill; it is still opened with
`O_NOFOLLOW` and checked to be a regular file, like every file proxstate writes.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Mapping
from pathlib import Path

from proxstate.errors import StoreError

MARKER = "proxstate-commit.json"
_TEMP = "proxstate-commit.tmp"
_LIMIT = 64 * 1024 * 1024  # far above any marker: it lists the paths of one commit

Record = tuple[str, str | None, str | None, list[str], bool]  # branch, old, new, paths, worktree


def write(git_dir: Path, record: Mapping[str, object]) -> None:
    """Write the marker atomically (a temporary file renamed over it)."""
    temp = git_dir / _TEMP
    data = json.dumps(record).encode("utf-8")
    try:
        temp.unlink(missing_ok=True)
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)
        os.replace(temp, git_dir / MARKER)
    except OSError as error:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise StoreError(f"cannot write {temp}: {error.strerror}") from error


def remove(git_dir: Path) -> None:
    with contextlib.suppress(OSError):
        (git_dir / _TEMP).unlink()
    with contextlib.suppress(FileNotFoundError):
        (git_dir / MARKER).unlink()


def read(git_dir: Path) -> Record | str | None:
    """The marker's record; None when there is none. An unreadable marker is removed (the caller holds
    the repository lock, so no proxstate is writing it) and a sentence saying so is returned."""
    path = git_dir / MARKER
    with contextlib.suppress(OSError):
        (git_dir / _TEMP).unlink()
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    except OSError as error:
        return _dropped(git_dir, error.strerror or "cannot open it")
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return _dropped(git_dir, "it is not a regular file")
        data = os.read(handle, _LIMIT)
    except OSError as error:
        return _dropped(git_dir, error.strerror or "cannot read it")
    finally:
        os.close(handle)
    try:
        record = json.loads(data.decode("utf-8"))
        paths = [str(path) for path in record["paths"]]
        found: Record = (str(record["branch"]), record["old"], record["new"], paths, bool(record["worktree"]))
    except (ValueError, KeyError, TypeError) as error:
        return _dropped(git_dir, f"{type(error).__name__}: {error}")
    return found


def _dropped(git_dir: Path, why: str) -> str:
    remove(git_dir)
    return (
        f"an unreadable record of an interrupted commit ({git_dir / MARKER}: {why}) was removed; "
        "if `git status` shows changes proxstate made, `git checkout -- .` undoes them"
    )
