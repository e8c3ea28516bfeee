"""What every test runs in: no git or proxstate setting of the developer's own environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The identity of every commit a test makes (git needs one; the developer's must not leak in).
AUTHOR_NAME = "Tester"
AUTHOR_EMAIL = "tester@example.com"
# Variables of the developer's shell that change what proxstate prints or where it looks.
_AMBIENT = ("CI", "NO_COLOR", "FORCE_COLOR")


def isolate(monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
    """Point HOME at an empty `home`, turn off git's global and system configuration, drop every
    GIT_* and PROXSTATE_* variable (a test run from a git hook has GIT_DIR and GIT_INDEX_FILE; a
    developer may have a token in PROXSTATE_TOKEN), and set a fixed commit identity."""
    for name in list(os.environ):
        if name.startswith(("GIT_", "PROXSTATE_")) or name in _AMBIENT:
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", AUTHOR_NAME)
        monkeypatch.setenv(f"GIT_{role}_EMAIL", AUTHOR_EMAIL)
