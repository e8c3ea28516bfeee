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
    """A holder that commits 0.3 s after we start waiting, then lets go: we get the lock once it
    is done, with its commit there to see, and not before."""
    ready_read, ready_write = os.pipe()
    go_read, go_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        try:
            holder = StateRepo.open(repo.root)
            with holder.lock(timeout=5):
                os.write(ready_write, b"x")
                os.read(go_read, 1)
                time.sleep(0.3)
                holder.commit_files(
                    {"clusters/lab/cluster.yaml": b"by the holder\n"}, message="held", author=None
                )
            os._exit(0)
        finally:
            os._exit(1)
    os.close(ready_write)
    assert os.read(ready_read, 1) == b"x"
    started = time.monotonic()
    os.write(go_write, b"x")
    with repo.lock(timeout=5):
        waited = time.monotonic() - started
        assert (repo.root / "clusters/lab/cluster.yaml").read_bytes() == b"by the holder\n"
        assert repo.common_dir.joinpath("proxstate.lock").read_text().startswith(f"pid {os.getpid()}\n")
    assert waited >= 0.3
    assert os.waitpid(pid, 0)[1] == 0, "the holder finished its work and exited"
    for fd in (ready_read, go_read, go_write):
        os.close(fd)


def test_lock_excludes_other_instances_in_the_same_process(repo: StateRepo) -> None:
    other = StateRepo.open(repo.root)
    with repo.lock(timeout=0), pytest.raises(LockBusy), other.lock(timeout=0.1):
        pass
