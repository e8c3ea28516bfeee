"""Fixtures of the migration tests: the cluster of cluster.py served by fakepve, and a state
repository holding the record the first release made of it (v1-record/)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.repo import git

from .cluster import build

V1_RECORD = Path(__file__).resolve().parent / "v1-record"


@pytest.fixture
def lab(fakepve: Any, fakepve_cafile: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The migration tests' cluster, and the environment of a user pointed at it."""
    env = {
        "PROXSTATE_URL": fakepve.url,
        "PROXSTATE_USER": "root@pam",
        "PROXSTATE_PASSWORD": "secret",
        "PROXSTATE_CA_CERT": fakepve_cafile,
        "PROXSTATE_NO_PROGRESS": "1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return build(fakepve)


@pytest.fixture
def v1_repo(tmp_path: Path, lab: Any) -> Path:
    """A state repository as the first release left it: proxstate.yaml `version: 1` and its record."""
    root = tmp_path / "state"
    shutil.copytree(V1_RECORD, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "sync lab: 97 added, 0 changed, 0 removed")
    return root
