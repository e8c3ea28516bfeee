"""`proxstate log RESOURCE`: the history of one resource, newest first."""

from __future__ import annotations

from pathlib import Path

import click

from proxstate.app.changes import resource_log
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.main import cli
from proxstate.cli.options import repo_option
from proxstate.cli.records import open_record
from proxstate.report.formats import REPORT_FORMATS, render_log


@cli.command("log")
@click.argument("resource")
@repo_option
@click.option("--cluster", help="The cluster, when the repository holds several.")
@click.option("-n", "--max-count", type=click.IntRange(min=1), help="At most N entries.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True)
@click.pass_obj
def log_command(
    console: Console, /, resource: str, repo: Path, cluster: str | None, max_count: int | None, fmt: str
) -> int:
    """The history of one resource (qemu/101, node/pve1, ...), newest first."""
    entries = resource_log(open_record(repo, cluster=cluster), resource, cluster=cluster, max_count=max_count)
    console.out(render_log(resource, entries, fmt, color=console.color))
    return exitcodes.OK
