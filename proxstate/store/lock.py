"""The repository lock: one proxstate at a time writes a state repository.

An exclusive `flock` on a file in the git directory. The kernel releases it when the holding
process dies, so a crashed run never leaves a stale lock. The holder writes its pid and start
time into the file so that a waiting run can say who it waits for. The descriptor is handed to
the git commands the holder starts: a git command still running after its parent was killed
keeps the lock until it is done, so the next run never sees its work half done.
"""

from __future__ import annotations

import fcntl
import os
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from proxstate.errors import LockBusy, StoreError

LOCK_FILE = "proxstate.lock"
_POLL_SECONDS = 0.05


def _holder(handle: int) -> str:
    try:
        text = os.pread(handle, 4096, 0).decode("utf-8", "replace")
    except OSError:
        text = ""
    fields = dict(line.split(" ", 1) for line in text.splitlines() if " " in line)
    if "pid" in fields and "started" in fields:
        return f"pid {fields['pid']}, started at {fields['started']}"
    return "pid unknown"


@contextmanager
def file_lock(path: Path, *, timeout: float, repository: Path) -> Iterator[int]:
    """Hold an exclusive lock on `path` (waiting up to `timeout` seconds); yields its descriptor."""
    try:
        # Never through a link, never a FIFO or device: only a regular file is a lock file.
        flags = os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW | os.O_NONBLOCK
        handle = os.open(path, flags, 0o644)
    except OSError as error:
        raise StoreError(f"cannot open the lock file {path}: {error.strerror}") from error
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise StoreError(f"cannot use the lock file {path}: it is not a regular file; remove it")
    try:
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockBusy(
                        f"another proxstate ({_holder(handle)}) holds the lock on {repository}; "
                        f"it waited {timeout:g} s: try again when that run is finished"
                    ) from None
                time.sleep(_POLL_SECONDS)
        started = datetime.now().astimezone().isoformat(timespec="seconds")
        os.ftruncate(handle, 0)
        os.pwrite(handle, f"pid {os.getpid()}\nstarted {started}\n".encode(), 0)
        try:
            yield handle
        finally:
            os.ftruncate(handle, 0)
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        os.close(handle)
