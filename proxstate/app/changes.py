"""Change reports from the record: show-changes (two snapshots), log (one resource over time).

Git says which files changed between two commits; only those documents are loaded and compared, so
the cost grows with the size of the change, not of the cluster.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from proxstate.app.actorlabels import Label, actor_labels, recorded_log
from proxstate.app.migrate import check_readable
from proxstate.app.record import cluster_names, read_document
from proxstate.app.revisions import commit_info, commit_ref, head_of, window_of
from proxstate.diff import ChangeClass, ChangeSet, LogEntry, ResourceChange, attribute, compare, select
from proxstate.resources.documents import Document, decode_document
from proxstate.resources.kinds import TASK, TASKS, kind_of
from proxstate.store import CommitInfo, StateRepo
from proxstate.store.history import PathChange
from proxstate.store.layout import (
    CLUSTERS_DIR,
    cluster_dir,
    document_path,
    resource_glob_matches,
    resource_of_path,
)
from proxstate.yamlio import Versions


def _days_of(since: float | None, until: float) -> Callable[[str], bool]:
    """Whether a file of one UTC day (`.../2026-11-30.yaml`: tasks, the cluster log) may hold what
    explains a change between `since` and `until`: its day, or the day before or after. A year of
    hourly syncs records some 2,000 such files; a report of one hour reads a dozen of them."""
    if since is None:
        return lambda path: True
    first = datetime.fromtimestamp(since, UTC).date() - timedelta(days=1)
    last = datetime.fromtimestamp(until, UTC).date() + timedelta(days=1)

    def near(path: str) -> bool:
        stem = path.rsplit("/", 1)[-1].removesuffix(".yaml")
        try:
            day = date.fromisoformat(stem)
        except ValueError:
            return True  # not a file of one day: read it
        return first <= day <= last

    return near


def _recorded_tasks(
    repo: StateRepo, rev: str, cluster: str | None, *, only: Callable[[str], bool]
) -> list[dict[str, Any]]:
    """The tasks recorded at rev: only the files under tasks/ that `only` accepts are read."""
    tasks: list[dict[str, Any]] = []
    for name in [cluster] if cluster else cluster_names(repo, rev):
        for path, content in repo.read_tree(rev, f"{cluster_dir(name)}/tasks/", only=only).items():
            tasks += tasks_of(decode_document(content, mode="strict", name=path))
    return tasks


def tasks_of(document: Document) -> list[dict[str, Any]]:
    """The task records of one recorded day of a node's tasks, each with its `upid`."""
    tasks = document.get("tasks") or {}
    return [{**task, "upid": upid} for upid, task in tasks.items() if isinstance(task, dict)]


def _epoch(info: CommitInfo) -> float:
    return datetime.fromisoformat(info.committed).timestamp()


Reader = Callable[[bytes, str, str], "Document | None"]  # content, name (path at commit), resource id
TasksNear = Callable[[Callable[[str], bool]], list[dict[str, Any]]]
LogNear = Callable[[Callable[[str], bool]], list[tuple[str, Mapping[str, Any]]]]


def _read(content: bytes, name: str, resource_id: str) -> Document | None:
    return read_document(content, name=name, resource_id=resource_id)


def show_changes(
    repo: StateRepo,
    *,
    revspec: str | None = None,
    since: str | None = None,
    until: str | None = None,
    resource: str | None = None,
    cluster: str | None = None,
    classes: frozenset[ChangeClass] | None = None,
    kinds: frozenset[str] | None = None,
) -> ChangeSet:
    """What changed in the window; only the `classes` and `kinds` asked for (None: all)."""
    check_readable(repo)
    window = window_of(repo, revspec=revspec, since=since, until=until)
    prefix = f"{cluster_dir(cluster)}/" if cluster else f"{CLUSTERS_DIR}/"
    changes = compared(
        repo.changed_paths(window.base, window.target, prefix=prefix),
        base=window.base,
        target=window.target,
        resource=resource,
        kinds=kinds,
    )
    target_info = commit_info(repo, window.target)
    base_info = commit_info(repo, window.base) if window.base else None
    return report_of(
        changes,
        base=base_info,
        target=target_info,
        tasks=lambda near: _recorded_tasks(repo, window.target, cluster, only=near),
        log=lambda near: recorded_log(
            repo, window.target, [cluster] if cluster else cluster_names(repo, window.target), only=near
        ),
        label=actor_labels(repo.root),
        classes=classes,
    )


def compared(
    changed: Iterable[PathChange],
    *,
    base: str | None,
    target: str,
    resource: str | None = None,
    kinds: frozenset[str] | None = None,
    read: Reader = _read,
) -> list[ResourceChange]:
    """The changes of the resources whose files changed between two commits (`changed`, from
    StateRepo.changed_paths), optionally only of the resources matching `resource` (a glob) and of
    `kinds`; `read` decodes a version (the site keeps what it decoded)."""
    changes: list[ResourceChange] = []
    for changed_path in changed:
        located = resource_of_path(
            changed_path.path, changed_path.new if changed_path.new is not None else changed_path.old
        )
        if located is None:
            continue
        name, rid = located
        if resource and not resource_glob_matches(resource, rid):
            continue
        if kinds is not None and (TASKS if kind_of(rid) == TASK else kind_of(rid)) not in kinds:
            continue
        # The commit is named with the path: a document that cannot be read is found at once.
        # Both sides as the current format writes them: across the migration of the record to a
        # new format, a document that only changed its format is no change (app/migrate.py).
        path = changed_path.path
        old = (
            read(changed_path.old, f"{path} at {(base or '')[:12]}", rid)
            if changed_path.old is not None
            else None
        )
        new = (
            read(changed_path.new, f"{path} at {target[:12]}", rid) if changed_path.new is not None else None
        )
        change = compare(cluster=name, resource_id=rid, old=old, new=new)
        if change is not None:
            changes.append(change)
    return changes


def report_of(
    changes: list[ResourceChange],
    *,
    base: CommitInfo | None,
    target: CommitInfo,
    tasks: TasksNear,
    log: LogNear,
    label: Label | None,
    classes: frozenset[ChangeClass] | None = None,
) -> ChangeSet:
    """The change report of `changes` between two commits, each guest change attributed from the
    tasks and cluster log recorded at `target` in the files of the days near the window (`tasks`
    and `log` give those a path filter accepts)."""
    changeset = ChangeSet(
        base=commit_ref(base) if base else None,
        target=commit_ref(target),
        resources=tuple(changes),
    )
    if not changes:
        return changeset
    start = _epoch(base) if base else None
    near = _days_of(start, _epoch(target))
    attributed = attribute(
        changeset, tasks(near), log=log(near), label=label, since=start, until=_epoch(target)
    )
    return select(attributed, classes=classes)


def _decoded(
    path: str, resource_id: str, version: tuple[CommitInfo, bytes | None], versions: Versions
) -> Document | None:
    info, content = version
    if content is None:
        return None
    name = f"{path} at {info.sha[:12]}"
    return read_document(content, name=name, resource_id=resource_id, versions=versions)


def resource_log(
    repo: StateRepo, resource_id: str, *, cluster: str | None = None, max_count: int | None = None
) -> list[LogEntry]:
    """Each commit that changed the resource, newest first, with its field-level changes."""
    head = head_of(repo)
    check_readable(repo)
    clusters = [cluster] if cluster else cluster_names(repo, head)
    entries: list[LogEntry] = []
    for name in clusters:
        path = str(document_path(name, resource_id))
        history = repo.file_history(path, max_count=None if max_count is None else max_count + 1)
        # Each version is the new side of one entry and the old side of the next: decoded once, and
        # only in what it changed (yamlio.Versions).
        versions = Versions()
        older: Document | None = None
        for index, (info, _content) in enumerate(history):
            if max_count is not None and index >= max_count:
                break
            new = older if index else _decoded(path, resource_id, history[index], versions)
            old = (
                _decoded(path, resource_id, history[index + 1], versions)
                if index + 1 < len(history)
                else None
            )
            older = old
            change = compare(cluster=name, resource_id=resource_id, old=old, new=new)
            if change is not None:
                before = commit_ref(history[index + 1][0]) if index + 1 < len(history) else None
                entries.append(
                    LogEntry(commit=commit_ref(info), author=info.author_name, change=change, base=before)
                )
    entries.sort(key=lambda e: e.commit.date, reverse=True)
    return entries
