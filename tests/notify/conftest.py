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
    text = config.read_text(encoding="utf-8")
    # `proxstate init` writes `notify: []` to fill in: the section replaces it.
    text = text.replace("\nnotify: []\n", "\n", 1) + "\n" + notify_yaml
    config.write_text(text, encoding="utf-8")
    git(root, "commit", "-q", "-am", "notify: targets")


@pytest.fixture
def configure() -> Callable[[Path, str], None]:
    """Put a `notify:` section into proxstate.yaml and commit it."""
    return _configure
