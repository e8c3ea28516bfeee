"""The rows of the `discover-*` views: what the live cluster says, shaped for a table or for machines."""

from __future__ import annotations

from proxstate.cli.tables import Row, gib, human_bytes, when
from proxstate.normalize import NormalizeOptions
from proxstate.normalize.scrub import mask_live
from proxstate.resources.inventory import Inventory, RawGuest, RawStorage
from proxstate.resources.kinds import LXC, QEMU, STORAGE


def _size(value: object, *, human: bool) -> object:
    """A size for a table (`4.0 GiB`) or for machines (bytes, as PVE gives them)."""
    return gib(value) if human else value


def _count(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def node_rows(inventory: Inventory, *, human: bool = True) -> list[Row]:
    rows = []
    for node in sorted(inventory.nodes, key=lambda n: n.name):
        status = node.status or {}
        state = (
            "online"
            if node.online and not node.unreachable
            else ("unreachable" if node.online else "offline")
        )
        rows.append(
            {
                "name": node.name,
                "status": state,
                "ip": (node.cluster_entry or {}).get("ip"),
                "pveversion": status.get("pveversion"),
                "cpus": _count(node.resource.get("maxcpu")),
                "memory": _size(node.resource.get("maxmem"), human=human),
                "uptime_s": node.resource.get("uptime") if state == "online" else None,
                "note": node.unreachable,
            }
        )
    return rows


def guest_row(
    guest: RawGuest, *, verbose: bool, human: bool = True, options: NormalizeOptions | None = None
) -> Row:
    res = guest.resource
    row: Row = {
        "vmid": guest.vmid,
        "name": res.get("name"),
        "node": guest.node,
        "status": res.get("status"),
        "template": bool(res.get("template")),
        "cpus": _count(res.get("maxcpu")),
        "memory": _size(res.get("maxmem"), human=human),
        "disk": _size(res.get("maxdisk"), human=human),
        "tags": res.get("tags"),
        "lock": res.get("lock"),
        "pool": res.get("pool"),
    }
    if verbose:
        # Masked exactly as the record masks them: the same keys, the same detector, the same hash.
        options = options or NormalizeOptions()
        rid = f"{guest.kind}/{guest.vmid}"
        row["config"] = mask_live(guest.kind, rid, guest.config, options=options)
        # Discovery keeps only the pending entries that change something.
        row["pending"] = mask_live(guest.kind, rid, guest.pending or [], options=options)
        row["snapshots"] = [s.get("name") for s in guest.snapshots or [] if s.get("name") != "current"]
    return row


def _flag(value: object, *, default: bool) -> bool:
    return default if value is None else value in (1, True, "1")


def storage_state(entry: Row) -> str:
    """`active`, `inactive` (enabled but not reachable now: an NFS server down) or `disabled`."""
    if not _flag(entry.get("enabled"), default=True):
        return "disabled"
    return "active" if _flag(entry.get("active"), default=False) else "inactive"


def _figures(entry: Row) -> Row:
    total, used = entry.get("total"), entry.get("used")
    fraction = entry.get("used_fraction")
    if fraction is None and isinstance(total, int | float) and total and isinstance(used, int | float):
        fraction = used / total  # what PVE's storage status index adds when the total is known
    return {"total": total, "used": used, "avail": entry.get("avail"), "used_fraction": fraction}


def storage_usage(storage: RawStorage, *, shared: bool) -> list[Row]:
    """Usage where the storage is active: once for a shared storage (every node sees the same
    space), once per node otherwise. PVE reports no space for an inactive or disabled storage."""
    active = [(n, e) for n, e in sorted(storage.per_node.items()) if storage_state(e) == "active"]
    if shared and active:
        return [{"nodes": [n for n, _ in active], **_figures(active[0][1])}]
    return [{"nodes": [n], **_figures(e)} for n, e in active]


def usage_text(usage: Row) -> str:
    """`1.2 TiB of 4.0 TiB, 30%`."""
    used, total, fraction = usage.get("used"), usage.get("total"), usage.get("used_fraction")
    if not total:
        return "no size reported"
    share = f", {fraction * 100:.0f}%" if isinstance(fraction, int | float) else ""
    return f"{human_bytes(used)} of {human_bytes(total)}{share}"


def storage_rows(
    inventory: Inventory, *, verbose: bool, human: bool = True, options: NormalizeOptions | None = None
) -> list[Row]:
    rows = []
    for storage in inventory.storages:
        definition = storage.definition
        shared = _flag(definition.get("shared"), default=False) or any(
            _flag(s.get("shared"), default=False) for s in storage.per_node.values()
        )
        # PVE lists a storage on every node, disabled where storage.cfg's `nodes` leaves it out:
        # a storage of one node is shown there only.
        configured = {n.strip() for n in str(definition.get("nodes") or "").split(",") if n.strip()}
        states = {
            n: storage_state(e)
            for n, e in sorted(storage.per_node.items())
            if not configured or n in configured
        }
        usage = storage_usage(storage, shared=shared)
        row: Row = {
            "storage": storage.storage,
            "type": definition.get("type"),
            "content": definition.get("content"),
            "shared": shared,
            "nodes": ", ".join(f"{n}{'' if s == 'active' else f' ({s})'}" for n, s in states.items()),
        }
        if human:
            row["usage"] = "; ".join(
                usage_text(u) if shared else f"{u['nodes'][0]}: {usage_text(u)}" for u in usage
            )
        else:
            row["state"] = states
            row["usage"] = usage
        if verbose:
            shown = {k: v for k, v in definition.items() if k != "digest"}
            rid = f"{STORAGE}/{storage.storage}"
            row["definition"] = mask_live(STORAGE, rid, shown, options=options or NormalizeOptions())
        rows.append(row)
    return rows


def duration(seconds: object) -> str:
    """`1h 02m 03s`, `2m 05s`, `12s`."""
    if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 0:
        return ""
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def _task_row(task: Row, *, running: bool, now: float, human: bool) -> Row:
    start, end = task.get("starttime"), task.get("endtime")
    elapsed = None
    if isinstance(start, int | float) and not isinstance(start, bool):
        stop = now if running else end
        if isinstance(stop, int | float) and not isinstance(stop, bool):
            elapsed = max(int(stop - start), 0)
    return {
        "started": when(start),
        "node": task.get("node"),
        "type": task.get("type"),
        "id": task.get("id"),
        "user": task.get("user"),
        "status": "running" if running else task.get("status"),
        ("elapsed" if human else "elapsed_s"): duration(elapsed) if human else elapsed,
        "upid": task.get("upid"),
    }


def task_rows(
    inventory: Inventory, *, now: float, human: bool = True, running_only: bool = False
) -> list[Row]:
    """Running tasks first (their time so far), then finished ones (how long they took); newest first."""

    def newest_first(tasks: dict[str, list[Row]]) -> list[Row]:
        flat = [t for per_node in tasks.values() for t in per_node]
        return sorted(flat, key=lambda t: (t.get("starttime") or 0, t.get("upid") or ""), reverse=True)

    rows = [_task_row(t, running=True, now=now, human=human) for t in newest_first(inventory.running_tasks)]
    if not running_only:
        rows += [_task_row(t, running=False, now=now, human=human) for t in newest_first(inventory.tasks)]
    return rows


COLUMNS = {
    "nodes": ("name", "status", "ip", "pveversion", "cpus", "memory", "note"),
    "vms": ("vmid", "name", "node", "status", "template", "cpus", "memory", "disk", "tags", "lock"),
    "containers": ("vmid", "name", "node", "status", "template", "cpus", "memory", "disk", "tags", "lock"),
    "storage": ("storage", "type", "content", "shared", "nodes", "usage"),
    "tasks": ("started", "node", "type", "id", "user", "status", "elapsed"),
}


def sections_of(
    inventory: Inventory,
    wanted: tuple[str, ...],
    *,
    verbose: bool,
    human: bool,
    now: float,
    running_only: bool = False,
    options: NormalizeOptions | None = None,
) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    guests = sorted(inventory.guests, key=lambda g: g.vmid)
    for section in wanted:
        if section == "nodes":
            out[section] = node_rows(inventory, human=human)
        elif section == "vms":
            out[section] = [
                guest_row(g, verbose=verbose, human=human, options=options) for g in guests if g.kind == QEMU
            ]
        elif section == "containers":
            out[section] = [
                guest_row(g, verbose=verbose, human=human, options=options) for g in guests if g.kind == LXC
            ]
        elif section == "storage":
            out[section] = storage_rows(inventory, verbose=verbose, human=human, options=options)
        else:
            out[section] = task_rows(inventory, now=now, human=human, running_only=running_only)
    return out
