"""The release workflow: what publishing needs, checked on every pull request, and lint-clean."""

from __future__ import annotations

import subprocess
from pathlib import Path

from proxstate.yamlio import load
from tests.helpers.actions import actionlint_command

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / ".github" / "workflows" / "release.yml"


def test_project_workflows_pass_actionlint() -> None:
    workflows = sorted(str(p.relative_to(ROOT)) for p in (ROOT / ".github" / "workflows").glob("*.yml"))
    assert ".github/workflows/release.yml" in workflows
    result = subprocess.run(
        actionlint_command(*workflows),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_release_builds_checks_installs_the_wheel_and_runs_the_demo() -> None:
    workflow = load(RELEASE.read_text())
    assert isinstance(workflow, dict)
    assert "pull_request" in workflow["on"]  # checked before anything is tagged
    steps = [step.get("run", "") for step in workflow["jobs"]["dist"]["steps"]]
    script = "\n".join(steps)
    assert "pip install --quiet '.[release]'" in script  # build and twine from the release extra
    assert "-m build --outdir dist ." in script
    assert "-m twine check --strict dist/*" in script
    plain = next(run for run in steps if "plain/bin/proxstate" in run)
    assert "python -m venv" in plain and 'proxstate" --help' in plain
    assert "pip install 'proxstate[demo]'" in plain  # the one-line message without the extra
    demo = next(run for run in steps if "[demo]" in run and "demo-run" in run)
    assert "python -m venv" in demo and 'proxstate" demo demo-run' in demo
