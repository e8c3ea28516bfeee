"""The clusters and nodes a command may name, and the error that lists them.

A mistyped `--cluster dmeo` or `--node pve9` is a usage error (exit 64) naming the known ones,
never an empty report that reads as "nothing there", nor a second record of the same cluster
started under the typo. Known clusters are those of proxstate.yaml and those with a folder in the
record; known nodes are those recorded (for the live views: those the cluster answered with).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable

from proxstate.errors import UsageError
from proxstate.resources.ids import ResourceId
from proxstate.resources.kinds import NODE
from proxstate.store import StateRepo
from proxstate.store.layout import CLUSTERS_DIR, cluster_dir, resource_of_path


def recorded_clusters(repo: StateRepo, rev: str | None = "HEAD") -> list[str]:
    """The clusters with a folder under clusters/ at `rev` (none on an unborn branch)."""
    names = []
    for folder in repo.folders(rev, CLUSTERS_DIR):
        # The folder's name is escaped; a path inside it gives the cluster's own name back.
        found = resource_of_path(f"{CLUSTERS_DIR}/{folder}/cluster.yaml")
        names.append(found[0] if found else folder)
    return sorted(names)


def recorded_nodes(repo: StateRepo, rev: str | None, clusters: Iterable[str]) -> list[str]:
    """The nodes recorded under these clusters at `rev`."""
    nodes = set()
    for cluster in clusters:
        for path in repo.paths(rev, f"{cluster_dir(cluster)}/nodes/"):
            found = resource_of_path(path)
            if found and found[1].startswith(f"{NODE}/"):
                nodes.add(ResourceId.parse(found[1]).parts[0])
    return sorted(nodes)


def _listed(names: Collection[str]) -> str:
    return ", ".join(names) if names else "none"


def check_cluster(
    name: str | None,
    *,
    recorded: Collection[str],
    configured: Callable[[], Collection[str]] = tuple,
    new_option: str | None = None,
) -> None:
    """UsageError unless `name` (when given) is recorded or configured (read only when needed:
    a report of the record works without a valid proxstate.yaml)."""
    if name is None or name in recorded:
        return
    in_file = configured()
    if name in in_file:
        return
    new = (
        f"; a cluster recorded for the first time is named in proxstate.yaml or given with {new_option}"
        if new_option
        else ""
    )
    raise UsageError(
        f"no cluster named {name!r}: proxstate.yaml names {_listed(sorted(in_file))}, "
        f"the record holds {_listed(sorted(recorded))}{new}"
    )


def check_nodes(nodes: Iterable[str], *, known: Collection[str], where: str = "recorded") -> None:
    """UsageError naming the nodes given that are not among `known`, and the known ones."""
    unknown = [node for node in nodes if node not in known]
    if unknown:
        named = ", ".join(repr(node) for node in unknown)
        raise UsageError(f"no node named {named}: the nodes {where} are {_listed(sorted(known))}")


def check_recorded_names(
    repo: StateRepo,
    *,
    rev: str | None,
    cluster: str | None,
    nodes: Iterable[str] = (),
    configured: Callable[[], Collection[str]] = tuple,
) -> None:
    """The checks of a report of the record at `rev` (HEAD when None): its --cluster and --node."""
    nodes = list(nodes)
    if cluster is None and not nodes:
        return
    rev = rev or "HEAD"
    clusters = recorded_clusters(repo, rev)
    check_cluster(cluster, recorded=clusters, configured=configured)
    if nodes:
        among = [cluster] if cluster is not None else clusters
        check_nodes(nodes, known=recorded_nodes(repo, rev, among))
