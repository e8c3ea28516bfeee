"""`proxstate blame RESOURCE [FIELD]`: the snapshot and the author of each field's last change."""

from __future__ import annotations

from pathlib import Path

import click

from proxstate.app.blame import blame
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.main import cli
from proxstate.cli.options import repo_option
from proxstate.cli.records import open_record
from proxstate.report.blame_report import BLAME_FORMATS, render_blame


@cli.command("blame")
@click.argument("resource")
@click.argument("field", required=False)
@repo_option
@click.option("--cluster", help="The cluster, when the repository holds several.")
@click.option("--format", "fmt", type=click.Choice(BLAME_FORMATS), default="text", show_default=True)
@click.pass_obj
def blame_command(
    console: Console, /, resource: str, field: str | None, repo: Path, cluster: str | None, fmt: str
) -> int:
    """For each field of RESOURCE (or FIELD and what is inside it: `memory`, `config.net0`), the
    snapshot that last changed it and who made that change, from PVE's tasks and cluster log."""
    found = blame(open_record(repo, cluster=cluster), resource, field=field, cluster=cluster)
    console.out(render_blame(found, fmt))
    return exitcodes.OK
