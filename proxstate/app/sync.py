"""`proxstate sync`: discover, normalize, compare with the record, commit; returns what happened.

Everything is computed before the first write; the store then makes one commit per cluster with
plumbing and moves the branch atomically, so an interrupted sync leaves the previous commit intact.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from proxstate import __version__
from proxstate.api.client import PveClient
from proxstate.app.connection import ConnectionOverrides, resolve_connection
from proxstate.app.identity import check_folder
from proxstate.app.multicluster import ClusterFailure, cluster_label, each_cluster
from proxstate.app.plan import ClusterPlan, Selection, plan_cluster
from proxstate.config import KINDS, ClusterConfig, ProxstateConfig
from proxstate.deadline import Deadline
from proxstate.diff import ResourceChange, summarize
from proxstate.discovery.run import DiscoveryOptions, Progress, discover, run
from proxstate.errors import DirtyTree, UsageError
from proxstate.normalize import AllowRule, IgnoreRule, NormalizeOptions
from proxstate.resources.inventory import Inventory
from proxstate.safetext import escape_unsafe
from proxstate.store import Identity, StateRepo
from proxstate.store.layout import cluster_dir

MASK_KEY_ENV = "PROXSTATE_MASK_KEY"
LOCK_TIMEOUT = 60.0


@dataclass(frozen=True, kw_only=True)
class SyncRequest:
    cluster: str | None = None  # --cluster: one cluster of proxstate.yaml by name
    only: frozenset[str] | None = None  # --only: kinds to read
    branch: str | None = None
    base: str | None = None
    push: bool = False
    remote: str = "origin"
    message: str | None = None
    dry_run: bool = False
    task_logs: bool | None = None
    deadline: float | None = None  # --deadline: seconds the sync may take (else proxstate.yaml's)
    overrides: ConnectionOverrides = field(default_factory=ConnectionOverrides)


@dataclass(kw_only=True)
class ClusterSync:
    plan: ClusterPlan
    commit: str | None = None
    message: str = ""

    @property
    def partial(self) -> bool:
        return bool(self.plan.failures)


@dataclass(kw_only=True)
class SyncResult:
    clusters: list[ClusterSync] = field(default_factory=list)
    failed: list[ClusterFailure] = field(default_factory=list)  # clusters not read at all
    pushed: bool = False

    @property
    def partial(self) -> bool:
        return bool(self.failed) or any(c.partial for c in self.clusters)


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


def normalize_options(config: ProxstateConfig, env: Mapping[str, str]) -> NormalizeOptions:
    secret = env.get(MASK_KEY_ENV)
    return NormalizeOptions(
        record_power_state=config.record.power_state,
        mask_keys=frozenset(config.mask_keys),
        mask_secret=secret.encode("utf-8") if secret else None,
        ignore=tuple(IgnoreRule(resource=r.resource, field=r.field, reason=r.reason) for r in config.ignore),
        allow_secrets=tuple(
            AllowRule(resource=r.resource, field=r.field, reason=r.reason) for r in config.allow_secrets
        ),
    )


def secret_variables(config: ProxstateConfig) -> set[str]:
    """The environment variables proxstate.yaml names for secrets (and their `_FILE` forms): git and
    its hooks must not see them (the store withholds PROXSTATE_* itself)."""
    names = {
        name
        for cluster in config.clusters
        for name in (cluster.auth.token_env, cluster.auth.token_secret_env, cluster.auth.password_env)
    }
    return names | {f"{name}_FILE" for name in names}


def read_cluster(
    cluster: ClusterConfig,
    *,
    config: ProxstateConfig,
    kinds: frozenset[str],
    overrides: ConnectionOverrides,
    env: Mapping[str, str],
    task_logs: bool,
    progress: Progress,
    deadline: Deadline | None = None,
) -> Inventory:
    settings = resolve_connection(cluster, overrides=overrides, env=env)
    options = DiscoveryOptions(
        kinds=kinds, cluster_name=cluster.name, task_days=config.record.task_days, task_logs=task_logs
    )

    async def go() -> Inventory:
        reads_end = deadline.reading_ends if deadline is not None else None
        async with PveClient(settings, deadline=reads_end) as client:
            return await discover(client, options=options, progress=progress)

    return run(go)


def counts_text(changes: list[ResourceChange]) -> str:
    """`1 added, 3 changed, 0 removed`: the summary of commit subjects and of the sync's output."""
    counts = {"added": 0, "modified": 0, "removed": 0}
    for change in changes:
        counts[change.action] += 1
    return f"{counts['added']} added, {counts['modified']} changed, {counts['removed']} removed"


def commit_message(plan: ClusterPlan, *, extra: str | None) -> str:
    """The message of a sync commit. Names from the API are escaped: they cannot add a line (or a
    trailer) to the message, nor hold a NUL, which git refuses."""
    what = counts_text(plan.changes)
    cluster = escape_unsafe(plan.cluster)
    subject = f"sync {cluster}: {what}"
    body = [escape_unsafe(summarize(change)) for change in plan.changes]
    if extra:
        body = [extra, "", *body]
    notes = [
        f"Unreachable: node {escape_unsafe(n)} (its guests kept their last state)"
        for n in plan.unreachable_nodes
    ]
    notes += [
        f"Not read: {escape_unsafe(f.resource_id)} ({escape_unsafe(f.reason)})"
        for f in plan.failures
        if not f.node_unreachable
    ]
    trailers = [
        f"Proxstate-Cluster: {cluster}",
        f"Proxstate-PVE-Version: {plan.pve_version or 'unknown'}",
        f"Proxstate-Version: {__version__}",
    ]
    parts = [subject, "\n".join(body)] if body else [subject]
    if notes:
        parts.append("\n".join(notes))
    parts.append("\n".join(trailers))
    return "\n\n".join(parts) + "\n"


def changes_of(result: SyncResult) -> list[ResourceChange]:
    return [change for cluster in result.clusters for change in cluster.plan.changes]


def sync(
    root: Path,
    *,
    config: ProxstateConfig,
    request: SyncRequest,
    env: Mapping[str, str] | None = None,
    progress: Progress | None = None,
) -> SyncResult:
    env = os.environ if env is None else env
    deadline = Deadline(request.deadline or config.sync.deadline)
    repo = StateRepo.open(root)
    repo.withhold_environment(secret_variables(config))
    if request.branch is not None:  # before the cluster is read, not after
        repo.check_branch(request.branch, in_use=not request.dry_run)
    kinds = request.only if request.only else frozenset(config.record.kinds)
    unknown = kinds - set(KINDS)
    if unknown:
        raise UsageError(f"unknown kinds: {', '.join(sorted(unknown))}")
    task_logs = config.record.task_logs if request.task_logs is None else request.task_logs
    author = (
        Identity(name=config.commit.author.name, email=config.commit.author.email)
        if config.commit.author
        else None
    )
    selection = Selection.of(config)
    options = normalize_options(config, env)
    result = SyncResult()
    clusters = selected_clusters(config, name=request.cluster, overrides=request.overrides)
    with repo.lock(timeout=deadline.lock_wait(LOCK_TIMEOUT)):
        repo.recover()

        def one(cluster: ClusterConfig) -> ClusterSync:
            inventory = read_cluster(
                cluster,
                config=config,
                kinds=kinds,
                overrides=request.overrides,
                env=env,
                task_logs=task_logs,
                progress=progress or _quiet,
                deadline=deadline,
            )
            prefix = f"{cluster_dir(inventory.cluster.name)}/"
            on_checked_out = request.branch is None or request.branch == repo.current_branch()
            if on_checked_out and not request.dry_run:
                dirty = repo.dirty_paths(prefix)
                if dirty:
                    shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
                    raise DirtyTree(
                        f"uncommitted edits in the recorded tree would be overwritten: {shown}; "
                        "commit or discard them first (git status)"
                    )
            recorded = repo.read_tree(_parent(repo, request), prefix)
            check_folder(inventory, recorded, configured=cluster_label(cluster, request.overrides))
            plan = plan_cluster(inventory, recorded, options=options, selection=selection)
            # The API's answers are not needed any more: the commit holds the rendered files only
            # (at 5,000 guests with every kind, the inventory is some 60 MiB).
            del inventory
            done = ClusterSync(plan=plan, message=commit_message(plan, extra=request.message))
            if plan.files and not request.dry_run:
                done.commit = repo.commit_files(
                    plan.files, message=done.message, author=author, branch=request.branch, base=request.base
                )
            return done

        # Each cluster on its own: one that cannot be read is named, the others are recorded and pushed.
        result.clusters, result.failed = each_cluster(clusters, one, overrides=request.overrides)
        if request.push and not request.dry_run:
            branch = request.branch or repo.current_branch()
            if branch is None:
                raise UsageError("--push needs a branch: the repository has no checked-out branch")
            # A --branch that no snapshot created (nothing changed) has nothing to push.
            if repo.head(f"refs/heads/{branch}") is not None:
                repo.push(remote=request.remote, branch=branch, ends=deadline.ends)
                result.pushed = True
    return result


def _parent(repo: StateRepo, request: SyncRequest) -> str | None:
    """The commit the new snapshot builds on: the branch's tip, or --base (default HEAD)."""
    if request.branch is not None:
        tip = repo.head(f"refs/heads/{request.branch}")
        if tip is not None:
            return tip
        return repo.resolve(request.base) if request.base else repo.head()
    return repo.head()


def _quiet(*, done: int, total: int, what: str) -> None:
    return None
