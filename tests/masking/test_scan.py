"""`proxstate scan` finds the secrets an older version recorded, by commit, file and field.

The old commits are made the way an older proxstate made them: files written into the record and
committed with git, a snapshot config with `cipassword` in clear (as PVE's `get_snapshot_config`
returns it) and a description with a pasted password.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers.repo import git

CIPASSWORD = "Winter-Pa55-cloudinit"
ROOT_PASSWORD = "Hunter2-Lemur-88"
OLD_SNAPSHOT = f"""kind: snapshot-config
id: qemu/101/pre
config:
  cipassword: {CIPASSWORD}
  memory: '2048'
  ostype: win11
"""


def _old_commit(root: Path, path: str, text: str, message: str) -> str:
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(text)
    git(root, "add", path)
    git(root, "commit", "-qm", message)
    return git(root, "rev-parse", "HEAD").strip()


def test_scan_names_commits_and_paths_and_exits_2(
    state_repo: Path, pve_env: dict[str, str], cli: Any
) -> None:
    assert cli("sync", "-C", str(state_repo), "--only", "qemu").code == 0
    clean = cli("scan", "-C", str(state_repo))
    assert clean.code == 0, clean.out + clean.err
    assert "no secrets found" in clean.out

    snap = "clusters/lab/snapshot-config/qemu/101/pre.yaml"
    first = _old_commit(state_repo, snap, OLD_SNAPSHOT, "sync lab: 1 added")
    vm = state_repo / "clusters/lab/qemu/102.yaml"
    second = _old_commit(
        state_repo,
        "clusters/lab/qemu/102.yaml",
        vm.read_text().replace("config:\n", f"config:\n  description: 'root password: {ROOT_PASSWORD}'\n"),
        "sync lab: 0 added, 1 changed, 0 removed",
    )
    _old_commit(state_repo, snap, OLD_SNAPSHOT.replace("win11", "win10"), "sync lab: 1 changed")

    found = cli("scan", "-C", str(state_repo))
    assert found.code == 2, found.out + found.err
    assert f"{first[:12]}" in found.out and snap in found.out
    assert "config.cipassword: secret key not masked" in found.out
    assert f"{second[:12]}" in found.out and "qemu/102.yaml config.description: Secret Keyword" in found.out
    assert "git filter-repo" in found.out and "docs/security.md" in found.out
    assert CIPASSWORD not in found.out and ROOT_PASSWORD not in found.out

    data = json.loads(cli("scan", "-C", str(state_repo), "--format", "json").out)
    assert data["clean"] is False
    # The snapshot holds its password in two versions: each commit that wrote one is named.
    assert len(data["commits_with_secrets"]) == 3 and data["commits_with_secrets"][0] == first
    assert {(f["path"], f["field"], f["rule"]) for f in data["findings"]} == {
        (snap, "config.cipassword", "secret key not masked"),
        ("clusters/lab/qemu/102.yaml", "config.description", "Secret Keyword"),
    }

    # A range after the secrets were written reads only what it wrote.
    assert cli("scan", "-C", str(state_repo), f"{first}~1..{first}~1").code == 0
    assert cli("scan", "-C", str(state_repo), f"{first}~1..{first}").code == 2
