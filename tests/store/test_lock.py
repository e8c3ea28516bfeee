"""The repository lock: exclusive, tells who holds it, free again when its holder dies."""

from __future__ import annotations

import os
import re
import signal
import time

import pytest

from proxstate.errors import LockBusy
from proxstate.store import StateRepo


def _hold_in_child(repo: StateRepo) -> tuple[int, int]:
    """Fork a process that takes the lock and waits; (pid, read end that says it holds it)."""
    ready_read, ready_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            with StateRepo.open(repo.root).lock(timeout=5):
                os.write(ready_write, b"x")
                time.sleep(60)
        finally:
            os._exit(0)
    os.close(ready_write)
    assert os.read(ready_read, 1) == b"x"
    return pid, ready_read


def test_second_holder_waits_then_gets_lock_busy(repo: StateRepo) -> None:
    pid, ready = _hold_in_child(repo)
    try:
        started = time.monotonic()
        with pytest.raises(LockBusy) as raised, repo.lock(timeout=0.3):
            pass
        assert time.monotonic() - started >= 0.3
        message = str(raised.value)
        assert f"pid {pid}" in message
        assert re.search(r"started at \d{4}-\d{2}-\d{2}T", message)
        assert str(repo.root) in message
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(ready)
    # The kernel released the lock of the killed holder: nothing stale is left.
    with repo.lock(timeout=0):
        pass


def test_lock_is_free_again_after_the_block(repo: StateRepo) -> None:
    with repo.lock(timeout=0):
        lock_file = repo.common_dir / "proxstate.lock"
        assert lock_file.read_text().startswith(f"pid {os.getpid()}\n")
    assert lock_file.read_text() == ""
    with repo.lock(timeout=0):
        pass


def test_lock_waits_for_a_holder_that_finishes(repo: StateRepo) -> None:
    pid, ready = _hold_in_child(repo)
    try:
        os.kill(pid, signal.SIGTERM)  # the holder ends while we wait
        with repo.lock(timeout=5):
            pass
    finally:
        os.waitpid(pid, 0)
        os.close(ready)


def test_lock_excludes_other_instances_in_the_same_process(repo: StateRepo) -> None:
    other = StateRepo.open(repo.root)
    with repo.lock(timeout=0), pytest.raises(LockBusy), other.lock(timeout=0.1):
        pass
