"""Fixtures of the static site's tests: the demo's state repository (`proxstate demo`: two syncs
of the built-in demo cluster, with a memory change by alice@pve!ci among others), made once per
test session and copied for each test."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from proxstate.demo.run import demo_session
from tests.helpers.isolation import isolate


@pytest.fixture(scope="session")
def demo_record(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo's record, made once per test session (the demo takes a few seconds)."""
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, tmp_path_factory.mktemp("demo-home"))
        root = tmp_path_factory.mktemp("demo") / "record"
        with demo_session(root, step=lambda text: None):
            pass
    return root


@pytest.fixture
def record(demo_record: Path, tmp_path: Path) -> Path:
    """A copy of the demo's record of this test's own (a build writes its cache under .git)."""
    copy = tmp_path / "record"
    shutil.copytree(demo_record, copy, symlinks=True)
    return copy
