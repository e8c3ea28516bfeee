"""`proxstate show-changes`: what changed between two snapshots of the record, field by field."""

from __future__ import annotations

from pathlib import Path

import click

from proxstate.app.changes import show_changes
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.main import cli
from proxstate.cli.options import repo_option
from proxstate.cli.records import open_record
from proxstate.cli.report_options import report_options
from proxstate.diff import ChangeClass
from proxstate.report.formats import REPORT_FORMATS, render_changes


@cli.command("show-changes")
@click.argument("revspec", required=False)
@repo_option
@click.option("--since", metavar="DATE", help="Changes after this date (e.g. 2026-11-01, 'yesterday').")
@click.option("--until", metavar="DATE", help="Changes up to this date.")
@click.option(
    "--resource", metavar="ID", help="Only resources matching this id or glob (qemu/101, 'qemu/*')."
)
@click.option("--cluster", help="Only this cluster.")
@report_options
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True)
@click.pass_obj
def show_changes_command(
    console: Console,
    /,
    revspec: str | None,
    repo: Path,
    since: str | None,
    until: str | None,
    resource: str | None,
    cluster: str | None,
    classes: frozenset[ChangeClass] | None,
    kinds: frozenset[str] | None,
    full: bool,
    fmt: str,
) -> int:
    """What changed between two snapshots, field by field.

    REVSPEC is a commit (compared with its parent) or A..B; the default is the last snapshot.
    Security-relevant changes (firewall, access control, certificates) carry the class
    `security`; Markdown lists them first.
    """
    # The cluster is looked for where the report ends (a review branch may hold its first record).
    end = revspec.split("..", 1)[1] if revspec and ".." in revspec else revspec
    changeset = show_changes(
        open_record(repo, rev=end or None, cluster=cluster),
        revspec=revspec,
        since=since,
        until=until,
        resource=resource,
        cluster=cluster,
        classes=classes,
        kinds=kinds,
    )
    console.out(render_changes(changeset, fmt, color=console.color, full=full).rstrip("\n"))
    return exitcodes.OK
