"""Several clusters in one repository: each is synced on its own, and one that fails is named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import TOKEN_ID, TOKEN_SECRET, assert_one_line_error
from tests.helpers.repo import committed, git


@pytest.fixture
def three_clusters(
    state_repo: Path, small_cluster: Any, second_pve: Any, pve_env: dict[str, str], monkeypatch: Any
) -> Path:
    """proxstate.yaml names `down` (its token is refused), `lab` and `other`, in this order."""
    monkeypatch.delenv("PROXSTATE_URL")
    second_pve.cluster_name = "other"
    second_pve.apitokens[TOKEN_ID] = TOKEN_SECRET
    monkeypatch.setenv("DOWN_TOKEN", f"{TOKEN_ID}=not-the-secret")
    (state_repo / "proxstate.yaml").write_text(
        "version: 2\n"
        "clusters:\n"
        f"  - name: down\n    url: {second_pve.url}\n    auth:\n      token_env: DOWN_TOKEN\n"
        f"  - name: lab\n    url: {small_cluster.url}\n"
        f"  - name: other\n    url: {second_pve.url}\n"
    )
    git(state_repo, "commit", "-qam", "three clusters")
    return state_repo


def _folders(root: Path) -> set[str]:
    return {name.split("/")[1] for name in committed(root)}


def test_one_dead_cluster_does_not_stop_the_others(three_clusters: Path, cli: Any, tmp_path: Path) -> None:
    root = three_clusters
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(root, "remote", "add", "origin", str(remote))
    result = cli("sync", "-C", str(root), "--push")
    assert result.code == 3, result.err
    assert _folders(root) == {"lab", "other"}
    assert "lab: committed" in result.out and "other: committed" in result.out
    assert "pushed to origin" in result.out
    branch = git(root, "rev-parse", "--abbrev-ref", "HEAD").strip()
    assert git(remote, "rev-parse", branch) == git(root, "rev-parse", "HEAD")
    warning = [line for line in result.err.splitlines() if "'down'" in line]
    assert len(warning) == 1, result.err
    assert warning[0].startswith("proxstate: warning: cluster 'down' (https://127.0.0.1:")
    assert "not recorded" in warning[0] and "401" in warning[0]
    assert "Traceback" not in result.err and "not-the-secret" not in result.err


def test_drift_over_several_clusters_names_the_dead_one(three_clusters: Path, cli: Any) -> None:
    assert cli("sync", "-C", str(three_clusters)).code == 3
    result = cli("drift", "-C", str(three_clusters))
    assert result.code == 3, result.out + result.err
    assert "cluster 'down'" in result.err and "could not be read" in result.err
    assert "'down'" in result.out  # the report says drift is unknown there


def test_every_cluster_failing_is_one_error_naming_each(
    three_clusters: Path, cli: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("PROXSTATE_TOKEN", f"{TOKEN_ID}=wrong")
    head = git(three_clusters, "rev-parse", "HEAD")
    result = cli("sync", "-C", str(three_clusters))
    assert_one_line_error(result)
    for name in ("'down'", "'lab'", "'other'"):
        assert name in result.err
    assert git(three_clusters, "rev-parse", "HEAD") == head
