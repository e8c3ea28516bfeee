"""Fixtures for the store tests: real git repositories in tmp_path (isolated from any git
configuration by tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxstate.store import StateRepo
from tests.helpers.repo import Git, git_stripped


@pytest.fixture
def git() -> Git:
    """`git(root, *args, env=None)`: stdout of a git command in `root`, stripped."""
    return git_stripped


@pytest.fixture
def repo(tmp_path: Path) -> StateRepo:
    """A new, empty state repository."""
    return StateRepo.init(tmp_path / "state")
