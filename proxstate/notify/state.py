"""What was notified, remembered between runs: the drift each target was told of and the failures
it was told of (with when they began), so the same drift or failure is sent once, and a recovery
or a resolved drift is sent when it ends.

The file is `proxstate/notify-state.json` in the repository's git directory (the common one, shared
by its worktrees): beside the record, never committed, gone with the clone. It is written whole,
to a temporary file renamed over it, and read without following a link. A file that cannot be read
is started afresh: the worst that follows is one message sent again.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from proxstate.errors import NotifyError

FOLDER = "proxstate"
FILE = "notify-state.json"
_LIMIT = 16 * 1024 * 1024  # far above what a few targets and clusters remember
_VERSION = 1


def state_path(git_common_dir: Path) -> Path:
    return git_common_dir / FOLDER / FILE


def load(path: Path) -> dict[str, dict[str, Any]]:
    """target key -> {state key -> what was sent}; empty when there is no (readable) file."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError:
        return {}
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return {}
        data = os.read(handle, _LIMIT + 1)
    except OSError:
        return {}
    finally:
        os.close(handle)
    try:
        document = json.loads(data) if len(data) <= _LIMIT else None
    except ValueError:
        return {}
    if not isinstance(document, dict) or document.get("version") != _VERSION:
        return {}
    targets = document.get("targets")
    if not isinstance(targets, dict):
        return {}
    return {key: value for key, value in targets.items() if isinstance(value, dict)}


def save(path: Path, targets: dict[str, dict[str, Any]]) -> None:
    folder = path.parent
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        if folder.is_symlink() or not folder.is_dir():
            raise NotifyError(f"{folder} is not a folder: the notification state is not kept")
        temp = folder / (FILE + ".tmp")
        temp.unlink(missing_ok=True)
        data = json.dumps({"version": _VERSION, "targets": targets}, indent=1, sort_keys=True).encode()
        handle = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(handle, view) :]
        finally:
            os.close(handle)
        os.replace(temp, path)
    except OSError as error:
        with contextlib.suppress(OSError):
            (folder / (FILE + ".tmp")).unlink()
        raise NotifyError(f"cannot write {path}: {error.strerror}") from error
