"""Fixtures of the notification tests: the loopback receiver, and a state repository whose
proxstate.yaml sends notifications (written and committed as an administrator would)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers.receiver import receiver
from tests.helpers.repo import git

__all__ = ["configure", "receiver"]


def _configure(root: Path, notify_yaml: str) -> None:
    config = root / "proxstate.yaml"
    config.write_text(config.read_text() + "\n" + notify_yaml, encoding="utf-8")
    git(root, "commit", "-q", "-am", "notify: targets")


@pytest.fixture
def configure() -> Callable[[Path, str], None]:
    """Add a `notify:` section to proxstate.yaml and commit it."""
    return _configure
