"""Fixtures for the store tests: real git repositories in tmp_path, independent of any git config."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from proxstate.store import StateRepo

Git = Callable[..., str]


@pytest.fixture(autouse=True)
def git_environment(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No global or system git configuration; a fixed test identity."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / "gitconfig"))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test Person")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.org")
        monkeypatch.delenv(f"GIT_{role}_DATE", raising=False)


def run_git(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """stdout of a git command in `root` (for setting up and checking repositories)."""
    result = subprocess.run(
        ["git", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return result.stdout.strip()


@pytest.fixture
def git() -> Git:
    return run_git


@pytest.fixture
def repo(tmp_path: Path) -> StateRepo:
    """A new, empty state repository."""
    return StateRepo.init(tmp_path / "state")
