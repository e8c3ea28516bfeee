"""Helpers that turn command-line settings into the core's inputs (config, clusters, settings).

The reports of the record open it with proxstate.cli.records instead, which needs no configuration.
"""

from __future__ import annotations

import os
from pathlib import Path

from proxstate.app.connection import ConnectionOverrides
from proxstate.app.multicluster import selected_clusters
from proxstate.app.names import check_cluster, recorded_clusters
from proxstate.config import ClusterConfig, ProxstateConfig, load_config
from proxstate.store import StateRepo, find_top


def config_at(root: Path) -> ProxstateConfig:
    """proxstate.yaml of the state repository at root (defaults when there is none)."""
    return load_config(root)


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
