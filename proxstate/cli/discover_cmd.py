"""`proxstate discover-*`: read-only views of the live cluster, straight from the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from proxstate.api.client import PveClient
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.context import config_at, environment, one_cluster
from proxstate.cli.main import cli
from proxstate.cli.options import connection_options, format_option, overrides_from, repo_option
from proxstate.cli.tables import Row, gib, machine, table, when
from proxstate.connection import resolve_connection
from proxstate.discover import DiscoveryOptions, discover, run
from proxstate.inventory import Inventory, RawGuest
from proxstate.normalize import NormalizeOptions
from proxstate.normalize.scrub import mask_live
from proxstate.sync import normalize_options

SECTIONS = ("nodes", "vms", "containers", "storage", "tasks")
KINDS_OF = {
    "nodes": {"node"},
    "vms": {"qemu"},
    "containers": {"lxc"},
    "storage": {"storage"},
    "tasks": {"tasks"},
}


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


def storage_rows(
    inventory: Inventory, *, verbose: bool, options: NormalizeOptions | None = None
) -> list[Row]:
    rows = []
    for storage in inventory.storages:
        definition = storage.definition
        row: Row = {
            "storage": storage.storage,
            "type": definition.get("type"),
            "content": definition.get("content"),
            "shared": bool(definition.get("shared"))
            or any(bool(s.get("shared")) for s in storage.per_node.values()),
            "nodes": ", ".join(
                f"{n}{'' if s.get('active') else ' (inactive)'}" for n, s in sorted(storage.per_node.items())
            ),
        }
        if verbose:
            shown = {k: v for k, v in definition.items() if k != "digest"}
            rid = f"storage/{storage.storage}"
            row["definition"] = mask_live("storage", rid, shown, options=options or NormalizeOptions())
        rows.append(row)
    return rows


def task_rows(inventory: Inventory) -> list[Row]:
    tasks = [t for per_node in inventory.tasks.values() for t in per_node]
    tasks.sort(key=lambda t: (t.get("starttime") or 0, t.get("upid") or ""), reverse=True)
    return [
        {
            "started": when(t.get("starttime")),
            "node": t.get("node"),
            "type": t.get("type"),
            "id": t.get("id"),
            "user": t.get("user"),
            "status": t.get("status"),
            "upid": t.get("upid"),
        }
        for t in tasks
    ]


COLUMNS = {
    "nodes": ("name", "status", "ip", "pveversion", "cpus", "memory", "note"),
    "vms": ("vmid", "name", "node", "status", "template", "cpus", "memory", "disk", "tags", "lock"),
    "containers": ("vmid", "name", "node", "status", "template", "cpus", "memory", "disk", "tags", "lock"),
    "storage": ("storage", "type", "content", "shared", "nodes"),
    "tasks": ("started", "node", "type", "id", "user", "status"),
}


def sections_of(
    inventory: Inventory,
    wanted: tuple[str, ...],
    *,
    verbose: bool,
    limit: int | None,
    human: bool,
    options: NormalizeOptions | None = None,
) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    guests = sorted(inventory.guests, key=lambda g: g.vmid)
    for section in wanted:
        if section == "nodes":
            out[section] = node_rows(inventory, human=human)
        elif section == "vms":
            out[section] = [
                guest_row(g, verbose=verbose, human=human, options=options)
                for g in guests
                if g.kind == "qemu"
            ]
        elif section == "containers":
            out[section] = [
                guest_row(g, verbose=verbose, human=human, options=options) for g in guests if g.kind == "lxc"
            ]
        elif section == "storage":
            out[section] = storage_rows(inventory, verbose=verbose, options=options)
        else:
            rows = task_rows(inventory)
            out[section] = rows[:limit] if limit else rows
    return out


def run_discovery(console: Console, params: dict[str, Any], wanted: tuple[str, ...]) -> int:
    fmt: str = params.pop("fmt")
    verbose: bool = params.pop("verbose", False)
    node: tuple[str, ...] = params.pop("node", ())
    limit: int | None = params.pop("limit", None)
    errors: bool = params.pop("errors", False)
    root: Path = params.pop("repo")
    cluster_name: str | None = params.pop("cluster", None)
    overrides = overrides_from(params)
    cluster = one_cluster(root, name=cluster_name, overrides=overrides)
    settings = resolve_connection(cluster, overrides=overrides, env=environment())
    if settings.insecure:
        console.warn_insecure()
    kinds = frozenset(k for s in wanted for k in KINDS_OF[s]) | {"node"}
    options = DiscoveryOptions(
        kinds=kinds,
        cluster_name=cluster.name,
        nodes=frozenset(node) if node else None,
        guest_details=verbose,
        task_limit=limit or 50,
        task_errors=errors,
    )

    async def go() -> Inventory:
        async with PveClient(settings) as client:
            with console.progress("reading") as progress:
                return await discover(client, options=options, progress=progress)

    inventory = run(go)
    masking = normalize_options(config_at(root), environment())
    sections = sections_of(
        inventory, wanted, verbose=verbose, limit=limit, human=fmt == "table", options=masking
    )
    if fmt == "table":
        rich = console.rich()
        for section, rows in sections.items():
            title = (
                f"{section} of {inventory.cluster.name}" if len(wanted) > 1 else f"{section} ({len(rows)})"
            )
            rich.print(table(title, COLUMNS[section], rows))
    else:
        data: Any = sections if len(wanted) > 1 else sections[wanted[0]]
        console.out(machine(data, fmt))
    for failure in inventory.failures:
        console.warn(f"could not read {failure.resource_id}: {failure.reason}")
    for raw in inventory.nodes:
        if raw.unreachable:
            console.warn(f"node {raw.name}: {raw.unreachable}")
    return exitcodes.PARTIAL if inventory.failures else exitcodes.OK


def _command(
    name: str, wanted: tuple[str, ...], help_text: str, *, node: bool = True, tasks: bool = False
) -> None:
    def body(**params: Any) -> int:
        console: Console = click.get_current_context().find_object(Console)  # type: ignore[assignment]
        return run_discovery(console, params, wanted)

    body.__doc__ = help_text
    decorated: Any = body
    if tasks:
        decorated = click.option(
            "--limit", type=click.IntRange(min=1), help="At most N tasks per node (default 50)."
        )(decorated)
        decorated = click.option("--errors", is_flag=True, help="Only tasks that failed.")(decorated)
    if node:
        decorated = click.option("--node", multiple=True, help="Only this node (repeatable).")(decorated)
    decorated = click.option("-v", "--verbose", is_flag=True, help="Include configs and details.")(decorated)
    decorated = format_option()(decorated)
    decorated = click.option("--cluster", help="The cluster of proxstate.yaml to read.")(decorated)
    decorated = repo_option(decorated)
    decorated = connection_options(decorated)
    cli.command(name)(decorated)


_command(
    "discover-all", SECTIONS, "Every node, guest, storage and recent task of the live cluster.", tasks=True
)
_command("discover-nodes", ("nodes",), "The nodes of the live cluster.")
_command("discover-vms", ("vms",), "The virtual machines of the live cluster.")
_command("discover-containers", ("containers",), "The containers of the live cluster.")
_command("discover-storage", ("storage",), "The storages of the live cluster and where they are active.")
_command("discover-tasks", ("tasks",), "Recent finished tasks of the live cluster, newest first.", tasks=True)
