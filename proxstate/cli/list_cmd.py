"""`proxstate list-*`: what the state repository recorded, at HEAD or any revision or date."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from proxstate.app.record import RecordedDocument, documents_at
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.main import cli
from proxstate.cli.options import format_option, repo_option
from proxstate.cli.records import open_record
from proxstate.cli.tables import Row, cell, when
from proxstate.report.formats import render_csv, render_data

PATTERNS = {
    "nodes": "node/*",
    "vms": "qemu/*",
    "containers": "lxc/*",
    "storage": "storage/*",
    "tasks": "tasks/*",
}
COLUMNS = {
    "nodes": ("cluster", "name", "status", "pveversion", "kernel", "memory_total"),
    "vms": ("cluster", "vmid", "name", "node", "status", "template", "cores", "memory", "tags"),
    "containers": ("cluster", "vmid", "name", "node", "status", "template", "cores", "memory", "tags"),
    "storage": ("cluster", "storage", "type", "content", "nodes"),
    "tasks": ("cluster", "started", "node", "type", "id", "user", "status"),
}


def _memory(config: dict[str, Any]) -> Any:
    memory = config.get("memory")
    return memory.get("current") if isinstance(memory, dict) else memory


def rows_of(section: str, docs: list[RecordedDocument]) -> list[Row]:
    rows: list[Row] = []
    for recorded in docs:
        doc = recorded.document
        base: Row = {"cluster": recorded.cluster}
        if section in ("vms", "containers"):
            found = doc.get("config")
            config: dict[str, Any] = found if isinstance(found, dict) else {}
            # The name, tags and template flag are configuration: recorded under `config` only.
            rows.append(
                base
                | {k: doc.get(k) for k in ("vmid", "node", "status")}
                | {
                    "name": config.get("hostname" if section == "containers" else "name"),
                    "template": bool(config.get("template")),
                    "tags": config.get("tags"),
                    "cores": config.get("cores"),
                    "memory": _memory(config),
                    "document": doc,
                }
            )
        elif section == "tasks":
            for upid, task in (doc.get("tasks") or {}).items():
                rows.append(
                    base
                    | {"started": when(task.get("starttime")), "node": doc.get("node"), "upid": upid}
                    | {k: task.get(k) for k in ("type", "id", "user", "status", "starttime", "endtime")}
                )
        elif section == "storage":
            config = doc.get("config") or {}
            rows.append(
                base
                | {
                    "storage": doc.get("storage"),
                    "type": doc.get("type"),
                    "content": cell(config.get("content")),
                    "nodes": cell(sorted(doc.get("nodes") or {})),
                    "document": doc,
                }
            )
        else:
            rows.append(base | {k: doc.get(k) for k in COLUMNS["nodes"][1:]} | {"document": doc})
    if section in ("vms", "containers"):
        rows.sort(key=lambda r: (r["cluster"], r.get("vmid") or 0))
    if section == "tasks":
        rows.sort(key=lambda r: (r.get("starttime") or 0, r.get("upid") or ""), reverse=True)
    return rows


@dataclass(frozen=True, kw_only=True)
class ListOptions:
    """The options of a `list-*` command, as click parsed them."""

    repo: Path
    at: str | None  # --at: a commit, tag, branch or date
    cluster: str | None
    nodes: tuple[str, ...]  # --node (repeatable)
    limit: int | None
    fmt: str


def run_list(console: Console, /, section: str, listing: ListOptions) -> int:
    store = open_record(listing.repo, rev=listing.at, cluster=listing.cluster, nodes=listing.nodes)
    docs = documents_at(store, listing.at, cluster=listing.cluster, pattern=PATTERNS[section])
    rows = rows_of(section, docs)
    nodes = listing.nodes
    if nodes:
        rows = [r for r in rows if r.get("node") in nodes or (r.get("name") in nodes and section == "nodes")]
    if listing.limit:
        rows = rows[: listing.limit]
    if listing.fmt == "table":
        title = f"{section} recorded at {listing.at or 'HEAD'} ({len(rows)})"
        console.table(title, COLUMNS[section], rows, plain_title=False)
    elif listing.fmt == "csv":
        console.out(render_csv(COLUMNS[section], rows))
    else:
        data = [r.get("document", r) if section != "tasks" else r for r in rows]
        if section != "tasks":
            data = [
                dict(d, cluster=r["cluster"]) if isinstance(d, dict) else d
                for d, r in zip(data, rows, strict=True)
            ]
        console.out(render_data(data, listing.fmt))
    return exitcodes.OK


def _command(name: str, section: str, help_text: str) -> None:
    @click.pass_obj
    def body(
        console: Console,
        /,
        *,
        repo: Path,
        at: str | None,
        cluster: str | None,
        node: tuple[str, ...],
        limit: int | None,
        fmt: str,
    ) -> int:
        listing = ListOptions(repo=repo, at=at, cluster=cluster, nodes=node, limit=limit, fmt=fmt)
        return run_list(console, section, listing)

    body.__doc__ = help_text
    decorated: Any = body
    decorated = click.option("--limit", type=click.IntRange(min=1), default=None, help="At most N rows.")(
        decorated
    )
    decorated = click.option("--node", multiple=True, help="Only this node (repeatable).")(decorated)
    decorated = click.option("--cluster", help="Only this cluster.")(decorated)
    decorated = click.option("--at", metavar="REF", help="A commit, tag, branch or date (default HEAD).")(
        decorated
    )
    decorated = format_option()(decorated)
    decorated = repo_option(decorated)
    cli.command(name)(decorated)


_command("list-nodes", "nodes", "Nodes as recorded in the state repository.")
_command("list-vms", "vms", "Virtual machines as recorded in the state repository.")
_command("list-containers", "containers", "Containers as recorded in the state repository.")
_command("list-storage", "storage", "Storage definitions as recorded in the state repository.")
_command("list-tasks", "tasks", "Finished tasks as recorded in the state repository, newest first.")
