"""`proxstate discover-*`: read-only views of the live cluster, straight from the API."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from proxstate.app.connection import ConnectionOverrides, resolve_connection
from proxstate.app.live import follow_live_task, read_live, view_reads
from proxstate.app.names import check_nodes
from proxstate.app.options import normalize_options
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.context import config_at, environment, one_cluster
from proxstate.cli.discover_rows import COLUMNS, sections_of
from proxstate.cli.main import cli
from proxstate.cli.options import connection_options, format_option, repo_option
from proxstate.errors import UsageError
from proxstate.report.formats import render_csv, render_data
from proxstate.resources.kinds import NODE
from proxstate.safetext import escape_unsafe

if TYPE_CHECKING:
    from proxstate.api.settings import ConnectionSettings

SECTIONS = ("nodes", "vms", "containers", "storage", "tasks")
KINDS_OF = {
    "nodes": {"node"},
    "vms": {"qemu"},
    "containers": {"lxc"},
    "storage": {"storage"},
    "tasks": {"tasks"},
}


def follow_command(console: Console, settings: ConnectionSettings, upid: str) -> int:
    def show(lines: list[str]) -> None:
        for line in lines:
            console.out(escape_unsafe(line))

    outcome = follow_live_task(settings, upid, on_lines=show)
    if outcome.ok:
        return exitcodes.OK
    console.err(f"proxstate: task failed: {escape_unsafe(outcome.exitstatus)}")
    return exitcodes.ERROR


@dataclass(frozen=True, kw_only=True)
class ViewOptions:
    """The options of a `discover-*` command, as click parsed them."""

    repo: Path
    cluster: str | None  # --cluster: the cluster of proxstate.yaml to read
    fmt: str
    verbose: bool
    overrides: ConnectionOverrides
    nodes: tuple[str, ...] = ()  # --node (repeatable)
    limit: int | None = None  # --limit: finished tasks per node
    errors: bool = False  # --errors: only failed tasks
    running: bool = False  # --running: only running tasks
    follow: str | None = None  # --follow UPID


# CSV gives machines the values JSON gives (bytes, seconds), in the columns of the table.
CSV_COLUMNS = COLUMNS | {
    "storage": ("storage", "type", "content", "shared", "state"),
    "tasks": ("started", "node", "type", "id", "user", "status", "elapsed_s", "upid"),
}


def run_discovery(console: Console, view: ViewOptions, wanted: tuple[str, ...]) -> int:
    if view.fmt == "csv" and len(wanted) > 1:
        raise UsageError("--format csv holds one table: use discover-nodes, discover-vms, ... one at a time")
    cluster = one_cluster(view.repo, name=view.cluster, overrides=view.overrides)
    settings = resolve_connection(cluster, overrides=view.overrides, env=environment())
    if settings.insecure:
        console.warn_insecure()
    if view.follow is not None:
        return follow_command(console, settings, view.follow)
    kinds = frozenset(k for s in wanted for k in KINDS_OF[s]) | {NODE}
    reads = view_reads(
        cluster,
        kinds=kinds,
        nodes=frozenset(view.nodes) if view.nodes else None,
        details=view.verbose,
        task_limit=view.limit or 50,
        task_errors=view.errors,
        task_running="tasks" in wanted,
    )
    with console.progress("reading") as progress:
        inventory = read_live(settings, options=reads, progress=progress, notice=console.notice)
    members = {str(entry.get("node")) for entry in inventory.cluster.resources if entry.get("type") == NODE}
    check_nodes(view.nodes, known=members, where="of the cluster")
    masking = normalize_options(config_at(view.repo), environment())
    fmt = view.fmt
    sections = sections_of(
        inventory,
        wanted,
        verbose=view.verbose,
        human=fmt == "table",
        now=time.time(),
        running_only=view.running,
        options=masking,
    )
    if fmt == "table":
        several = len(wanted) > 1
        for index, (section, rows) in enumerate(sections.items()):
            title = f"{section} of {inventory.cluster.name}" if several else f"{section} ({len(rows)})"
            if index and not console.terminal:
                console.out()
            console.table(title, COLUMNS[section], rows, plain_title=several)
    elif fmt == "csv":
        console.out(render_csv(CSV_COLUMNS[wanted[0]], sections[wanted[0]]))
    else:
        data: Any = sections if len(wanted) > 1 else sections[wanted[0]]
        console.out(render_data(data, fmt))
    for failure in inventory.failures:
        console.warn(f"could not read {failure.resource_id}: {failure.reason}")
    for raw in inventory.nodes:
        if raw.unreachable:
            console.warn(f"node {raw.name}: {raw.unreachable}")
    return exitcodes.PARTIAL if inventory.failures else exitcodes.OK


def _command(
    name: str, wanted: tuple[str, ...], help_text: str, *, node: bool = True, tasks: bool = False
) -> None:
    @click.pass_obj
    def body(
        console: Console,
        /,
        *,
        repo: Path,
        cluster: str | None,
        fmt: str,
        verbose: bool,
        overrides: ConnectionOverrides,
        node: tuple[str, ...] = (),
        limit: int | None = None,
        errors: bool = False,
        running: bool = False,
        follow: str | None = None,
    ) -> int:
        view = ViewOptions(
            repo=repo,
            cluster=cluster,
            fmt=fmt,
            verbose=verbose,
            overrides=overrides,
            nodes=node,
            limit=limit,
            errors=errors,
            running=running,
            follow=follow,
        )
        return run_discovery(console, view, wanted)

    body.__doc__ = help_text
    decorated: Any = body
    if tasks:
        decorated = click.option(
            "--limit",
            type=click.IntRange(min=1),
            help="At most N finished tasks per node (default 50); running tasks are all shown.",
        )(decorated)
        decorated = click.option("--errors", is_flag=True, help="Only finished tasks that failed.")(decorated)
    if name == "discover-tasks":
        decorated = click.option("--running", is_flag=True, help="Only the tasks running now.")(decorated)
        decorated = click.option(
            "--follow",
            metavar="UPID",
            help="Print the task's log as it grows until the task ends; exit 0 when it ended OK "
            "(or with warnings), 1 when it failed.",
        )(decorated)
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
_command(
    "discover-storage",
    ("storage",),
    "The storages of the live cluster: where they are active, and their usage.",
)
_command(
    "discover-tasks",
    ("tasks",),
    "Running tasks of the live cluster with their time so far, then recent finished ones, newest first.",
    tasks=True,
)
