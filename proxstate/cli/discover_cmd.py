"""`proxstate discover-*`: read-only views of the live cluster, straight from the API."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from proxstate.app.connection import resolve_connection
from proxstate.app.live import follow_live_task, read_live, view_reads
from proxstate.app.options import normalize_options
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.context import config_at, environment, one_cluster
from proxstate.cli.discover_rows import COLUMNS, sections_of
from proxstate.cli.main import cli
from proxstate.cli.options import connection_options, format_option, overrides_from, repo_option
from proxstate.cli.tables import table
from proxstate.report.formats import render_data
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


def run_discovery(console: Console, params: dict[str, Any], wanted: tuple[str, ...]) -> int:
    fmt: str = params.pop("fmt")
    verbose: bool = params.pop("verbose", False)
    node: tuple[str, ...] = params.pop("node", ())
    limit: int | None = params.pop("limit", None)
    errors: bool = params.pop("errors", False)
    running: bool = params.pop("running", False)
    follow: str | None = params.pop("follow", None)
    root: Path = params.pop("repo")
    cluster_name: str | None = params.pop("cluster", None)
    overrides = overrides_from(params)
    cluster = one_cluster(root, name=cluster_name, overrides=overrides)
    settings = resolve_connection(cluster, overrides=overrides, env=environment())
    if settings.insecure:
        console.warn_insecure()
    if follow is not None:
        return follow_command(console, settings, follow)
    kinds = frozenset(k for s in wanted for k in KINDS_OF[s]) | {NODE}
    reads = view_reads(
        cluster,
        kinds=kinds,
        nodes=frozenset(node) if node else None,
        details=verbose,
        task_limit=limit or 50,
        task_errors=errors,
        task_running="tasks" in wanted,
    )
    with console.progress("reading") as progress:
        inventory = read_live(settings, options=reads, progress=progress)
    masking = normalize_options(config_at(root), environment())
    sections = sections_of(
        inventory,
        wanted,
        verbose=verbose,
        human=fmt == "table",
        now=time.time(),
        running_only=running,
        options=masking,
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
    def body(**params: Any) -> int:
        console: Console = click.get_current_context().find_object(Console)  # type: ignore[assignment]
        return run_discovery(console, params, wanted)

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
