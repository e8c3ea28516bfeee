"""Helpers that turn command-line settings into the core's inputs (config, clusters, settings)."""

from __future__ import annotations

import os
from pathlib import Path

from proxstate.app.connection import ConnectionOverrides
from proxstate.app.multicluster import selected_clusters
from proxstate.config import ClusterConfig, ProxstateConfig, load_config


def config_at(root: Path) -> ProxstateConfig:
    """proxstate.yaml of the state repository at root (defaults when there is none)."""
    return load_config(root)


def one_cluster(root: Path, *, name: str | None, overrides: ConnectionOverrides) -> ClusterConfig:
    """The single cluster a live command talks to (the first of proxstate.yaml unless --cluster)."""
    config = config_at(root)
    clusters = selected_clusters(config, name=name, overrides=overrides)
    return clusters[0]


def environment() -> dict[str, str]:
    return dict(os.environ)
