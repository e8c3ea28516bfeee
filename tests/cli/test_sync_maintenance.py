"""A sync that commits keeps the repository quick to read: git's maintenance runs after it
(proxstate/store/maintenance.py), and its failure is a warning, never a lost commit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers.cli import Result
from tests.helpers.repo import git


def _graphs(repo: Path) -> Path:
    return Path(git(repo, "rev-parse", "--git-path", "objects/info/commit-graphs").strip())


def test_a_sync_that_commits_adds_its_commits_to_the_commit_graph(
    state_repo: Path, pve_env: dict[str, str], cli: Callable[..., Result], small_cluster: Any
) -> None:
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0, result.err
    chain = (state_repo / _graphs(state_repo) / "commit-graph-chain").read_text(encoding="utf-8").split()
    assert chain  # one layer (or more) of the commit-graph ...
    listed = git(state_repo, "log", "--format=%H", "-1", "--", "clusters/lab/qemu/101.yaml").strip()
    assert listed == git(state_repo, "rev-parse", "HEAD").strip()
    assert result.err == ""


def test_a_failed_maintenance_is_a_warning_and_the_commit_stays(
    state_repo: Path, pve_env: dict[str, str], cli: Callable[..., Result], small_cluster: Any
) -> None:
    graphs = state_repo / _graphs(state_repo)
    graphs.parent.mkdir(parents=True, exist_ok=True)
    graphs.write_text("not a folder\n", encoding="utf-8")  # commit-graph cannot write its layers
    result = cli("sync", "-C", str(state_repo))
    assert result.code == 0
    assert "committed" in result.out
    assert "maintenance after the commit failed" in result.err
    assert git(state_repo, "log", "-1", "--format=%s").startswith("sync lab")
