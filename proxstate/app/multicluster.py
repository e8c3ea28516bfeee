"""Several clusters in one run: which ones a command works on, each read on its own, and one that
fails does not stop the rest.

A cluster that cannot be read (its API is down, refuses the token, answers nonsense, or its
connection settings are incomplete) is named with its reason and the others are recorded; the
command then ends with exit 3. When every cluster fails, the run fails (exit 1) with one line
naming each. With one cluster, its error is the run's error, as it always was.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from proxstate.app.connection import ConnectionOverrides
from proxstate.config import ClusterConfig, ProxstateConfig
from proxstate.errors import ApiError, ClustersFailed, ConfigError, FolderClaimed, UsageError
from proxstate.safetext import escape_unsafe

T = TypeVar("T")
# Failures that belong to one cluster (its folder holding another cluster's record among them).
# A repository that cannot be written (StoreError) or a wrong command line (UsageError) fail the
# whole run.
PER_CLUSTER = (ApiError, ConfigError, FolderClaimed)


@dataclass(frozen=True, kw_only=True)
class ClusterFailure:
    cluster: str  # the configured entry: `'lab' (https://pve1:8006)`, or its URL
    reason: str


def selected_clusters(
    config: ProxstateConfig, *, name: str | None, overrides: ConnectionOverrides
) -> list[ClusterConfig]:
    """The clusters a command works on: all of proxstate.yaml, the one named, or one from --url."""
    clusters = list(config.clusters)
    if name is not None:
        clusters = [c for c in clusters if c.name == name]
        if not clusters:
            if overrides.url:
                return [ClusterConfig(name=name)]
            known = ", ".join(c.name or c.url or "?" for c in config.clusters) or "none"
            raise UsageError(f"no cluster named {name!r} in proxstate.yaml (clusters: {known})")
    if not clusters:
        return [ClusterConfig()]
    if overrides.url and len(clusters) > 1:
        raise UsageError("--url applies to one cluster: name it with --cluster")
    return clusters


def cluster_label(cluster: ClusterConfig, overrides: ConnectionOverrides) -> str:
    """How the user configured the cluster: its name in proxstate.yaml and its address."""
    url = overrides.url or cluster.url
    # Never a password someone put into the address (`https://user:pass@host`).
    address = escape_unsafe(re.sub(r"(?<=//)[^/@]*@", "", url)) if url else None
    name = f"'{escape_unsafe(cluster.name)}'" if cluster.name else None
    if name and address:
        return f"{name} ({address})"
    return name or address or "the cluster of the environment"


def each_cluster(
    clusters: Sequence[ClusterConfig],
    work: Callable[[ClusterConfig], T],
    *,
    overrides: ConnectionOverrides,
) -> tuple[list[T], list[ClusterFailure]]:
    """`work(cluster)` for every cluster; what one cluster's failure leaves, and the failures."""
    done: list[T] = []
    failed: list[ClusterFailure] = []
    for cluster in clusters:
        try:
            done.append(work(cluster))
        except PER_CLUSTER as error:
            if len(clusters) == 1:
                raise
            failed.append(ClusterFailure(cluster=cluster_label(cluster, overrides), reason=error.message))
    if failed and not done:
        named = "; ".join(f"{f.cluster}: {f.reason}" for f in failed)
        raise ClustersFailed(f"no cluster could be read: {named}")
    return done, failed
