"""Helpers that turn command-line settings into the core's inputs (config, clusters, settings)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from proxstate.app.connection import ConnectionOverrides
from proxstate.app.multicluster import selected_clusters
from proxstate.app.names import check_cluster, check_recorded_names, recorded_clusters
from proxstate.config import ClusterConfig, ProxstateConfig, load_config
from proxstate.store import StateRepo, find_top


def config_at(root: Path) -> ProxstateConfig:
    """proxstate.yaml of the state repository at root (defaults when there is none)."""
    return load_config(root)


def configured_names(root: Path) -> list[str]:
    """The names of the clusters proxstate.yaml lists."""
    return [cluster.name for cluster in config_at(root).clusters if cluster.name]


def open_record(
    root: Path, *, rev: str | None = None, cluster: str | None = None, nodes: Iterable[str] = ()
) -> StateRepo:
    """The state repository at root, for a report of its record at `rev` (HEAD when None); a
    --cluster or --node that names nothing there is refused with the known ones."""
    repo = StateRepo.open(root)
    check_recorded_names(
        repo, rev=rev, cluster=cluster, nodes=nodes, configured=lambda: configured_names(root)
    )
    return repo


def one_cluster(root: Path, *, name: str | None, overrides: ConnectionOverrides) -> ClusterConfig:
    """The single cluster a live command talks to (the first of proxstate.yaml unless --cluster)."""
    config = config_at(root)
    if name is not None and overrides.url:
        # With an address given, any name would do for the read: a typo is refused all the same.
        recorded = recorded_clusters(StateRepo.open(root)) if find_top(root) == root.resolve() else []
        check_cluster(name, recorded=recorded, configured=lambda: [c.name for c in config.clusters if c.name])
    clusters = selected_clusters(config, name=name, overrides=overrides)
    return clusters[0]


def environment() -> dict[str, str]:
    return dict(os.environ)
