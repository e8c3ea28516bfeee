"""A sync killed with SIGKILL at random moments never leaves a half-written commit or tree."""

from __future__ import annotations

import random
import signal
import time
from pathlib import Path
from typing import Any

from proxstate.store import StateRepo
from proxstate.store.checkout import MARKER

from .conftest import assert_consistent, git, proxstate_process, run_proxstate


def _settled(root: Path) -> None:
    """Wait until git commands a killed run had started are done (they hold the repository lock)."""
    with StateRepo.open(root).lock(timeout=10):
        pass


def test_sync_killed_at_random_moments(synced: Path, small_cluster: Any) -> None:
    rng = random.Random(20261125)
    root = str(synced)
    # One full run in a child process, to learn how long one takes here.
    small_cluster.vm(101).config["cores"] = 1
    started = time.monotonic()
    assert run_proxstate("sync", "-C", root).code == 0
    full = time.monotonic() - started
    heads = {git(synced, "rev-parse", "HEAD")}
    deadline = time.monotonic() + 15
    kills = 0
    while kills < 15 and time.monotonic() < deadline:
        for vm in small_cluster.vms:  # every run has something to commit
            vm.config["cores"] = kills + 2
        small_cluster.vm(9000).config["description"] = "x" * rng.randrange(1, 200_000)
        process = proxstate_process("sync", "-C", root)
        time.sleep(rng.uniform(0.5 * full, 1.15 * full))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=10)
        kills += 1
        _settled(synced)
        head = git(synced, "rev-parse", "--verify", "HEAD^{commit}")
        heads.add(head)
        status = git(synced, "status", "--porcelain", "--untracked-files=all")
        # Either clean, or a commit that moved the branch and has its work tree update pending: the
        # next run finishes it.
        assert status == "" or (synced / ".git" / MARKER).exists(), status
        assert not [line for line in status.splitlines() if not line[3:].startswith("clusters/")], status
    assert kills >= 10
    result = run_proxstate("sync", "-C", root)
    assert result.code == 0, result.err
    assert_consistent(synced)
    final = git(synced, "rev-parse", "HEAD").strip()
    assert "cores: " in git(synced, "show", f"{final}:clusters/lab/qemu/101.yaml")
    assert len(heads) > 1, "some of the killed runs got as far as a commit"
