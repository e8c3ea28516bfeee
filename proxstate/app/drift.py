"""`proxstate drift`: how the live cluster differs from the recorded state at a revision.

The live cluster is read and normalized exactly as sync does (the same plan), then compared with
the record at REF without writing anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from proxstate.app.connection import ConnectionOverrides, resolve_connection
from proxstate.app.identity import check_folder
from proxstate.app.live import Notice, quiet, read_live, record_reads
from proxstate.app.migrate import format_at, upgraded_files
from proxstate.app.multicluster import ClusterFailure, cluster_label, each_cluster, selected_clusters
from proxstate.app.notifications import Delivery, RunNews, send_news, split_by_cluster
from proxstate.app.options import normalize_options, secret_variables
from proxstate.app.plan import ClusterPlan, Selection, plan_cluster
from proxstate.app.revisions import commit_ref
from proxstate.config import ClusterConfig, ProxstateConfig
from proxstate.diff import ChangeClass, ChangeSet, CommitRef, ResourceChange, Unreadable, select
from proxstate.discovery import Progress
from proxstate.normalize import NormalizeOptions
from proxstate.resources.kinds import CLUSTER_LOG, TASKS
from proxstate.resources.stateformat import FORMAT_VERSION
from proxstate.store import StateRepo
from proxstate.store.layout import cluster_dir


@dataclass(frozen=True, kw_only=True)
class DriftRequest:
    against: str | None = None  # --against: the recorded state to compare with (default HEAD)
    cluster: str | None = None  # --cluster: one cluster of proxstate.yaml by name
    kinds: frozenset[str] | None = None  # --only: kinds to compare (default: the recorded ones)
    notify: bool = True  # --no-notify: tell no target of proxstate.yaml's `notify:`
    classes: frozenset[ChangeClass] | None = None  # --class: the classes of changes reported
    report_kinds: frozenset[str] | None = None  # --kind: the kinds of resources reported
    overrides: ConnectionOverrides = field(default_factory=ConnectionOverrides)


@dataclass(frozen=True, kw_only=True)
class DriftResult:
    changeset: ChangeSet
    failed: tuple[ClusterFailure, ...] = ()  # clusters that could not be read at all
    notified: tuple[Delivery, ...] = ()  # what became of the notifications (app/notifications.py)

    @property
    def drifted(self) -> bool:
        return bool(self.changeset.resources)

    @property
    def unknown(self) -> bool:
        return bool(self.changeset.unreadable)


def live_against(
    repo: StateRepo,
    rev: str | None,
    entry: ClusterConfig,
    *,
    config: ProxstateConfig,
    kinds: frozenset[str],
    overrides: ConnectionOverrides,
    env: Mapping[str, str],
    options: NormalizeOptions,
    selection: Selection,
    progress: Progress,
    notice: Notice | None,
) -> ClusterPlan:
    """The live cluster of `entry` (its `kinds`) planned against what `rev` recorded of it (None:
    nothing), as a sync would plan its next snapshot: what drift reports and a revert plan undoes."""
    inventory = read_live(
        resolve_connection(entry, overrides=overrides, env=env),
        options=record_reads(entry, config=config, kinds=kinds, task_logs=False),
        progress=progress,
        notice=notice,
    )
    recorded = repo.read_tree(rev, f"{cluster_dir(inventory.cluster.name)}/") if rev else {}
    if rev and format_at(repo, rev) < FORMAT_VERSION:
        recorded = upgraded_files(recorded)  # compared as version 2 writes it (app/migrate.py)
    check_folder(inventory, recorded, configured=cluster_label(entry, overrides))
    return plan_cluster(inventory, recorded, options=options, selection=selection)


def drift(
    root: Path,
    *,
    config: ProxstateConfig,
    request: DriftRequest,
    env: Mapping[str, str],
    progress: Progress = quiet,
    notice: Notice | None = None,
) -> DriftResult:
    overrides = request.overrides
    repo = StateRepo.open(root)
    repo.withhold_environment(secret_variables(config))
    rev = repo.resolve(request.against) if request.against else repo.head()
    base: CommitRef | None = None
    if rev is not None:
        found = repo.commits(rev_range=rev, max_count=1)
        base = commit_ref(found[0]) if found else None
    options = normalize_options(config, env)
    selection = Selection.of(config)
    # Tasks are history, not state: a new finished task is not drift.
    read_kinds = (request.kinds or frozenset(config.record.kinds)) - {TASKS, CLUSTER_LOG}
    changes: list[ResourceChange] = []
    unreadable: list[Unreadable] = []
    read: list[str] = []  # the clusters read, with drift or without

    def one(entry: ClusterConfig) -> None:
        plan = live_against(
            repo,
            rev,
            entry,
            config=config,
            kinds=read_kinds,
            overrides=overrides,
            env=env,
            options=options,
            selection=selection,
            progress=progress,
            notice=notice,
        )
        read.append(plan.cluster)
        changes.extend(plan.changes)
        unreadable.extend(
            Unreadable(cluster=plan.cluster, resource_id=f.resource_id, reason=f.reason)
            for f in plan.failures
        )

    clusters = selected_clusters(config, name=request.cluster, overrides=overrides)
    _, failed = each_cluster(clusters, one, overrides=overrides)
    # A cluster that could not be read at all: drift unknown for everything in it.
    unreadable.extend(Unreadable(cluster=f.cluster, resource_id="*", reason=f.reason) for f in failed)
    changeset = ChangeSet(base=base, target=None, resources=tuple(changes), unreadable=tuple(unreadable))
    notified: list[Delivery] = []
    if request.notify and config.notify:
        # Per cluster: a target is told of a cluster's drift when it is new or changed (or gone).
        news = RunNews(command="drift", drift=split_by_cluster(changeset, read), repository=str(repo.root))
        notified = send_news(repo, config, news, env=env)
    # Targets hear of the whole drift; --class and --kind narrow what this report shows.
    changeset = select(changeset, classes=request.classes, kinds=request.report_kinds)
    return DriftResult(changeset=changeset, failed=tuple(failed), notified=tuple(notified))
