"""The test command of the README and CI measures coverage and fails below its floor."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_make_test_prints_coverage_and_fails_below_the_floor(tmp_path: Path) -> None:
    floor = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["coverage"]["report"]["fail_under"]
    assert floor >= 90  # the plan's promise; raise it as the figure grows, never lower it
    command = next(
        line
        for line in (ROOT / "Makefile").read_text().splitlines()
        if "-m pytest" in line and "--cov" in line
    )
    options = command.split("-m pytest", 1)[1].split()
    options = [o for o in options if o not in ("-n", "auto")]  # one small file: no workers needed
    # The test command's own options over one small test file: far below the floor, so it fails.
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *options,
            "-p",
            "no:cacheprovider",
            "tests/test_identity.py",
        ],
        cwd=ROOT,
        env={**os.environ, "COVERAGE_FILE": str(tmp_path / ".coverage")},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0, result.stdout
    assert "Branch" in result.stdout and "TOTAL" in result.stdout  # lines and branches, in the output
    assert f"fail-under={floor}" in result.stdout, result.stdout[-2000:]
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci
