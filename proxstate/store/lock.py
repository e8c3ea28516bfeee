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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from proxstate.errors import LockBusy, StoreError

LOCK_FILE = "proxstate.lock"
_POLL_SECONDS = 0.05


_SAY_EVERY = 10.0  # seconds between two lines saying the wait goes on


def _fields(handle: int) -> dict[str, str]:
    try:
        text = os.pread(handle, 4096, 0).decode("utf-8", "replace")
    except OSError:
        text = ""
    return dict(line.split(" ", 1) for line in text.splitlines() if " " in line)


def _holder(handle: int) -> str:
    fields = _fields(handle)
    if "pid" in fields and "started" in fields:
        return f"pid {fields['pid']}, started at {fields['started']}"
    return "pid unknown"


def _waiting(handle: int, *, waited: float, timeout: float) -> str:
    """`waiting for the sync of pid 1234 (started at ...) to finish: 10 s of at most 60 s`."""
    fields = _fields(handle)
    who = f"pid {fields['pid']}" if "pid" in fields else "another proxstate"
    if "started" in fields:
        who += f" (started at {fields['started']})"
    return f"waiting for the sync of {who} to finish: {waited:.0f} s of at most {timeout:g} s"


@contextmanager
def file_lock(
    path: Path, *, timeout: float, repository: Path, on_wait: Callable[[str], None] | None = None
) -> Iterator[int]:
    """Hold an exclusive lock on `path` (waiting up to `timeout` seconds); yields its descriptor.
    `on_wait` hears what the wait is for when it starts, then every ten seconds."""
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
        started_wait = time.monotonic()
        deadline = started_wait + max(timeout, 0.0)
        said = None  # when the wait was last said
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                now = time.monotonic()
                if on_wait is not None and now < deadline and (said is None or now - said >= _SAY_EVERY):
                    on_wait(_waiting(handle, waited=now - started_wait, timeout=timeout))
                    said = now
                if now >= deadline:
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
