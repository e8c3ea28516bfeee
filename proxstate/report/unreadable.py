"""What could not be read, grouped by cause: one node offline is one line, not one per document.

`pve3 is unreachable (27 documents): qemu/108, qemu/109, lxc/206 and 24 others` names the guests
(what a reviewer looks for first) and counts the rest; `--verbose` and the JSON report list all.
"""

from __future__ import annotations

from dataclasses import dataclass

from proxstate.diff import Unreadable
from proxstate.resources.kinds import GUEST_KINDS, kind_of

GUESTS_NAMED = 10  # past this many guests of one cause, they are counted too


@dataclass(frozen=True)
class UnreadableGroup:
    cluster: str
    reason: str
    resource_ids: tuple[str, ...]

    @property
    def guests(self) -> tuple[str, ...]:
        return tuple(rid for rid in self.resource_ids if kind_of(rid) in GUEST_KINDS)


def group_unreadable(entries: tuple[Unreadable, ...]) -> list[UnreadableGroup]:
    """The entries by cluster and reason, in the order they first appear."""
    groups: dict[tuple[str, str], list[str]] = {}
    for entry in entries:
        groups.setdefault((entry.cluster, entry.reason), []).append(entry.resource_id)
    return [UnreadableGroup(cluster, reason, tuple(ids)) for (cluster, reason), ids in groups.items()]


def group_line(group: UnreadableGroup) -> str:
    """`demo: node pve3 is unreachable (27 documents): qemu/108, qemu/109, lxc/206 and 24 others`;
    one document alone: `demo qemu/108: node pve3 is unreachable` (raw text, not escaped)."""
    ids = group.resource_ids
    if len(ids) == 1:
        return f"{group.cluster} {ids[0]}: {group.reason}"
    named = list(group.guests[:GUESTS_NAMED]) or list(ids[:3])
    rest = len(ids) - len(named)
    listed = ", ".join(named) + (f" and {rest} others" if rest else "")
    return f"{group.cluster}: {group.reason} ({len(ids)} documents): {listed}"
