"""The disk fills while a sync writes: one clear error, and the previous state stays intact.

A full disk is simulated with RLIMIT_FSIZE in the child process: a write beyond the limit fails
with EFBIG in proxstate (Python ignores SIGXFSZ), as it fails with ENOSPC on a full disk; git, which
Python starts with the default signal handling, is killed by SIGXFSZ instead.
"""

from __future__ import annotations

import random
import resource
import string
from pathlib import Path
from typing import Any

from tests.helpers.process import run_proxstate
from tests.helpers.repo import assert_consistent, committed, git

LIMIT = 256 * 1024


def _limited() -> None:  # pragma: no cover - runs in the child before exec
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))


def _sync_with_a_full_disk(root: Path, pve: Any, description: str) -> str:
    """A sync that has to write more than fits; returns its one line of error."""
    before = committed(root)
    head = git(root, "rev-parse", "HEAD")
    pve.vm(102).config["description"] = description
    pve.vm(101).config["cores"] = 9
    result = run_proxstate("sync", "-C", str(root), preexec_fn=_limited)
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.err
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("proxstate: error: "), result.err
    assert git(root, "rev-parse", "HEAD") == head
    assert committed(root) == before
    leftovers = [p.name for p in (root / ".git" / "objects").rglob("tmp_*")]
    assert leftovers == [], "git's temporary object files are left behind"
    assert_consistent(root)
    return lines[0]


def _next_sync_records_everything(root: Path, cli: Any) -> None:
    again = cli("sync", "-C", str(root))
    assert again.code == 0, again.err
    assert len(committed(root)["clusters/lab/qemu/102.yaml"]) > LIMIT
    assert_consistent(root)


def test_a_full_disk_while_git_stores_the_objects(synced: Path, cli: Any, small_cluster: Any) -> None:
    """Random text does not compress: git's pack outgrows the limit."""
    rng = random.Random(11)
    noise = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(800_000))
    error = _sync_with_a_full_disk(synced, small_cluster, noise)
    assert "fast-import" in error and "File size limit exceeded" in error
    _next_sync_records_everything(synced, cli)


def test_a_full_disk_while_the_work_tree_is_written(synced: Path, cli: Any, small_cluster: Any) -> None:
    """Repeated text compresses well: git stores it, but the file in the work tree outgrows the limit.
    The branch does not move: the new files are written before it does."""
    error = _sync_with_a_full_disk(synced, small_cluster, "all work and no play\n" * 40_000)
    assert "File too large" in error and "qemu/102" in error
    assert not list(synced.rglob("*.proxstate-tmp"))
    _next_sync_records_everything(synced, cli)
