"""The tests run isolated from the developer's git configuration (tests/conftest.py `isolated`).

A developer's ~/.gitconfig may sign every commit, point git at hooks of their own or set another
identity; a test that read it would pass or fail by machine. The check is made in two steps, so
that it cannot pass for want of a hostile configuration: first such a configuration is shown to
break a sync when git can see it, then the isolation every test runs under hides it again.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import Result
from tests.helpers.isolation import AUTHOR_EMAIL, AUTHOR_NAME, isolate
from tests.helpers.repo import git


def _hostile_home(home: Path) -> Path:
    """A home whose ~/.gitconfig runs hooks of its own (one that refuses every ref update and leaves
    a mark: what makes a sync fail while git can see it), signs every commit with a signing program
    that always fails, and sets another identity. Returns the mark's path."""
    hooks = home / "hooks"
    hooks.mkdir(parents=True)
    mark = home / "hook-ran"
    hook = hooks / "reference-transaction"
    hook.write_text(f"#!/bin/sh\necho ran >> '{mark}'\nexit 1\n")
    hook.chmod(0o755)
    (home / ".gitconfig").write_text(
        "[commit]\n\tgpgsign = true\n"
        "[gpg]\n\tprogram = false\n"
        f"[core]\n\thooksPath = {hooks}\n"
        "[user]\n\tname = Hostile\n\temail = hostile@example.invalid\n"
    )
    return mark


def test_a_hostile_global_git_config_does_not_reach_a_sync(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    state_repo: Path,
    pve_env: dict[str, str],
    cli: Callable[..., Result],
    small_cluster: Any,
) -> None:
    hostile = tmp_path / "developer-home"
    mark = _hostile_home(hostile)
    # The developer's shell: HOME is theirs and nothing overrides git's global configuration.
    monkeypatch.setenv("HOME", str(hostile))
    for name in ("GIT_CONFIG_GLOBAL", "XDG_CONFIG_HOME", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL"):
        monkeypatch.delenv(name)
    exposed = cli("sync", "-C", str(state_repo))
    assert exposed.code == 1, exposed.out + exposed.err
    assert "ref updates aborted by hook" in exposed.err and mark.exists(), exposed.err
    assert git(state_repo, "rev-list", "--count", "HEAD").strip() == "1"  # only `init`'s commit

    isolate(monkeypatch, tmp_path / "test-home")  # what the autouse fixture does before each test
    for key, value in pve_env.items():  # the isolation drops PROXSTATE_*: point proxstate back
        monkeypatch.setenv(key, value)
    assert os.environ["HOME"] != str(hostile)
    mark.unlink(missing_ok=True)
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.out + result.err
    assert not mark.exists()  # the hook did not run
    head = git(state_repo, "log", "-1", "--format=%an|%ae|%G?").strip()
    assert head == f"{AUTHOR_NAME}|{AUTHOR_EMAIL}|N"  # the test identity, no signature
