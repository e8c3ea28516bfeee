"""The built wheel, installed into a fresh virtual environment: what a user of `pip install` gets.

Without the `demo` extra the command line works and `proxstate demo` says in one line how to get
the extra; with it, the demo runs from the installed package alone (its template, its data files).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers.wheel import build_wheel, clean_env, install_wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def _run(program: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(program), *args],
        cwd=cwd,
        env=clean_env(PROXSTATE_NO_PROGRESS="1"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_without_the_demo_extra_the_cli_runs_and_the_demo_names_the_extra(
    wheel: Path, tmp_path: Path
) -> None:
    program = install_wheel(wheel, tmp_path / "venv", demo_extra=False)
    where = _run(program.parent / "python", "-c", "import proxstate; print(proxstate.__file__)", cwd=tmp_path)
    assert where.stdout.startswith(str(tmp_path / "venv")), where.stdout  # the wheel's copy, not the checkout
    missing = _run(program.parent / "python", "-c", "import fakepve", cwd=tmp_path)
    assert "No module named 'fakepve'" in missing.stderr

    shown = _run(program, "--help", cwd=tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert "demo" in shown.stdout and "sync" in shown.stdout
    assert "pip install 'proxstate[demo]'" in " ".join(
        _run(program, "demo", "--help", cwd=tmp_path).stdout.split()
    )

    demo = _run(program, "demo", "first-look", cwd=tmp_path)
    assert demo.returncode == 64, demo.stderr
    assert demo.stdout == ""
    assert demo.stderr.splitlines() == [
        "proxstate: the demo needs the 'demo' extra, which brings fakepve: pip install 'proxstate[demo]'"
    ]
    assert not (tmp_path / "first-look").exists()  # refused before anything was created


def test_with_the_demo_extra_the_installed_demo_runs(wheel: Path, tmp_path: Path) -> None:
    program = install_wheel(wheel, tmp_path / "venv", demo_extra=True)
    demo = _run(program, "demo", "first-look", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "qemu/102 web02  [migrated]" in demo.stdout and "Try next:" in demo.stdout
    assert (tmp_path / "first-look" / ".github" / "workflows").is_dir()  # the template came with the wheel
    log = subprocess.run(
        ["git", "-C", str(tmp_path / "first-look"), "log", "--format=%s"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert log.stdout.splitlines()[0].startswith("sync demo: ")
