"""What a document read now takes from the record (proxstate.app.plan): the days of tasks and of the
cluster log are unions, an unreachable node keeps its last facts, a storage the state of its
unreachable nodes, a guest the config keys this login may not see, a node network its applied
entries beside the pending ones."""

from __future__ import annotations

from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

from proxstate.app.keeps import applied_with_pending, with_hidden_keys
from proxstate.normalize.clusterlog import merge_log_documents
from proxstate.resources.documents import Document
from proxstate.resources.kinds import CLUSTER_LOG, NODE, STORAGE, TASKS, kind_of


def with_record(
    rid: str,
    doc: Document,
    previous: Mapping[str, Document],
    *,
    failed: list[str],
    unreachable: Mapping[str, object],
    hidden: Mapping[str, tuple[str, ...]],
) -> Document | None:
    """The document to record for what was read now, with what only the record knows; None when
    the recorded one is kept instead (its read failed)."""
    if kind_of(rid) == NODE and doc.get("name") in unreachable:
        return _unreachable_node(previous.get(rid), doc, str(unreachable[doc["name"]]))
    if any(fnmatchcase(rid, pattern) for pattern in failed) and rid in previous:
        return None
    if kind_of(rid) in (TASKS, CLUSTER_LOG):
        return _merge_history(rid, previous.get(rid), doc)
    if rid in hidden:
        return with_hidden_keys(previous.get(rid), doc, hidden[rid])
    if "pending" in doc and "entries" not in doc:
        return applied_with_pending(previous.get(rid), doc)
    if kind_of(rid) == STORAGE and unreachable:
        return _storage_with_unreachable_nodes(previous.get(rid), doc, set(unreachable))
    return doc


def _merge_tasks(previous: Document | None, current: Document) -> Document:
    if not previous or not isinstance(previous.get("tasks"), dict):
        return current
    tasks = dict(previous["tasks"])
    for upid, task in (current.get("tasks") or {}).items():
        before = tasks.get(upid)
        # A task's log is read only by `sync --task-logs`: a sync without it keeps the log recorded.
        if isinstance(before, dict) and "log" in before and isinstance(task, dict) and "log" not in task:
            tasks[upid] = {**task, "log": before["log"]}
        else:
            tasks[upid] = task
    ordered = sorted(tasks.items(), key=lambda item: (_starttime(item[1]), item[0]))
    return {**current, "tasks": dict(ordered)}


def _merge_history(rid: str, previous: Document | None, current: Document) -> Document:
    """A day of tasks or of the cluster log: what was recorded, and what was read now."""
    return (_merge_tasks if kind_of(rid) == TASKS else merge_log_documents)(previous, current)


def _starttime(task: Any) -> int:
    value = task.get("starttime") if isinstance(task, dict) else None
    return value if isinstance(value, int) else 0


def _unreachable_node(previous: Document | None, current: Document, reason: str) -> Document:
    if not previous:
        return current
    merged = {key: value for key, value in previous.items() if key != "unreachable"}
    merged["status"] = "unreachable"
    merged["unreachable"] = reason
    return merged


def _storage_with_unreachable_nodes(
    previous: Document | None, current: Document, unreachable: set[str]
) -> Document:
    """A storage keeps the last known state of its nodes that could not be asked."""
    before = previous.get("nodes") if previous else None
    now = current.get("nodes")
    if not isinstance(before, dict) or not isinstance(now, dict):
        return current
    kept = {node: state for node, state in before.items() if node in unreachable and node not in now}
    if not kept:
        return current
    return {**current, "nodes": dict(sorted({**now, **kept}.items()))}
