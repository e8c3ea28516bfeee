"""`proxstate blame RESOURCE [FIELD]`: for each recorded field of a resource, the snapshot that last
changed it and who made that change (like `git blame`, at the granularity of settings).

The resource's history (the commits that changed its file, newest first) is compared commit by
commit (`diff.compare`) until every field has found the commit that last changed it; a field the
oldest snapshot already had was set then. Who made it is attributed as show-changes does, from the
tasks and cluster log recorded at that commit, in the window since its parent commit
(docs/attribution.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from proxstate.app.actorlabels import Label, actor_labels
from proxstate.app.record import document_of, read_document
from proxstate.app.revisions import commit_info, commit_ref
from proxstate.diff import (
    Attribution,
    ChangeSet,
    CommitRef,
    ResourceChange,
    attribute,
    compare,
    differing_paths,
    may_concern,
)
from proxstate.errors import RevisionError
from proxstate.resources.documents import Document, decode_document
from proxstate.store import CommitInfo, StateRepo
from proxstate.store.layout import cluster_dir
from proxstate.yamlio import Versions


@dataclass(frozen=True, kw_only=True)
class BlameLine:
    path: str  # dotted, as reports name fields: config.memory
    value: Any
    commit: CommitRef  # the snapshot that last changed it
    attribution: tuple[Attribution, ...]  # who made that change, as far as PVE recorded it


@dataclass(frozen=True, kw_only=True)
class Blame:
    cluster: str
    resource_id: str
    lines: tuple[BlameLine, ...]


def _leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Each field of a document: mappings are walked, anything else (a list too) is one value."""
    if isinstance(value, Mapping) and value:
        for key, item in value.items():
            yield from _leaves(item, f"{prefix}.{key}" if prefix else str(key))
    elif prefix:
        yield prefix, value


def _related(leaf: str, path: str) -> bool:
    """Whether a change at `path` changed the field `leaf` (the same, above it, or inside it)."""
    return leaf == path or leaf.startswith(f"{path}.") or path.startswith((f"{leaf}.", f"{leaf}["))


def _selected(leaves: dict[str, Any], field: str | None, resource_id: str) -> dict[str, Any]:
    if field is None:
        return leaves
    for wanted in (field, f"config.{field}"):  # `memory` is config.memory, as `qm set --memory`
        found = {
            path: value for path, value in leaves.items() if path == wanted or path.startswith(f"{wanted}.")
        }
        if found:
            return found
    raise RevisionError(f"{resource_id} has no field {field!r} (the fields: proxstate show {resource_id})")


def blame(
    repo: StateRepo, resource_id: str, *, field: str | None = None, cluster: str | None = None
) -> Blame:
    """The last change of each field of the resource's recorded document at HEAD."""
    recorded = document_of(repo, resource_id, rev=None, cluster=cluster)
    open_leaves = _selected(dict(_leaves(recorded.document)), field, resource_id)
    values = dict(open_leaves)
    history = repo.file_history(recorded.path)
    found: dict[str, tuple[int, ResourceChange | None]] = {}
    # Each version is the new side of one comparison and the old side of the next: decoded once, and
    # only in what it changed (yamlio.Versions).
    versions = Versions()
    new: Document | None = None
    for index, (info, content) in enumerate(history):
        if not open_leaves or content is None:
            break
        if new is None:
            new = read_document(
                content, name=f"{recorded.path} at {info.short}", resource_id=resource_id, versions=versions
            )
        older = history[index + 1][1] if index + 1 < len(history) else None
        old = (
            read_document(
                older, name=f"{recorded.path} before {info.short}", resource_id=resource_id, versions=versions
            )
            if older
            else None
        )
        if old is not None and new is not None and not may_concern(open_leaves, differing_paths(old, new)):
            new = old  # a change of fields that all found theirs already: no need to compare
            continue
        change = compare(cluster=recorded.cluster, resource_id=resource_id, old=old, new=new)
        for leaf in list(open_leaves):
            if old is None or (change is not None and any(_related(leaf, f.path) for f in change.fields)):
                found[leaf] = (index, change)
                del open_leaves[leaf]
        new = old
    labels = actor_labels(repo.root)
    attributed: dict[int, tuple[Attribution, ...]] = {}
    lines = []
    for leaf, (index, change) in found.items():
        info = history[index][0]
        if index not in attributed:
            attributed[index] = _attributions(repo, recorded.cluster, info, change, labels)
        explains = tuple(
            a for a in attributed[index] if not a.fields or any(_related(leaf, path) for path in a.fields)
        )
        if change is not None and change.action == "added":
            # Recorded for the first time: an author only when a task created it in that window.
            explains = tuple(a for a in explains if a.actor)
        lines.append(BlameLine(path=leaf, value=values[leaf], commit=commit_ref(info), attribution=explains))
    order = list(values)
    lines.sort(key=lambda line: order.index(line.path))
    return Blame(cluster=recorded.cluster, resource_id=resource_id, lines=tuple(lines))


def _attributions(
    repo: StateRepo, cluster: str, info: CommitInfo, change: ResourceChange | None, labels: Label | None
) -> tuple[Attribution, ...]:
    if change is None:
        return ()
    until = datetime.fromisoformat(info.committed)
    since = datetime.fromisoformat(commit_info(repo, info.parents[0]).committed) if info.parents else None
    tasks, log = _history_at(repo, info.sha, cluster, since=since, until=until)
    window = ChangeSet(base=None, target=None, resources=(change,))
    start = since.timestamp() if since else None
    result = attribute(window, tasks, log=log, since=start, until=until.timestamp(), label=labels)
    return result.resources[0].attribution


def _history_at(
    repo: StateRepo, rev: str, cluster: str, *, since: datetime | None, until: datetime
) -> tuple[list[dict[str, Any]], list[tuple[str, Mapping[str, Any]]]]:
    """The tasks and cluster log entries recorded at rev, of the days the window touches."""
    first = (since or until - timedelta(days=3650)).astimezone(UTC).date()
    days = {str(first + timedelta(days=n)) for n in range((until.astimezone(UTC).date() - first).days + 1)}
    tasks: list[dict[str, Any]] = []
    log: list[tuple[str, Mapping[str, Any]]] = []
    root = cluster_dir(cluster)

    for folder in ("tasks", "cluster-log"):
        for path, content in sorted(_day_files(repo, rev, f"{root}/{folder}", days).items()):
            doc = decode_document(content, mode="tolerant", name=path) if content else {}
            if folder == "tasks" and isinstance(doc.get("tasks"), dict):
                tasks += [{**t, "upid": upid} for upid, t in doc["tasks"].items() if isinstance(t, dict)]
            elif isinstance(doc.get("entries"), dict):
                log += [(str(key), e) for key, e in doc["entries"].items() if isinstance(e, dict)]
    return tasks, log


# A window of up to two months is read file by file; a longer one (the first snapshot's reaches back
# ten years) lists the folder instead.
_FEW_DAYS = 62


def _day_files(repo: StateRepo, rev: str, folder: str, days: set[str]) -> dict[str, bytes]:
    """The files of `days` in a folder of files of one day (`cluster-log/<day>.yaml`) or of folders
    of them (`tasks/<node>/<day>.yaml`). After a year of syncs `tasks/` holds 365 files a node:
    the few of a short window are named rather than found in a listing of them all."""
    if len(days) > _FEW_DAYS:
        return repo.read_tree(
            rev, f"{folder}/", only=lambda path: path.rsplit("/", 1)[-1].removesuffix(".yaml") in days
        )
    names = [f"{folder}/{day}.yaml" for day in sorted(days)]
    names += [f"{folder}/{sub}/{day}.yaml" for sub in repo.folders(rev, folder) for day in sorted(days)]
    return repo.read_files(rev, names)


__all__ = ["Blame", "BlameLine", "blame"]
