"""A push that fails after the snapshot was committed: said, with the command that pushes later; exit 3."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path
from typing import Any

from tests.helpers.repo import git


def test_a_failed_push_says_the_commit_was_made_and_how_to_push_it(
    state_repo: Path, pve_env: dict[str, str], cli: Any, tmp_path: Path
) -> None:
    remote = tmp_path / "remote.git"  # not there yet: the push fails
    git(state_repo, "remote", "add", "origin", str(remote))
    result = cli("sync", "-C", str(state_repo), "--push")
    assert result.code == 3, (result.out, result.err)
    head = git(state_repo, "rev-parse", "HEAD").strip()
    assert "sync lab" in git(state_repo, "log", "-1", "--format=%s")  # the snapshot is committed
    warning, hint = result.err.strip().splitlines()[-2:]
    assert warning.startswith(
        f"proxstate: warning: committed {head[:12]} locally, but the push to origin failed: "
    )
    prefix = "proxstate: push them later with: "
    assert hint == prefix + shlex.join(["git", "-C", str(state_repo.resolve()), "push", "origin", "main"])

    git(tmp_path, "init", "--bare", "-q", "-b", "main", str(remote))
    subprocess.run(shlex.split(hint.removeprefix(prefix)), check=True, capture_output=True)
    assert git(remote, "rev-parse", "main").strip() == head
