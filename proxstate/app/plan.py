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

from proxstate.app.keeps import Keeps
from proxstate.app.withrecord import with_record
from proxstate.config import ProxstateConfig
from proxstate.diff import ResourceChange, compare
from proxstate.discovery import hidden_keys_note, own_entries_note
from proxstate.errors import DepthError
from proxstate.normalize import Detection, NormalizeOptions, document_makers, made_document
from proxstate.normalize.values import natural_key
from proxstate.resources.documents import Document, decode_document, encode_document
from proxstate.resources.inventory import Inventory, ReadFailure
from proxstate.resources.kinds import kind_of
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
    current: Mapping[str, Document]  # the documents written or compared now (EncodedDocuments)
    kept: frozenset[str] = frozenset()  # recorded documents kept byte for byte (not read again)
    files: dict[str, bytes | None]  # path -> new content, or None to remove; only what changes
    changes: list[ResourceChange]
    failures: list[ReadFailure]
    # What the login may not read by design and nothing of which is recorded: named, not a failure.
    not_permitted: list[ReadFailure] = field(default_factory=list)
    unreachable_nodes: list[str] = field(default_factory=list)
    pve_version: str = ""
    detections: list[Detection] = field(default_factory=list)  # what the secret detector masked


class EncodedDocuments(Mapping[str, Document]):
    """Documents by resource id, held as their recorded bytes and decoded each time one is looked
    at: what a sync writes is kept once, encoded (about 800 bytes a guest, a tenth of the mapping)."""

    def __init__(self, raw: dict[str, bytes]) -> None:
        self.raw = raw

    def __getitem__(self, rid: str) -> Document:
        # A file that does not load is replaced by what the cluster says now.
        return decode_document(self.raw[rid], mode="tolerant")

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)


class RecordedDocuments(EncodedDocuments):
    """The recorded documents of one cluster by resource id, parsed only when looked at, once.

    A sync compares the new rendering with the recorded bytes first; most documents are unchanged
    and are never parsed.
    """

    def __init__(self, raw: dict[str, bytes]) -> None:
        super().__init__(raw)
        self._parsed: dict[str, Document] = {}

    def __getitem__(self, rid: str) -> Document:
        if rid not in self._parsed:
            self._parsed[rid] = super().__getitem__(rid)
        return self._parsed[rid]


def load_documents(cluster: str, files: Mapping[str, bytes]) -> RecordedDocuments:
    """Recorded documents of one cluster by resource id (with their exact bytes in `.raw`)."""
    raw: dict[str, bytes] = {}
    for path, content in files.items():
        located = resource_of_path(path, content)
        if located is not None and located[0] == cluster:
            raw[located[1]] = content
    return RecordedDocuments(raw)


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


def plan_cluster(
    inventory: Inventory,
    previous_files: Mapping[str, bytes],
    *,
    options: NormalizeOptions,
    selection: Selection | None = None,
    consume: bool = False,
) -> ClusterPlan:
    """The plan of one cluster's record after `inventory` was read.

    Each document is made, encoded and compared in turn, and only its bytes are kept (in `files`,
    in `current`, and in an added or removed resource's change): the mappings of a first sync of
    15,000 guests would be alive all at once otherwise. With `consume` (the caller has no use for
    the inventory after), the inventory's answers are let go as their documents are made, so that
    the plan's bytes take the place of the answers instead of adding to them.
    """
    cluster = inventory.cluster.name
    selection = selection or Selection()
    previous = load_documents(cluster, previous_files)
    makers = {
        rid: make for rid, make in document_makers(inventory, options=options).items() if selection.wants(rid)
    }
    failures, not_permitted = _lost_privileges(inventory.failures, previous, selection)
    failed = [f.resource_id for f in failures if not f.unseen_only]
    unseen = [f.resource_id for f in failures if f.unseen_only]
    unreachable = {n.name: n.unreachable for n in inventory.nodes if n.unreachable}
    # Without node documents (`--only qemu`), the failures still say which nodes were unreachable.
    named = {f.node for f in inventory.failures if f.node_unreachable and f.node is not None}
    unreachable_nodes = sorted(set(unreachable) | named)
    hidden = {f"{g.kind}/{g.vmid}": g.hidden for g in inventory.guests if g.hidden}
    not_permitted += [
        # A guest's document always holds something (its identity): made is written.
        hidden_keys_note(kind)
        for kind in sorted({kind_of(rid) for rid in hidden if rid in makers})
    ] + ([own_entries_note()] if inventory.cluster_log_own_only else [])

    if consume:
        _let_go(inventory)
    detections: list[Detection] = []
    fresh: set[str] = set()  # what was read and holds something
    kept: set[str] = set()  # recorded documents kept byte for byte (not read again, or failed)
    current: dict[str, bytes] = {}  # the encoded documents written or compared now
    written: list[tuple[str, bytes | None, ResourceChange | None]] = []  # (resource id, file, change)
    too_deep: list[ReadFailure] = []
    for rid in list(makers):
        # Popped: the answers a document is made from go with it when nothing else holds them.
        made = made_document(rid, makers.pop(rid), options=options, detections=detections)
        if made is None:
            continue
        fresh.add(rid)
        doc = with_record(rid, made, previous, failed=failed, unreachable=unreachable, hidden=hidden)
        if doc is None:
            kept.add(rid)
            continue
        path = document_file(cluster, rid)
        try:
            # A document filed under a hashed name starts with the line that names it.
            rendered = encode_document(doc, header=document_header(cluster, rid, path))
        except DepthError as exc:
            # Too deep to write, or to read back: a failure of this resource, kept as it was.
            too_deep.append(ReadFailure(resource_id=rid, reason=exc.message))
            if rid in previous:
                kept.add(rid)
            continue
        recorded = previous.raw.get(rid)
        if recorded == rendered:
            current[rid] = recorded  # the recorded bytes: one copy of an unchanged document
            continue
        current[rid] = rendered
        change = compare(cluster=cluster, resource_id=rid, old=previous.get(rid), new=doc, encoded=rendered)
        written.append((rid, rendered, change))
    for rid in _gone(
        inventory, previous, fresh=fresh, kept=kept, patterns=failed + unseen, unreachable=unreachable
    ):
        old, raw = previous[rid], previous.raw[rid]
        written.append((rid, None, compare(cluster=cluster, resource_id=rid, old=old, new=None, encoded=raw)))
    written.sort(key=lambda entry: entry[0])
    failures += sorted(too_deep, key=lambda failure: failure.resource_id)
    return ClusterPlan(
        cluster=cluster,
        previous=previous,
        current=EncodedDocuments({rid: current[rid] for rid in sorted(current, key=natural_key)}),
        kept=frozenset(kept),
        files={document_file(cluster, rid): content for rid, content, _ in written},
        changes=[change for _, _, change in written if change is not None],
        failures=failures,
        not_permitted=not_permitted,
        unreachable_nodes=unreachable_nodes,
        pve_version=str(inventory.cluster.version.get("version", "")),
        detections=[d for d in detections if d.resource_id in current],
    )


def _gone(
    inventory: Inventory,
    previous: RecordedDocuments,
    *,
    fresh: set[str],
    kept: set[str],
    patterns: list[str],
    unreachable: Mapping[str, object],
) -> list[str]:
    """The recorded resources that were not read again and are gone from the cluster; those that
    keep their last state instead are added to `kept`, byte for byte (not parsed or rendered again)."""
    keeps = Keeps(
        kinds=inventory.kinds,
        patterns=patterns,
        unreachable=set(unreachable),
        previous=previous,
        guests_only=inventory.guests_only,
    )
    gone: list[str] = []
    for rid in previous:
        if rid in fresh or rid in kept:
            continue
        if keeps(rid, fresh):
            kept.add(rid)
        else:
            gone.append(rid)
    return gone


def _let_go(inventory: Inventory) -> None:
    """Drop the inventory's answers that documents are made from: its makers hold them now
    (normalize.document_makers), each until its document is made. What the plan reads of the
    inventory after this is its failures, its kinds, its nodes' reachability and the cluster."""
    inventory.guests = []
    inventory.storages = []
    inventory.contents = []
    inventory.declared = []
    inventory.tasks = {}
    inventory.task_logs = {}
    inventory.running_tasks = {}
    if inventory.cluster_log is not None:
        inventory.cluster_log = []
