"""`proxstate sync`: discover, normalize, compare with the record, commit; returns what happened.

Everything is computed before the first write; the store then makes one commit per cluster with
plumbing and moves the branch atomically, so an interrupted sync leaves the previous commit intact.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from proxstate.app.commit_message import commit_message
from proxstate.app.connection import ConnectionOverrides, resolve_connection
from proxstate.app.identity import check_folder
from proxstate.app.live import Notice, quiet, read_live, record_reads
from proxstate.app.migrate import Migration
from proxstate.app.multicluster import ClusterFailure, cluster_label, each_cluster, selected_clusters
from proxstate.app.names import check_cluster, recorded_clusters
from proxstate.app.notifications import Delivery, Health, RunNews, failure_noted, send_news
from proxstate.app.options import normalize_options, secret_variables
from proxstate.app.plan import ClusterPlan, Selection, plan_cluster
from proxstate.app.revisions import commit_info, commit_ref
from proxstate.app.sync_news import sync_news
from proxstate.config import KINDS, ClusterConfig, ProxstateConfig
from proxstate.deadline import Deadline
from proxstate.diff import CommitRef
from proxstate.discovery import Progress
from proxstate.errors import DirtyTree, ProxstateError, StoreError, UsageError
from proxstate.memory import give_back
from proxstate.resources.stateformat import CONFIG_FILE
from proxstate.store import Identity, StateRepo
from proxstate.store.layout import cluster_dir

LOCK_TIMEOUT = 60.0


@dataclass(frozen=True, kw_only=True)
class SyncRequest:
    cluster: str | None = None  # --cluster: one cluster of proxstate.yaml by name
    new_cluster: bool = False  # --new-cluster: --cluster may name a cluster not recorded yet
    only: frozenset[str] | None = None  # --only: kinds to read
    # Only these guests (`qemu/101`) are read; the others keep their last state (a watch's burst).
    guests: frozenset[str] | None = None
    branch: str | None = None
    base: str | None = None
    push: bool = False
    remote: str = "origin"
    message: str | None = None
    dry_run: bool = False
    task_logs: bool | None = None
    deadline: float | None = None  # --deadline: seconds the sync may take (else proxstate.yaml's)
    notify: bool = True  # --no-notify: tell no target of proxstate.yaml's `notify:` (never on --dry-run)
    overrides: ConnectionOverrides = field(default_factory=ConnectionOverrides)


@dataclass(kw_only=True)
class ClusterSync:
    plan: ClusterPlan
    commit: str | None = None
    message: str = ""
    base: CommitRef | None = None  # the recorded commit the plan compares with; None: nothing recorded
    label: str = ""  # the cluster as configured (multicluster.cluster_label): its notifications' key

    @property
    def partial(self) -> bool:
        return bool(self.plan.failures)


@dataclass(kw_only=True)
class SyncResult:
    clusters: list[ClusterSync] = field(default_factory=list)
    failed: list[ClusterFailure] = field(default_factory=list)  # clusters not read at all
    pushed: bool = False
    branch: str | None = None  # the branch --push pushed, or tried to
    push_failure: str | None = None  # why --push failed; the local commits are made all the same
    maintenance_failure: str | None = None  # git's maintenance after the commits failed (a note)
    migrated: str | None = None  # the commit that migrated the record to the current format
    notified: list[Delivery] = field(default_factory=list)  # what became of the notifications

    @property
    def partial(self) -> bool:
        return bool(self.failed or self.push_failure) or any(c.partial for c in self.clusters)


def sync(
    root: Path,
    *,
    config: ProxstateConfig,
    request: SyncRequest,
    env: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    notice: Notice | None = None,
) -> SyncResult:
    """Record the clusters, then tell the targets of `notify:` what was committed and which clusters
    failed or recovered (app/notifications.py). A sync that fails as a whole is told too."""
    env = os.environ if env is None else env
    notifying = request.notify and not request.dry_run and bool(config.notify)
    try:
        result = _record(root, config=config, request=request, env=env, progress=progress, notice=notice)
    except ProxstateError as error:
        # A wrong command line (UsageError, exit 64) is said to the one who typed it.
        if notifying and not isinstance(error, UsageError) and (repo := _repo_or_none(root)) is not None:
            news = RunNews(
                command="sync", health=_failed_all(config, request, error), repository=str(repo.root)
            )
            failure_noted(error, send_news(repo, config, news, env=env))
        raise
    if notifying:
        repo = StateRepo.open(root)
        result.notified = send_news(
            repo, config, sync_news(repo, result, remote=request.remote, push=request.push, env=env), env=env
        )
    return result


def _failed_all(config: ProxstateConfig, request: SyncRequest, error: ProxstateError) -> tuple[Health, ...]:
    """Every cluster the sync was to record, failed with the error that ended it."""
    try:
        clusters = selected_clusters(config, name=request.cluster, overrides=request.overrides)
    except ProxstateError:
        return ()
    labels = [(cluster, cluster_label(cluster, request.overrides)) for cluster in clusters]
    return tuple(Health(cluster=c.name or label, label=label, reason=error.message) for c, label in labels)


def _repo_or_none(root: Path) -> StateRepo | None:
    try:
        return StateRepo.open(root)
    except ProxstateError:
        return None


def _record(
    root: Path,
    *,
    config: ProxstateConfig,
    request: SyncRequest,
    env: Mapping[str, str] | None = None,
    progress: Progress | None = None,
    notice: Notice | None = None,
) -> SyncResult:
    env = os.environ if env is None else env
    deadline = Deadline(request.deadline or config.sync.deadline)
    repo = StateRepo.open(root)
    repo.withhold_environment(secret_variables(config))
    _check_target(repo, config=config, request=request)
    if request.push and not request.dry_run:
        _check_push(repo, request=request, deadline=deadline)
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
    with repo.lock(timeout=deadline.lock_wait(LOCK_TIMEOUT), on_wait=notice):
        repo.recover()
        # A record in an older format is rewritten first, in a commit of its own (app/migrate.py).
        migration = Migration(
            repo=repo,
            config=config,
            author=author,
            branch=request.branch,
            base=request.base,
            dry_run=request.dry_run,
        )

        def one(cluster: ClusterConfig) -> ClusterSync:
            inventory = read_live(
                resolve_connection(cluster, overrides=request.overrides, env=env),
                options=record_reads(
                    cluster, config=config, kinds=kinds, task_logs=task_logs, guests=request.guests
                ),
                progress=progress or quiet,
                deadline=deadline,
                notice=notice,
            )
            give_back()  # what reading freed: the stages below start from the answers kept
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
            parent = _parent(repo, request)
            recorded = repo.read_tree(parent, prefix)
            check_folder(inventory, recorded, configured=cluster_label(cluster, request.overrides))
            recorded = migration.recorded(recorded, parent=lambda: _parent(repo, request), prefix=prefix)
            plan = plan_cluster(inventory, recorded, options=options, selection=selection, consume=True)
            # The API's answers are not needed any more: the commit holds the rendered files only
            # (at 5,000 guests with every kind, the inventory is some 60 MiB).
            del inventory
            give_back()
            base = commit_info(repo, parent) if parent else None
            since = datetime.fromisoformat(base.committed).timestamp() if base else None
            done = ClusterSync(
                plan=plan,
                label=cluster_label(cluster, request.overrides),
                message=commit_message(
                    plan, extra=request.message, since=since, label=config.attribution.label
                ),
                base=commit_ref(base) if base else None,
            )
            if plan.files and not request.dry_run:
                done.commit = repo.commit_files(
                    plan.files, message=done.message, author=author, branch=request.branch, base=request.base
                )
            return done

        # Each cluster on its own: one that cannot be read is named, the others are recorded and pushed.
        result.clusters, result.failed = each_cluster(clusters, one, overrides=request.overrides)
        result.migrated = migration.commit
        if result.migrated or any(done.commit for done in result.clusters):
            # Keeps a long history quick to read (store/maintenance.py); the commits are made.
            result.maintenance_failure = repo.maintain()
        if request.push and not request.dry_run:
            _push(repo, request, result, ends=deadline.ends)
    return result


def _push(repo: StateRepo, request: SyncRequest, result: SyncResult, *, ends: float | None) -> None:
    branch = request.branch or repo.current_branch()
    if branch is None:
        raise UsageError("--push needs a branch: the repository has no checked-out branch")
    # A --branch that no snapshot created (nothing changed) has nothing to push.
    if repo.head(f"refs/heads/{branch}") is None:
        return
    result.branch = branch
    try:
        repo.push(remote=request.remote, branch=branch, ends=ends)
    except StoreError as exc:
        # The commits are made and stay: a partial result, with the way to push them later.
        result.push_failure = exc.message
    else:
        result.pushed = True


def _check_target(repo: StateRepo, *, config: ProxstateConfig, request: SyncRequest) -> None:
    """Refusals made before anything is read: a typo must not start a record in the wrong place."""
    if not request.dry_run and not repo.exists(CONFIG_FILE):
        # Any git repository would do for git; an Ansible repository got 163 files that way.
        raise UsageError(
            f"{repo.root} has no {CONFIG_FILE}: it is not a state repository that `proxstate init` "
            f"set up, and sync records into none other. Run `proxstate init {repo.root}` (with "
            "--force when it already holds other files), review and commit what it writes, then sync; "
            "or give another repository with -C"
        )
    if request.cluster is not None and not request.new_cluster:
        check_cluster(
            request.cluster,
            recorded=recorded_clusters(repo),
            configured=lambda: [cluster.name for cluster in config.clusters if cluster.name],
            new_option="--new-cluster",
        )


def _check_push(repo: StateRepo, *, request: SyncRequest, deadline: Deadline) -> None:
    """Before the cluster is read: a branch with a history of its own is never pushed onto a remote
    that has one (a new orphan branch there would become what `git clone` checks out)."""
    branch = request.branch or repo.current_branch()
    if branch is None:
        return  # said after the sync, as before: --push needs a branch
    local = repo.head(f"refs/heads/{branch}")
    if local is None and request.branch is not None:
        local = _parent(repo, request)  # a new --branch starts from --base or HEAD
    left = max(1.0, deadline.reading_ends - time.monotonic())
    repo.check_push(remote=request.remote, branch=branch, local=local, timeout=left)


def _parent(repo: StateRepo, request: SyncRequest) -> str | None:
    """The commit the new snapshot builds on: the branch's tip, or --base (default HEAD)."""
    if request.branch is not None:
        tip = repo.head(f"refs/heads/{request.branch}")
        if tip is not None:
            return tip
        return repo.resolve(request.base) if request.base else repo.head()
    return repo.head()
