"""`proxstate show-changes`, `log` and `show`: reading the history of the record."""

from __future__ import annotations

import json
from pathlib import Path

import click

from proxstate import yamlio
from proxstate.app.changes import resource_log, show_changes
from proxstate.app.record import document_of
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.main import cli
from proxstate.cli.options import repo_option
from proxstate.diff import ChangeSet
from proxstate.report import render_json, render_markdown, render_text
from proxstate.store import StateRepo

REPORT_FORMATS = ("text", "json", "markdown")


def render(changeset: ChangeSet, fmt: str, *, color: bool, title: str | None = None) -> str:
    if fmt == "json":
        return render_json(changeset)
    if fmt == "markdown":
        return render_markdown(changeset, title=title)
    return render_text(changeset, color=color)


@cli.command("show-changes")
@click.argument("revspec", required=False)
@repo_option
@click.option("--since", metavar="DATE", help="Changes after this date (e.g. 2026-11-01, 'yesterday').")
@click.option("--until", metavar="DATE", help="Changes up to this date.")
@click.option(
    "--resource", metavar="ID", help="Only resources matching this id or glob (qemu/101, 'qemu/*')."
)
@click.option("--cluster", help="Only this cluster.")
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
    fmt: str,
) -> int:
    """What changed between two snapshots, field by field.

    REVSPEC is a commit (compared with its parent) or A..B; the default is the last snapshot.
    """
    changeset = show_changes(
        StateRepo.open(repo), revspec=revspec, since=since, until=until, resource=resource, cluster=cluster
    )
    console.out(render(changeset, fmt, color=console.color).rstrip("\n"))
    return exitcodes.OK


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
    entries = resource_log(StateRepo.open(repo), resource, cluster=cluster, max_count=max_count)
    if fmt == "json":
        out = {
            "format_version": 1,
            "resource_id": resource,
            "entries": [
                {
                    "author": e.author,
                    **json.loads(render_json(ChangeSet(base=None, target=e.commit, resources=(e.change,)))),
                }
                for e in entries
            ],
        }
        console.out(json.dumps(out, indent=2, ensure_ascii=False))
        return exitcodes.OK
    if not entries:
        console.out(f"{resource}: no recorded history")
        return exitcodes.OK
    for entry in entries:
        changeset = ChangeSet(base=None, target=entry.commit, resources=(entry.change,))
        if fmt == "markdown":
            title = f"{entry.commit.short} {entry.commit.date} {entry.commit.subject}"
            console.out(render_markdown(changeset, title=title).rstrip("\n"))
        else:
            head = f"commit {entry.commit.short}  {entry.commit.date}  {entry.commit.subject}"
            console.out(click.style(head, fg="yellow") if console.color else head)
            console.out(render_text(changeset, color=console.color).rstrip("\n"))
        console.out()
    return exitcodes.OK


@cli.command("show")
@click.argument("resource")
@repo_option
@click.option("--at", metavar="REF", help="A commit, tag, branch or date (default HEAD).")
@click.option("--cluster", help="The cluster, when the repository holds several.")
@click.option("--format", "fmt", type=click.Choice(("yaml", "json")), default="yaml", show_default=True)
@click.pass_obj
def show_command(
    console: Console, /, resource: str, repo: Path, at: str | None, cluster: str | None, fmt: str
) -> int:
    """The recorded document of one resource at a point in time."""
    recorded = document_of(StateRepo.open(repo), resource, rev=at, cluster=cluster)
    if fmt == "json":
        console.out(json.dumps(recorded.document, indent=2, ensure_ascii=False))
    else:
        console.out(yamlio.dump(recorded.document).rstrip("\n"))
    return exitcodes.OK
