"""A recorded document that does not load (edited by hand, a bad merge): the reports that read the
record name it and the commit, never show it as empty; a sync replaces it with what the cluster says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from proxstate import yamlio
from tests.helpers.repo import git

DOCUMENT = "clusters/lab/qemu/102.yaml"


def _commit_unreadable(repo: Path) -> str:
    (repo / DOCUMENT).write_bytes(b"kind: qemu\nconfig: [unclosed\n")
    git(repo, "commit", "-q", "-am", "an edit by hand")
    return git(repo, "rev-parse", "HEAD").strip()


def test_reports_name_the_document_and_the_commit(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    assert cli("sync", "-C", str(state_repo)).code == 0
    head = _commit_unreadable(state_repo)
    for args in (["show-changes"], ["log", "qemu/102"], ["show", "qemu/102"], ["list-vms"]):
        result = cli(*args, "-C", str(state_repo))
        assert result.code == 1, args
        assert f"{DOCUMENT} " in result.err and "is not a valid document" in result.err, args
        assert "Traceback" not in result.err
    # The report of a commit range names the commit whose document it could not read.
    changes = cli("show-changes", "-C", str(state_repo))
    assert f"{DOCUMENT} at {head[:12]} is not a valid document" in changes.err


def test_a_sync_replaces_it_with_what_the_cluster_says(
    state_repo: Path, pve_env: dict[str, str], cli: Any, small_cluster: Any
) -> None:
    assert cli("sync", "-C", str(state_repo)).code == 0
    recorded = (state_repo / DOCUMENT).read_bytes()
    _commit_unreadable(state_repo)
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.err
    assert (state_repo / DOCUMENT).read_bytes() == recorded
    assert yamlio.load(recorded.decode())["vmid"] == 102
