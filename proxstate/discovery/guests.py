"""The guests: which entries of `/cluster/resources` can be recorded, and each guest's read.

Per guest that is one call, `pending` (it returns every config key with its current value and any
pending one, so it serves as the config too), plus `snapshot` only when the config names a snapshot
(`parent`); a container also has its `config` read, for the raw `lxc.*` lines `pending` leaves out.
A guest whose node is unreachable is not read and keeps its last state.

PVE lists each vmid once (pmxcfs keeps its VM list by vmid), with the type `qemu` or `lxc`. An
answer that lists one vmid twice (on two nodes after a split brain, a stale entry, a proxy that
merges answers) or a guest of a type proxstate does not know (`QEMU`, `openvz`) cannot say which
document is right. Such guests keep their last recorded documents and are named, with what PVE
said, instead of one entry silently replacing the other or the guest being recorded as removed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable

from proxstate.discovery.privileges import hidden_keys
from proxstate.discovery.reader import Reader
from proxstate.discovery.workers import together
from proxstate.resources.inventory import GuestKind, Payload, RawGuest, ReadFailure
from proxstate.resources.kinds import GUEST_KINDS, LXC, QEMU
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


def guests_to_read(
    reader: Reader, entries: list[Payload], *, reachable: set[str], unreachable: set[str]
) -> list[Payload]:
    """The guest entries asked for. With guest details, a conflicting vmid (see above) and each guest
    on a node that is not reachable get a failure that keeps their documents."""
    options = reader.options
    failures = reader.failures if options.guest_details else None
    guests = wanted_guests(entries, kinds=options.kinds, nodes=options.nodes, failures=failures)
    if options.guests is not None:  # a watch's burst: the guests that may have changed
        guests = [entry for entry in guests if f"{entry.get('type')}/{entry.get('vmid')}" in options.guests]
    for entry in guests:
        # Listing guests needs no per-guest call, so an unreachable node hides nothing then.
        node = entry.get("node")
        if node not in reachable and options.guest_details:
            known = node in unreachable
            reader.failures.append(
                ReadFailure(
                    resource_id=f"{entry['type']}/{entry['vmid']}",
                    reason=f"node {node} is unreachable"
                    if known
                    else f"its node {node!r} is not among the nodes /cluster/resources lists",
                    node_unreachable=known,
                    node=str(node) if known else None,
                )
            )
    return guests


async def read_guests(reader: Reader, entries: list[Payload], *, reachable: set[str]) -> list[RawGuest]:
    """The guests of `entries` on reachable nodes, each with its config; without guest details, every
    guest as listed."""
    if not reader.options.guest_details:
        return [listed_guest(e) for e in entries]
    guests = await reader.each(
        [e for e in entries if e.get("node") in reachable],
        lambda e: _guest(reader, e),
        node=lambda e: str(e["node"]),
    )
    return [g for g in guests if g is not None]


async def _guest(reader: Reader, entry: Payload) -> RawGuest | None:
    kind = _kind(entry)
    vmid = int(entry["vmid"])
    node = str(entry["node"])
    rid = f"{kind}/{vmid}"
    client = reader.client
    if kind == QEMU:
        pending = await reader.attempt(rid, client.qemu_pending(node, vmid), rid, node=node)
        full: Payload | ReadFailure = {}
    else:
        pending, full = await together(
            reader.attempt(rid, client.lxc_pending(node, vmid), rid, node=node),
            reader.attempt(rid, _lxc_config(reader, node, vmid), rid, node=node),
        )
    if isinstance(pending, ReadFailure) or isinstance(full, ReadFailure):
        return None
    # Each answer decodes its own copy of every key (`memory`, `net0`, ...): interned, the thousands
    # of guests held until the plan share one of each, as do the documents made from them.
    config = {sys.intern(str(e["key"])): e["value"] for e in pending if "value" in e}
    # PVE's /pending leaves out what is not a plain value (pve-guest-common's
    # config_with_pending_array skips array refs): a container's raw `lxc.*` lines. /config
    # has them; nothing else of /config is missing from /pending.
    named = {str(e.get("key")) for e in pending}
    config.update((k, v) for k, v in full.items() if k not in named and k != "digest")
    # Only the entries that change something are kept beside the config (a guest has some 20
    # entries, rarely one with a change): 4 KiB less per guest held until the snapshot.
    changing = [e for e in pending if "pending" in e or "delete" in e]
    snapshots = None
    if "parent" in config:
        snap_call = client.qemu_snapshots(node, vmid) if kind == QEMU else client.lxc_snapshots(node, vmid)
        snaps = await reader.attempt(rid, snap_call, rid, node=node)
        if isinstance(snaps, ReadFailure):
            return None
        snapshots = [s.payload() for s in snaps]
    pool = entry.get("pool")
    permissions = reader.permissions
    return RawGuest(
        kind=kind,
        vmid=vmid,
        node=node,
        resource=entry,
        config=config,
        pending=changing,
        snapshots=snapshots,
        hidden=()
        if permissions is None
        else hidden_keys(permissions, kind, vmid, str(pool) if pool else None),
    )


async def _lxc_config(reader: Reader, node: str, vmid: int) -> Payload:
    return (await reader.client.lxc_config(node, vmid)).payload()


def listed_guests(entries: list[Payload], *, nodes: set[str]) -> list[RawGuest]:
    """Every guest /cluster/resources lists on `nodes`, whatever its kind, without its config."""
    return [listed_guest(e) for e in entries if e.get("type") in GUEST_KINDS and e.get("node") in nodes]


def listed_guest(entry: Payload) -> RawGuest:
    """A guest as /cluster/resources lists it, without its config (discovery tables)."""
    return RawGuest(
        kind=_kind(entry), vmid=int(entry["vmid"]), node=str(entry.get("node")), resource=entry, config={}
    )


def _kind(entry: Payload) -> GuestKind:
    return QEMU if entry.get("type") == QEMU else LXC
