"""`proxstate show RESOURCE`: the recorded document of one resource at a point in time."""

from __future__ import annotations

from pathlib import Path

import click

from proxstate.app.export import EXPORT_FORMATS, export_resource
from proxstate.app.record import document_of
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.main import cli
from proxstate.cli.options import repo_option
from proxstate.cli.records import open_record
from proxstate.report.formats import DATA_FORMATS, render_data


@cli.command("show")
@click.argument("resource")
@repo_option
@click.option("--at", metavar="REF", help="A commit, tag, branch or date (default HEAD).")
@click.option("--cluster", help="The cluster, when the repository holds several.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(DATA_FORMATS + EXPORT_FORMATS),
    default="yaml",
    show_default=True,
    help=(
        "yaml or json: the recorded document; conf: a guest as PVE's own .conf file; "
        "pvesh: the API calls that create it as recorded (printed, never run)."
    ),
)
@click.pass_obj
def show_command(
    console: Console, /, resource: str, repo: Path, at: str | None, cluster: str | None, fmt: str
) -> int:
    """The recorded document of one resource at a point in time."""
    if fmt in EXPORT_FORMATS:
        repository = open_record(repo, rev=at, cluster=cluster)
        console.out(export_resource(repository, resource, fmt=fmt, rev=at, cluster=cluster), nl=False)
        return exitcodes.OK
    recorded = document_of(open_record(repo, rev=at, cluster=cluster), resource, rev=at, cluster=cluster)
    console.out(render_data(recorded.document, fmt))
    return exitcodes.OK
