"""The guests of `/cluster/resources` that can be recorded, and the entries that cannot.

PVE lists each vmid once (pmxcfs keeps its VM list by vmid), with the type `qemu` or `lxc`. An
answer that lists one vmid twice (on two nodes after a split brain, a stale entry, a proxy that
merges answers) or a guest of a type proxstate does not know (`QEMU`, `openvz`) cannot say which
document is right. Such guests keep their last recorded documents and are named, with what PVE
said, instead of one entry silently replacing the other or the guest being recorded as removed.
"""

from __future__ import annotations

from collections.abc import Iterable

from proxstate.resources.inventory import Payload, ReadFailure
from proxstate.resources.kinds import GUEST_KINDS, LXC
from proxstate.safetext import escape_unsafe

# Types of /cluster/resources that are not guests (PVE 7 to 9).
OTHER_TYPES = frozenset({"node", "storage", "pool", "sdn", "network"})


def _kinds_for(entry_type: str) -> tuple[str, ...]:
    """The recorded kinds an entry of an unknown type may be: the one its name says, or both."""
    lowered = entry_type.lower()
    if lowered in GUEST_KINDS:
        return (lowered,)
    return (LXC,) if lowered == "openvz" else GUEST_KINDS


def guest_conflicts(
    entries: Iterable[Payload], *, kinds: frozenset[str]
) -> tuple[set[int], list[ReadFailure]]:
    """The vmids not to read, and a failure for each guest document they keep, for the guest
    `kinds` asked for."""
    placed: dict[int, list[tuple[str, str]]] = {}  # vmid -> (type, node) as listed
    for entry in entries:
        vmid, entry_type = entry.get("vmid"), entry.get("type")
        if not isinstance(vmid, int) or isinstance(vmid, bool) or not isinstance(entry_type, str):
            continue
        if entry_type in OTHER_TYPES:
            continue
        placed.setdefault(vmid, []).append((entry_type, str(entry.get("node"))))
    skipped: set[int] = set()
    failures: list[ReadFailure] = []
    for vmid, listed in sorted(placed.items()):
        unknown = sorted({t for t, _ in listed if t not in GUEST_KINDS})
        if len(listed) == 1 and not unknown:
            continue
        where = ", ".join(f"{escape_unsafe(t)} on {escape_unsafe(n)}" for t, n in listed)
        if len(listed) > 1:
            reason = f"/cluster/resources lists vmid {vmid} {len(listed)} times ({where}); kept as recorded"
        else:
            reason = f"/cluster/resources lists vmid {vmid} with an unknown type ({where}); kept as recorded"
        rids = {kind for t, _ in listed for kind in _kinds_for(t)} & kinds
        skipped.add(vmid)
        failures += [ReadFailure(resource_id=f"{kind}/{vmid}", reason=reason) for kind in sorted(rids)]
    return skipped, failures


def wanted_guests(
    entries: list[Payload],
    *,
    kinds: frozenset[str],
    nodes: frozenset[str] | None,
    failures: list[ReadFailure] | None,
) -> list[Payload]:
    """The guest entries of the kinds (and on the nodes) asked for. With `failures`, those of a
    conflicting vmid are left out and a failure keeps each of their documents."""
    guests = [
        entry
        for entry in entries
        if entry.get("type") in kinds & set(GUEST_KINDS) and (nodes is None or entry.get("node") in nodes)
    ]
    if failures is None:
        return guests
    conflicting, found = guest_conflicts(entries, kinds=kinds & set(GUEST_KINDS))
    failures += found
    return [entry for entry in guests if entry.get("vmid") not in conflicting]
