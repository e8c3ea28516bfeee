"""The README's main command: `proxstate demo` from start to end."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.helpers.cli import strip_ansi
from tests.helpers.repo import git


def test_demo_runs_and_tells_the_story(tmp_path: Path, cli: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("PROXSTATE_NO_PROGRESS", "1")
    target = tmp_path / "demo"
    result = cli("demo", str(target))
    assert result.code == 0, result.err
    out = strip_ansi(result.out)
    for expected in ("migrated", "power", "resized", "qemu/111", "lxc/204", "snapshot", "pve3", "Try next"):
        assert expected in out + strip_ansi(result.err), expected
    subjects = git(target, "log", "--format=%s").splitlines()
    assert subjects[-1] == "proxstate init"
    assert subjects[0].startswith("sync demo: ")
    assert "correct horse battery staple" not in git(target, "log", "-p")
    assert "root@pam!proxstate=" not in git(target, "log", "-p", "--all")
    assert cli("demo", str(target)).code == 64  # not empty: refuses
