"""Which recorded documents keep their last state when a sync did not read them again, and the
one kind whose applied state is only known from the record (node network with pending changes).
Used by proxstate.app.plan."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from proxstate.resources.catalog import GUEST_OWNED_KINDS
from proxstate.resources.documents import Document
from proxstate.resources.ids import ResourceId
from proxstate.resources.kinds import CLUSTER_LOG, CONTENT, GUEST_KINDS, TASKS


@dataclass(kw_only=True)
class Keeps:
    """Whether a recorded document that was not read again keeps its last state."""

    kinds: frozenset[str]
    patterns: list[str]  # failures: globs of resource ids
    unreachable: set[str]
    previous: Mapping[str, Document]
    guests_only: frozenset[str] | None = None  # only these guests were read: the others are kept

    def __call__(self, rid: str, fresh: Collection[str]) -> bool:
        """`fresh`: the resource ids read now (and written)."""
        resource = ResourceId.parse(rid)
        kind = resource.kind
        if kind not in self.kinds or any(fnmatchcase(rid, pattern) for pattern in self.patterns):
            return True
        # A node name or a storage id from a hostile API may hold `/`, so which `/` ends the node
        # is ambiguous: the content of any unreachable node the id can be read as is kept.
        if kind == CONTENT and any(resource.tail.startswith(f"{node}/") for node in self.unreachable):
            return True
        if kind in GUEST_KINDS:
            unread = self.guests_only is not None and rid not in self.guests_only
            return unread or self.previous[rid].get("node") in self.unreachable
        if kind in GUEST_OWNED_KINDS:
            # A guest's firewall and snapshot configs go with the guest's own document: kept when
            # it is kept (it vanished from the list while its node is unreachable), else removed.
            owner = resource.guest
            guest = str(owner) if owner is not None else None
            return guest is not None and guest not in fresh and guest in self.previous and self(guest, fresh)
        return kind in (TASKS, CLUSTER_LOG)


def with_hidden_keys(previous: Document | None, current: Document, keys: tuple[str, ...]) -> Document:
    """A guest read while PVE leaves `keys` out for this login (a container's `env` without
    VM.Config.Options): its recorded values and pending values of them are kept, as nothing says
    they changed."""
    if not previous:
        return current
    merged = dict(current)
    for section in ("config", "pending"):
        before, now = previous.get(section), current.get(section)
        if not isinstance(before, dict):
            continue
        now = now if isinstance(now, dict) else {}
        kept = {key: before[key] for key in keys if key in before and key not in now}
        if kept:
            # In the order the recorded section had, so that an unchanged guest renders unchanged.
            both = {**now, **kept}
            order = [key for key in before if key in both] + [key for key in now if key not in before]
            merged[section] = {key: both[key] for key in order}
    if "pending" in merged and "pending" not in current:
        # A guest document has its pending values right after `config`.
        pending = merged.pop("pending")
        ordered: Document = {}
        for key, value in merged.items():
            ordered[key] = value
            if key == "config":
                ordered["pending"] = pending
        merged = ordered
    return merged


def applied_with_pending(previous: Document | None, current: Document) -> Document:
    """A document read while changes are pending (node network): PVE lists only the pending
    state, so what is applied is what was recorded before; unknown when nothing was."""
    before = previous.get("entries") if previous else None
    if not isinstance(before, dict):
        return current
    merged = {key: value for key, value in current.items() if key != "pending"}
    merged["entries"] = before
    merged["pending"] = current["pending"]
    return merged
