"""A sync killed with SIGKILL at random moments never leaves a half-written commit or tree.

The runs to kill are forked from a helper process that has already imported proxstate, so that each
one spends its life syncing rather than importing, and the kills land in every phase of a sync.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from proxstate.store import StateRepo
from proxstate.store.checkout import MARKER
from tests.helpers.process import ROOT, run_proxstate
from tests.helpers.repo import assert_consistent, git

# Reads a repository path per line, forks a `proxstate sync -C PATH` for it and answers its pid.
FORKER = """
import os, signal, sys
from proxstate.cli.main import main
signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped by the system
for line in sys.stdin:
    pid = os.fork()
    if pid == 0:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        try:
            main(["sync", "-C", line.strip()])
        finally:
            os._exit(70)
    print(pid, flush=True)
"""


class Forker:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", FORKER],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def sync(self, root: Path) -> int:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(f"{root}\n")
        self.process.stdin.flush()
        return int(self.process.stdout.readline())

    def close(self) -> None:
        self.process.kill()
        self.process.wait(10)


@pytest.fixture
def forker(pve_env: dict[str, str]) -> Iterator[Forker]:
    started = Forker()
    try:
        yield started
    finally:
        started.close()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _settled(root: Path) -> None:
    """Wait until git commands a killed run had started are done (they hold the repository lock)."""
    with StateRepo.open(root).lock(timeout=10):
        pass


def _run_to_the_end(forker: Forker, root: Path) -> float:
    started = time.monotonic()
    pid = forker.sync(root)
    while _alive(pid):
        time.sleep(0.005)
    return time.monotonic() - started


def test_sync_killed_at_random_moments(synced: Path, small_cluster: Any, forker: Forker) -> None:
    rng = random.Random(20261125)
    small_cluster.vm(101).config["cores"] = 1
    full = _run_to_the_end(forker, synced)  # how long one run takes here
    assert "cores: 1" in git(synced, "show", "HEAD:clusters/lab/qemu/101.yaml"), "the forked run works"
    deadline = time.monotonic() + 12
    kills = 0
    while kills < 15 and (kills < 8 or time.monotonic() < deadline):  # 8 to 15 kills
        for vm in small_cluster.vms:  # every run has something to commit
            vm.config["cores"] = kills + 2
        small_cluster.vm(9000).config["description"] = "x" * rng.randrange(1, 200_000)
        if kills % 5 == 4:  # now and then a whole run, which also follows how long one takes
            full = _run_to_the_end(forker, synced)
            assert f"cores: {kills + 2}" in git(synced, "show", "HEAD:clusters/lab/qemu/101.yaml")
        pid = forker.sync(synced)
        time.sleep(rng.uniform(0.2 * full, 1.1 * full))
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        kills += 1
        _settled(synced)
        git(synced, "rev-parse", "--verify", "HEAD^{commit}")
        status = git(synced, "status", "--porcelain", "--untracked-files=all")
        # Either clean, or a commit that moved the branch and has its work tree update pending:
        # the next run finishes it. Nothing outside clusters/ is ever touched.
        assert status == "" or (synced / ".git" / MARKER).exists(), status
        assert not [line for line in status.splitlines() if not line[3:].startswith("clusters/")], status
    result = run_proxstate("sync", "-C", str(synced))
    assert result.code == 0, result.err
    assert_consistent(synced)
