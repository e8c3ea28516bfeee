"""Exec hooks: a command per event, the JSON report on its stdin, the event in its environment, a
timeout; a hook that fails is reported and never fails the sync."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.repo import git

# The hook: its stdin and a few variables of its environment, written to the file it is given.
RECORD = (
    "import json, os, sys; "
    "keep = {k: v for k, v in os.environ.items() if k.startswith(('PROXSTATE_', 'NOTIFY'))}; "
    "open(sys.argv[1], 'w').write(json.dumps({'stdin': json.load(sys.stdin), 'env': keep}))"
)


def _hook(code: str, *args: str) -> str:
    return json.dumps([sys.executable, "-c", code, *args])


def test_a_hook_gets_the_json_report_and_the_event(
    synced: Path,
    cli: Any,
    small_cluster: Any,
    tmp_path: Path,
    configure: Callable[[Path, str], None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "hook.json"
    monkeypatch.setenv("PROXSTATE_ALLOW_HOOKS", "1")
    monkeypatch.setenv("NOTIFY_URL", "json://127.0.0.1:1/never-used")  # a secret the hook must not see
    configure(
        synced,
        f"notify:\n  - exec: {_hook(RECORD, str(out))}\n    on: [changes]\n"
        "  - url_env: NOTIFY_URL\n    on: [failure]\n",
    )
    small_cluster.vm(102).config["memory"] = 8192
    result = cli("sync", "-C", str(synced))
    assert result.code == 0, result.err
    assert f"notified exec {Path(sys.executable).name} (changes)" in result.out
    seen = json.loads(out.read_text())
    report = seen["stdin"]["report"]
    assert seen["stdin"]["event"] == "changes" and seen["stdin"]["cluster"] == "lab"
    assert [r["resource_id"] for r in report["resources"]] == ["qemu/102"]
    assert report["target"]["sha"] == git(synced, "rev-parse", "HEAD").strip()
    env = seen["env"]
    assert env["PROXSTATE_EVENT"] == "changes" and env["PROXSTATE_CLUSTER"] == "lab"
    assert env["PROXSTATE_REPOSITORY"] == str(synced.resolve())
    assert "PROXSTATE_TOKEN" not in env and "NOTIFY_URL" not in env


@pytest.mark.parametrize(
    ("code", "timeout", "said"),
    [
        (
            "import sys; sys.stderr.write('webhook said no\\n'); sys.exit(3)",
            30,
            "exited with status 3: webhook said no",
        ),
        ("import time; time.sleep(5)", 0.3, "ran past its timeout of 0.3 s"),
    ],
)
def test_a_failing_hook_is_reported_and_the_sync_goes_on(
    synced: Path,
    cli: Any,
    small_cluster: Any,
    configure: Callable[[Path, str], None],
    code: str,
    timeout: float,
    said: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PROXSTATE_ALLOW_HOOKS", "1")
    configure(synced, f"notify:\n  - name: ticket\n    exec: {_hook(code)}\n    timeout: {timeout}\n")
    small_cluster.vm(102).config["memory"] = 8192
    result = cli("sync", "-C", str(synced))
    assert result.code == 0
    assert "lab: committed" in result.out
    assert (
        f"proxstate: warning: notification (changes) to ticket not delivered: the hook {said}" in result.err
    )


def test_a_hook_runs_only_where_the_runner_allows_hooks(
    synced: Path,
    cli: Any,
    small_cluster: Any,
    tmp_path: Path,
    configure: Callable[[Path, str], None],
) -> None:
    # Anyone who can push to the state repository writes its proxstate.yaml: the hook it names must
    # not run on the machine that syncs unless that machine's owner said so.
    out = tmp_path / "hook.json"
    configure(synced, f"notify:\n  - name: ticket\n    exec: {_hook(RECORD, str(out))}\n")
    small_cluster.vm(102).config["memory"] = 8192
    result = cli("sync", "-C", str(synced))
    assert result.code == 0
    assert "lab: committed" in result.out
    assert not out.exists()
    assert (
        "proxstate: warning: notification (changes) to ticket not delivered: "
        "exec hooks run only where PROXSTATE_ALLOW_HOOKS=1 is set" in result.err
    )
