"""A cluster's folder belongs to one cluster: another with the same name is refused, naming both.

The clusters here answer /cluster/status as pve-manager's PVE::API2::Cluster `status` handler does
on clusters of their own: each member with its corosync node id and its own address (two clusters
are not on one address; fakepve gives every cluster 192.0.2.11, .12, ...).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers.answers import rewrite_data
from tests.helpers.cli import TOKEN_ID, TOKEN_SECRET, assert_one_line_error
from tests.helpers.repo import committed, git


def _elsewhere(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same names and node ids, on another network: another cluster."""
    return [{**e, "ip": e["ip"].replace("192.0.2.", "198.51.100.")} if "ip" in e else e for e in data]


@pytest.fixture
def two_labs(
    state_repo: Path, small_cluster: Any, second_pve: Any, pve_env: dict[str, str], monkeypatch: Any
) -> Path:
    """proxstate.yaml lists two clusters by address only; PVE names both `lab`."""
    monkeypatch.delenv("PROXSTATE_URL")
    second_pve.cluster_name = "lab"
    second_pve.apitokens[TOKEN_ID] = TOKEN_SECRET
    rewrite_data(second_pve, "/cluster/status", _elsewhere)
    (state_repo / "proxstate.yaml").write_text(
        f"version: 2\nclusters:\n  - url: {small_cluster.url}\n  - url: {second_pve.url}\n"
    )
    git(state_repo, "commit", "-qam", "two clusters")
    return state_repo


def test_two_clusters_with_one_name_do_not_share_a_folder(
    two_labs: Path, cli: Any, small_cluster: Any, second_pve: Any
) -> None:
    for _ in range(2):  # and the record does not flip on the next sync
        result = cli("sync", "-C", str(two_labs))
        assert result.code == 3, result.err
        lines = [line for line in result.err.splitlines() if "holds the record of" in line]
        assert len(lines) == 1, result.err
        line = lines[0]
        assert f"but {second_pve.url} is cluster 'lab'" in line
        assert "clusters/lab/ holds the record of cluster 'lab' (nodes pve1 #1 192.0.2.11" in line
        assert "is cluster 'lab' (nodes pve1 #1 198.51.100.11" in line
        assert {name.split("/")[1] for name in committed(two_labs)} == {"lab"}
        assert "198.51.100" not in (two_labs / "clusters/lab/cluster.yaml").read_text()
    assert int(git(two_labs, "rev-list", "--count", "HEAD")) == 3  # init, config, one sync


def test_a_folder_is_handed_over_only_on_purpose(synced: Path, cli: Any, small_cluster: Any) -> None:
    head = git(synced, "rev-parse", "HEAD")
    before = committed(synced)
    rewrite_data(small_cluster, "/cluster/status", _elsewhere)  # what answers there now is another cluster
    result = cli("sync", "-C", str(synced))
    assert_one_line_error(result)
    assert "holds the record of cluster 'lab'" in result.err and "docs/state-format.md" in result.err
    assert git(synced, "rev-parse", "HEAD") == head and committed(synced) == before
    assert cli("drift", "-C", str(synced)).code == 1
    # The documented way to hand the folder over: remove its cluster.yaml in a commit.
    git(synced, "rm", "-q", "clusters/lab/cluster.yaml")
    git(synced, "commit", "-qm", "clusters/lab now records the new cluster")
    result = cli("sync", "-C", str(synced))
    assert result.code == 0, result.err
    assert "198.51.100.11" in (synced / "clusters/lab/cluster.yaml").read_text()
