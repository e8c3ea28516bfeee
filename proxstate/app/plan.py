"""The recorded tree of one cluster after a discovery: what to write, what to keep, what to remove.

Shared by sync (which commits the plan) and drift (which only compares it), so both see the cluster
through exactly the same rules:

- a kind that was not read keeps its files;
- a resource that could not be read keeps its last document (failure ids may be globs such as
  `storage/*`), and so do the guests and content of a node that could not be reached;
- what a login may not see (a failure that is `unseen_only`) keeps its last document when it is
  not listed; what is listed is recorded;
- what a login may not read by design (a privilege beyond PVEAuditor) was not read: it is named,
  and a failure only when something of it was recorded before (the privilege was lost);
- an unreachable node keeps its last facts, with `status: unreachable` and the reason;
- a node network read while changes are pending keeps its recorded `entries` (what is applied)
  beside the pending ones;
- config keys PVE leaves out for this login (a container's `env` without VM.Config.Options) keep
  their recorded values, and the summary names the privilege once;
- a guest's firewall and snapshot-config documents are kept exactly when the guest's own is;
- tasks and the cluster log are history: a day's document is the union of what was recorded and
  what was read, and days that fall out of the read window (or PVE's ring buffer) keep their files;
- anything else that is recorded but was not read again is gone from the cluster and is removed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from typing import Any

from proxstate.app.keeps import Keeps, applied_with_pending, with_hidden_keys
from proxstate.config import ProxstateConfig
from proxstate.diff import ResourceChange, compare
from proxstate.discovery import hidden_keys_note, own_entries_note
from proxstate.errors import DepthError
from proxstate.normalize import Detection, NormalizeOptions, normalize_inventory
from proxstate.normalize.clusterlog import merge_log_documents
from proxstate.resources.documents import Document, decode_document, encode_document
from proxstate.resources.inventory import Inventory, ReadFailure
from proxstate.resources.kinds import CLUSTER_LOG, NODE, STORAGE, TASKS, kind_of
from proxstate.store.layout import document_file, document_header, resource_glob_matches, resource_of_path


@dataclass(kw_only=True)
class Selection:
    """Which resource ids are recorded at all (proxstate.yaml `record.include` / `exclude`)."""

    include: tuple[str, ...] = ("*",)
    exclude: tuple[str, ...] = ()

    @classmethod
    def of(cls, config: ProxstateConfig) -> Selection:
        return cls(include=tuple(config.record.include), exclude=tuple(config.record.exclude))

    def wants(self, resource_id: str) -> bool:
        if not any(resource_glob_matches(p, resource_id) for p in self.include):
            return False
        return not any(resource_glob_matches(p, resource_id) for p in self.exclude)


@dataclass(kw_only=True)
class ClusterPlan:
    cluster: str
    previous: Mapping[str, Document]  # as recorded before (parsed on access)
    current: dict[str, Document]  # the documents written or compared now
    kept: frozenset[str] = frozenset()  # recorded documents kept byte for byte (not read again)
    files: dict[str, bytes | None]  # path -> new content, or None to remove; only what changes
    changes: list[ResourceChange]
    failures: list[ReadFailure]
    # What the login may not read by design and nothing of which is recorded: named, not a failure.
    not_permitted: list[ReadFailure] = field(default_factory=list)
    unreachable_nodes: list[str] = field(default_factory=list)
    pve_version: str = ""
    detections: list[Detection] = field(default_factory=list)  # what the secret detector masked


class RecordedDocuments(Mapping[str, Document]):
    """The recorded documents of one cluster by resource id, parsed only when looked at.

    A sync compares the new rendering with the recorded bytes first; most documents are unchanged
    and are never parsed.
    """

    def __init__(self, raw: dict[str, bytes]) -> None:
        self.raw = raw
        self._parsed: dict[str, Document] = {}

    def __getitem__(self, rid: str) -> Document:
        if rid not in self._parsed:
            # A file that does not load is replaced by what the cluster says now.
            self._parsed[rid] = decode_document(self.raw[rid], mode="tolerant")
        return self._parsed[rid]

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)


def load_documents(cluster: str, files: Mapping[str, bytes]) -> RecordedDocuments:
    """Recorded documents of one cluster by resource id (with their exact bytes in `.raw`)."""
    raw: dict[str, bytes] = {}
    for path, content in files.items():
        located = resource_of_path(path, content)
        if located is not None and located[0] == cluster:
            raw[located[1]] = content
    return RecordedDocuments(raw)


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


def _lost_privileges(
    failures: list[ReadFailure], previous: Mapping[str, Document], selection: Selection
) -> tuple[list[ReadFailure], list[ReadFailure]]:
    """(failures, not permitted by design): what the login may not read by design is a failure only
    when something of it was recorded before, that is when the privilege was lost; then it keeps
    its last state like any other failure."""
    kept: list[ReadFailure] = []
    by_design: list[ReadFailure] = []
    for failure in failures:
        if not failure.by_design:
            kept.append(failure)
        elif not selection.wants(failure.resource_id):
            continue  # excluded in proxstate.yaml: nothing to say, and its files go
        elif any(fnmatchcase(rid, failure.resource_id) for rid in previous):
            reason = (
                f"{failure.reason}, which this login lacks; it was recorded before "
                f"(grant the privilege, or exclude {failure.resource_id} in record.exclude)"
            )
            kept.append(replace(failure, reason=reason, by_design=False))
        else:
            by_design.append(failure)
    return kept, by_design


def _fresh(
    inventory: Inventory, options: NormalizeOptions, selection: Selection
) -> tuple[dict[str, Document], list[Detection]]:
    """The selected documents of what was read, and what the secret detector masked in them."""
    detections: list[Detection] = []
    documents = normalize_inventory(inventory, options=options, detections=detections)
    return {rid: doc for rid, doc in documents.items() if selection.wants(rid)}, detections


def plan_cluster(
    inventory: Inventory,
    previous_files: Mapping[str, bytes],
    *,
    options: NormalizeOptions,
    selection: Selection | None = None,
) -> ClusterPlan:
    cluster = inventory.cluster.name
    selection = selection or Selection()
    previous = load_documents(cluster, previous_files)
    fresh, detections = _fresh(inventory, options, selection)
    failures, not_permitted = _lost_privileges(inventory.failures, previous, selection)
    failed = [f.resource_id for f in failures if not f.unseen_only]
    unseen = [f.resource_id for f in failures if f.unseen_only]
    unreachable = {n.name: n.unreachable for n in inventory.nodes if n.unreachable}
    # Without node documents (`--only qemu`), the failures still say which nodes were unreachable.
    named = {f.node for f in inventory.failures if f.node_unreachable and f.node is not None}
    unreachable_nodes = sorted(set(unreachable) | named)
    hidden = {f"{g.kind}/{g.vmid}": g.hidden for g in inventory.guests if g.hidden}
    not_permitted += [
        hidden_keys_note(kind) for kind in sorted({kind_of(rid) for rid in hidden if rid in fresh})
    ] + ([own_entries_note()] if inventory.cluster_log_own_only else [])

    # Kept documents stay byte for byte as recorded; they are not parsed or rendered again.
    keeps = Keeps(
        kinds=inventory.kinds,
        patterns=failed + unseen,
        unreachable=set(unreachable),
        previous=previous,
        guests_only=inventory.guests_only,
    )
    kept = {rid for rid in previous if rid not in fresh and keeps(rid, fresh)}
    current: dict[str, Document] = {}
    for rid, doc in fresh.items():
        if kind_of(rid) == NODE and doc.get("name") in unreachable:
            current[rid] = _unreachable_node(previous.get(rid), doc, str(unreachable[doc["name"]]))
        elif any(fnmatchcase(rid, pattern) for pattern in failed) and rid in previous:
            kept.add(rid)
        elif kind_of(rid) in (TASKS, CLUSTER_LOG):
            current[rid] = _merge_history(rid, previous.get(rid), doc)
        elif rid in hidden:
            current[rid] = with_hidden_keys(previous.get(rid), doc, hidden[rid])
        elif "pending" in doc and "entries" not in doc:
            current[rid] = applied_with_pending(previous.get(rid), doc)
        elif kind_of(rid) == STORAGE and unreachable:
            current[rid] = _storage_with_unreachable_nodes(previous.get(rid), doc, set(unreachable))
        else:
            current[rid] = doc

    files: dict[str, bytes | None] = {}
    changes: list[ResourceChange] = []
    for rid in sorted((set(previous) | set(current)) - kept):
        path = document_file(cluster, rid)
        new_doc = current.get(rid)
        if new_doc is None:
            files[path] = None
        else:
            try:
                # A document filed under a hashed name starts with the line that names it.
                rendered = encode_document(new_doc, header=document_header(cluster, rid, path))
            except DepthError as exc:
                # Too deep to write, or to read back: a failure of this resource, kept as it was.
                failures.append(ReadFailure(resource_id=rid, reason=exc.message))
                del current[rid]
                if rid in previous:
                    kept.add(rid)
                continue
            if previous.raw.get(rid) == rendered:
                continue
            files[path] = rendered
        change = compare(cluster=cluster, resource_id=rid, old=previous.get(rid), new=new_doc)
        if change is not None:
            changes.append(change)
    return ClusterPlan(
        cluster=cluster,
        previous=previous,
        current=current,
        kept=frozenset(kept),
        files=files,
        changes=changes,
        failures=failures,
        not_permitted=not_permitted,
        unreachable_nodes=unreachable_nodes,
        pve_version=str(inventory.cluster.version.get("version", "")),
        detections=[d for d in detections if d.resource_id in current],
    )
