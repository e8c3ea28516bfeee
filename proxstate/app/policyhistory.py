"""What `proxstate check` reads from the history: since when changes are pending, and which snapshot
introduced each violation (`--since`), with who probably made the change."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from proxstate.app.doccache import documents_by_cluster
from proxstate.app.migrate import check_readable
from proxstate.app.record import read_document
from proxstate.app.revisions import commit_ref
from proxstate.diff import ChangeSet, attribute, compare
from proxstate.policy import Introduced, Policy, Settings, Violation, check_documents
from proxstate.resources.documents import decode_document
from proxstate.store import CommitInfo, StateRepo
from proxstate.store.layout import CLUSTERS_DIR, cluster_dir, document_path, resource_of_path

Clusters = dict[str, dict[str, dict[str, Any]]]
# The commit trailer a sync writes for each change it knows the author of (app/commit_message.py):
# `Proxstate-Actor: <login> <resource> <confidence> <source>:<ref>`, or `unattributed <resource>`.
ACTOR_TRAILER = "Proxstate-Actor"


def _epoch(info: CommitInfo) -> float:
    return datetime.fromisoformat(info.committed).timestamp()


def grouped(repo: StateRepo, rev: str, cluster: str | None) -> Clusters:
    """cluster -> resource id -> document, at rev (a commit), through the cache of decoded
    documents (app/doccache.py)."""
    check_readable(repo)
    prefix = f"{cluster_dir(cluster)}/" if cluster else f"{CLUSTERS_DIR}/"
    return documents_by_cluster(repo, rev, prefix)


def pending_since(repo: StateRepo, rev: str, clusters: Clusters) -> dict[tuple[str, str], float]:
    """For each guest with pending changes at rev: the time of the first snapshot of the run of
    snapshots, up to rev, in which it had pending changes.

    One walk back through the commits that changed any of those guests, reading all of them that
    are still open at each commit in one batch: a guest's state at a commit that did not change it
    is its state at the one before, so the first commit of its run is among those visited."""
    open_paths = {
        (cluster, rid): str(document_path(cluster, rid))
        for cluster, documents in clusters.items()
        for rid, document in documents.items()
        if rid.startswith(("qemu/", "lxc/")) and document.get("pending")
    }
    found: dict[tuple[str, str], float] = {}
    if not open_paths:
        return found
    for info in repo.commits(rev_range=rev, paths=sorted(open_paths.values())):
        names = {key: f"{info.sha}:{path}" for key, path in open_paths.items()}
        contents = repo.read_blobs(names.values())
        for key, name in names.items():
            content = contents.get(name)
            document = decode_document(content, mode="tolerant") if content is not None else {}
            if document.get("pending"):
                found[key] = _epoch(info)
            else:
                del open_paths[key]
        if not open_paths:
            break
    return found


def apply_change(
    state: Clusters,
    since: dict[tuple[str, str], float],
    *,
    cluster: str,
    resource_id: str,
    new: dict[str, Any] | None,
    when: float,
) -> None:
    """One document of the next snapshot (None: removed) into `state`, and the start of its
    pending changes into `since` (pending_since's map)."""
    documents = state.setdefault(cluster, {})
    had_pending = bool(documents.get(resource_id, {}).get("pending"))
    if new is None:
        documents.pop(resource_id, None)
    else:
        documents[resource_id] = new
    if not (new or {}).get("pending"):
        since.pop((cluster, resource_id), None)
    elif not had_pending:
        since[(cluster, resource_id)] = when


def replay(
    repo: StateRepo,
    state: Clusters,
    since: dict[tuple[str, str], float],
    *,
    base: str,
    target: str,
    cluster: str | None,
) -> Iterator[CommitInfo]:
    """Each snapshot after `base` up to `target`, oldest first, once its changed documents are
    applied to `state` (the documents at `base`, from grouped) and `since` (pending_since's map):
    the caller looks at the state of each snapshot in turn without reading it whole."""
    previous = base
    prefix = f"{cluster_dir(cluster)}/" if cluster else f"{CLUSTERS_DIR}/"
    for info in reversed(repo.commits(rev_range=f"{base}..{target}")):
        for change in repo.changed_paths(previous, info.sha, prefix=prefix):
            located = resource_of_path(change.path, change.new if change.new is not None else change.old)
            if located is None:
                continue
            name, rid = located
            new = (
                read_document(change.new, name=change.path, resource_id=rid)
                if change.new is not None
                else None
            )
            apply_change(state, since, cluster=name, resource_id=rid, new=new, when=_epoch(info))
        yield info
        previous = info.sha


def introductions(
    repo: StateRepo,
    policy: Policy,
    violations: list[Violation],
    *,
    base: str,
    target: str,
    cluster: str | None,
    now: float,
) -> list[Violation]:
    """The violations with the snapshot after `base` that introduced each (`new=True`), or
    `new=False` for those already there at `base`. Every snapshot between is checked in turn (its
    changed documents applied to the previous state), under the same clock as the check."""
    state = grouped(repo, base, cluster)
    since = pending_since(repo, base, state)

    def found() -> set[tuple[str, str, str]]:
        settings = Settings(now=now, protected_pools=policy.protected_pools, pending_since=since)
        return {v.key for v in check_documents(policy, state, settings=settings)}

    present = found()
    introduced: dict[tuple[str, str, str], CommitInfo] = {}
    for info in replay(repo, state, since, base=base, target=target, cluster=cluster):
        now_present = found()
        for key in now_present - present:
            introduced[key] = info
        for key in present - now_present:
            introduced.pop(key, None)
        present = now_present
    out = []
    actors_by_change: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for violation in violations:
        found_in = introduced.get(violation.key)
        if found_in is None:  # there at `base` already, and ever since
            out.append(dataclasses.replace(violation, new=False))
            continue
        # Several rules broken by one change (a new guest: no backup, firewall off) share its actors.
        asked = (found_in.sha, violation.cluster, violation.resource_id)
        if asked not in actors_by_change:
            actors_by_change[asked] = actors_of(
                repo, found_in, cluster=violation.cluster, resource_id=violation.resource_id
            )
        actors = actors_by_change[asked]
        ref = commit_ref(found_in)
        out.append(
            dataclasses.replace(
                violation,
                new=True,
                introduced=Introduced(sha=ref.sha, date=ref.date, subject=ref.subject, actors=actors),
            )
        )
    return out


def actors_of(repo: StateRepo, info: CommitInfo, *, cluster: str, resource_id: str) -> tuple[str, ...]:
    """Who probably made the change of `resource_id` in the snapshot `info`: the logins the commit's
    actor trailers name for it, and those attribution finds for it again from the record
    (proxstate/diff/attribution.py: PVE's tasks), for snapshots a sync wrote without trailers."""
    actors: list[str] = []
    for entry in info.trailers.get(ACTOR_TRAILER, "").split(", "):
        words = entry.split()
        if len(words) >= 2 and words[0] != "unattributed" and words[1] == resource_id:
            actors.append(words[0])
    parent = info.parents[0] if info.parents else None
    path = str(document_path(cluster, resource_id))
    old_bytes = repo.blob(parent, path) if parent else None
    new_bytes = repo.blob(info.sha, path)
    old = read_document(old_bytes, name=path, resource_id=resource_id) if old_bytes is not None else None
    new = read_document(new_bytes, name=path, resource_id=resource_id) if new_bytes is not None else None
    change = compare(cluster=cluster, resource_id=resource_id, old=old, new=new)
    if change is not None:
        tasks = []
        for task_path, content in repo.read_tree(info.sha, f"{cluster_dir(cluster)}/tasks/").items():
            doc = decode_document(content, mode="tolerant", name=task_path)
            for upid, task in (doc.get("tasks") or {}).items():
                if isinstance(task, dict):
                    tasks.append({**task, "upid": upid})
        parent_time = _epoch(repo.commits(rev_range=parent, max_count=1)[0]) if parent else None
        changeset = ChangeSet(base=None, target=commit_ref(info), resources=(change,))
        attributed = attribute(changeset, tasks, since=parent_time, until=_epoch(info))
        for resource in attributed.resources:
            actors.extend(a.actor for a in resource.attribution if a.actor)
    return tuple(dict.fromkeys(actors))
