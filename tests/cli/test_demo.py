"""The README's main command: `proxstate demo` from start to end."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import subprocess
from pathlib import Path
from typing import Any

import generate_readme_tour
import httpx
import pytest

from tests.helpers.cli import strip_ansi
from tests.helpers.process import proxstate_process
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

    # The README's tour is this run's output (commit ids and times aside).
    report = cli("show-changes", "-C", str(target)).out
    drift = generate_readme_tour.drift_of_demo(strip_ansi(result.out))
    assert (
        "? demo: node pve3 is unreachable (27 documents): qemu/108, qemu/109, lxc/206 and 24 others" in drift
    )
    fresh = generate_readme_tour.tour(report, git(target, "log", "-1", "--format=%B"), drift)
    readme = generate_readme_tour.readme_tour(generate_readme_tour.README.read_text(encoding="utf-8"))
    assert generate_readme_tour.masked(readme) == generate_readme_tour.masked(fresh), (
        "README.md's tour is out of date: run python scripts/generate_readme_tour.py"
    )


def test_demo_serve_keeps_the_cluster_up_for_sync_drift_and_a_change(
    tmp_path: Path, cli: Any, monkeypatch: Any
) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("the printed change command needs curl")
    target = tmp_path / "demo"
    process = proxstate_process("demo", "--serve", str(target), env={"PROXSTATE_NO_PROGRESS": "1"})
    try:
        assert process.stdout is not None
        printed = []
        for line in process.stdout:
            printed.append(line.rstrip("\n"))
            if line.startswith("then `proxstate drift`"):
                break
        exports = dict(
            shlex.split(line.strip())[1].split("=", 1) for line in printed if line.startswith("  export ")
        )
        assert set(exports) == {
            "PROXSTATE_URL",
            "PROXSTATE_FINGERPRINT",
            "PROXSTATE_TOKEN",
            "PROXSTATE_MASK_KEY",
            "DEMO_ADMIN_TOKEN",
        }
        assert exports["PROXSTATE_URL"].startswith("https://127.0.0.1:")  # loopback only
        for name, value in exports.items():
            monkeypatch.setenv(name, value)

        drifted = cli("drift", "-C", str(target))
        assert drifted.code == 2, drifted.err  # drift (and pve3, offline in the demo, unread)
        assert "~ config.tags: [prod, web] -> [frontend, prod, web]" in strip_ansi(drifted.out)

        change = next(line.strip() for line in printed if line.strip().startswith("curl "))
        subprocess.run(["bash", "-c", change], env={**os.environ, **exports}, check=True, capture_output=True)
        drifted = cli("drift", "-C", str(target))
        assert "~ config.memory: 16384 -> 12288" in strip_ansi(drifted.out), drifted.out

        assert cli("sync", "-C", str(target)).code == 3
        report = strip_ansi(cli("show-changes", "-C", str(target)).out)
        assert "~ config.memory: 16384 -> 12288" in report
        assert "by alice@pve!ci (update VM 104: -memory 12288, " in report
        assert "~ config.memory" not in strip_ansi(cli("drift", "-C", str(target)).out)  # recorded now
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert err.rstrip().endswith("demo cluster stopped")
    with pytest.raises(httpx.ConnectError):
        httpx.get(exports["PROXSTATE_URL"], verify=False, timeout=5)  # only the port matters
