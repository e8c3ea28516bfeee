"""Which recorded documents keep their last state when a sync did not read them again, and the
one kind whose applied state is only known from the record (node network with pending changes).
Used by proxstate.plan."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from proxstate.catalog import ENTRIES

Document = dict[str, Any]
# The kinds of documents that belong to one guest (`guest-firewall/qemu/101/rules`).
GUEST_OWNED_KINDS = frozenset(entry.kind for entry in ENTRIES if entry.scope == "guest")


def kind_of(resource_id: str) -> str:
    return resource_id.split("/", 1)[0]


@dataclass(kw_only=True)
class Keeps:
    """Whether a recorded document that was not read again keeps its last state."""

    kinds: frozenset[str]
    patterns: list[str]  # failures: globs of resource ids
    unreachable: set[str]
    previous: Mapping[str, Document]

    def __call__(self, rid: str, fresh: Mapping[str, Document]) -> bool:
        kind = kind_of(rid)
        if kind not in self.kinds or any(fnmatchcase(rid, pattern) for pattern in self.patterns):
            return True
        if kind == "content" and rid.split("/")[1] in self.unreachable:
            return True
        if kind in ("qemu", "lxc"):
            return self.previous[rid].get("node") in self.unreachable
        if kind in GUEST_OWNED_KINDS:
            # A guest's firewall and snapshot configs go with the guest's own document: kept when
            # it is kept (it vanished from the list while its node is unreachable), else removed.
            guest = "/".join(rid.split("/")[1:3])
            return guest not in fresh and guest in self.previous and self(guest, fresh)
        return kind == "tasks"


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
