"""Change reports from the record: show-changes (two snapshots), log (one resource over time).

Git says which files changed between two commits; only those documents are loaded and compared, so
the cost grows with the size of the change, not of the cluster.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from proxstate.app.actorlabels import actor_labels, recorded_log
from proxstate.app.migrate import check_readable
from proxstate.app.record import cluster_names, read_document
from proxstate.app.revisions import commit_info, commit_ref, head_of, window_of
from proxstate.diff import ChangeClass, ChangeSet, LogEntry, ResourceChange, attribute, compare, select
from proxstate.resources.documents import Document, decode_document
from proxstate.resources.kinds import TASK, TASKS, kind_of
from proxstate.store import CommitInfo, StateRepo
from proxstate.store.layout import (
    CLUSTERS_DIR,
    cluster_dir,
    document_path,
    resource_glob_matches,
    resource_of_path,
)


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
            doc = decode_document(content, mode="strict", name=path)
            for upid, task in (doc.get("tasks") or {}).items():
                if isinstance(task, dict):
                    tasks.append({**task, "upid": upid})
    return tasks


def _epoch(info: CommitInfo) -> float:
    return datetime.fromisoformat(info.committed).timestamp()


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
    changes: list[ResourceChange] = []
    for changed in repo.changed_paths(window.base, window.target, prefix=prefix):
        located = resource_of_path(changed.path, changed.new if changed.new is not None else changed.old)
        if located is None:
            continue
        name, rid = located
        if resource and not resource_glob_matches(resource, rid):
            continue
        if kinds is not None and (TASKS if kind_of(rid) == TASK else kind_of(rid)) not in kinds:
            continue
        # The commit is named with the path: a document that cannot be read is found at once.
        base = (window.base or "")[:12]
        # Both sides as the current format writes them: across the migration of the record to a
        # new format, a document that only changed its format is no change (app/migrate.py).
        old = (
            read_document(changed.old, name=f"{changed.path} at {base}", resource_id=rid)
            if changed.old is not None
            else None
        )
        new = (
            read_document(changed.new, name=f"{changed.path} at {window.target[:12]}", resource_id=rid)
            if changed.new is not None
            else None
        )
        change = compare(cluster=name, resource_id=rid, old=old, new=new)
        if change is not None:
            changes.append(change)
    target_info = commit_info(repo, window.target)
    base_info = commit_info(repo, window.base) if window.base else None
    changeset = ChangeSet(
        base=commit_ref(base_info) if base_info else None,
        target=commit_ref(target_info),
        resources=tuple(changes),
    )
    if not changes:
        return changeset
    start = _epoch(base_info) if base_info else None
    near = _days_of(start, _epoch(target_info))
    tasks = _recorded_tasks(repo, window.target, cluster, only=near)
    clusters = [cluster] if cluster else cluster_names(repo, window.target)
    log = recorded_log(repo, window.target, clusters, only=near)
    attributed = attribute(
        changeset, tasks, log=log, label=actor_labels(repo.root), since=start, until=_epoch(target_info)
    )
    return select(attributed, classes=classes)


def _decoded(path: str, resource_id: str, version: tuple[CommitInfo, bytes | None]) -> Document | None:
    info, content = version
    if content is None:
        return None
    return read_document(content, name=f"{path} at {info.sha[:12]}", resource_id=resource_id)


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
        # Each version is the new side of one entry and the old side of the next: decoded once.
        older: Document | None = None
        for index, (info, _content) in enumerate(history):
            if max_count is not None and index >= max_count:
                break
            new = older if index else _decoded(path, resource_id, history[index])
            old = _decoded(path, resource_id, history[index + 1]) if index + 1 < len(history) else None
            older = old
            change = compare(cluster=name, resource_id=resource_id, old=old, new=new)
            if change is not None:
                before = commit_ref(history[index + 1][0]) if index + 1 < len(history) else None
                entries.append(
                    LogEntry(commit=commit_ref(info), author=info.author_name, change=change, base=before)
                )
    entries.sort(key=lambda e: e.commit.date, reverse=True)
    return entries
