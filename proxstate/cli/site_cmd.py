"""`proxstate site`: the static site of the record (docs/site.md)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.main import cli
from proxstate.cli.options import repo_option
from proxstate.cli.records import open_record


@cli.command("site")
@repo_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=Path("public"),
    show_default=True,
    help="The folder the site is written to (not inside clusters/ or .git). Only pages that changed "
    "are written.",
)
@click.option(
    "--since",
    metavar="REV|DATE",
    help="Only the history after this commit, or from this date (e.g. 2026-11-01); the record now is "
    "shown whole.",
)
@click.option(
    "--drift-report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A `proxstate drift --format json` output to show on the drift page.",
)
@click.option("--cluster", help="Only this cluster.")
@click.pass_obj
def site_command(
    console: Console,
    /,
    repo: Path,
    out: Path,
    since: str | None,
    drift_report: Path | None,
    cluster: str | None,
) -> int:
    """Build a static HTML site of the record: clusters, guests, each resource's history, snapshots.

    The site needs no server and makes no request outside itself: publish the folder (GitLab or
    GitHub Pages) or open its index.html. A rebuild writes only the pages that changed.
    """
    from proxstate.site.build import build_site  # Jinja2 is imported only by this command

    build = build_site(
        repo=open_record(repo, cluster=cluster),
        out=out,
        since=since,
        drift_report=drift_report,
        cluster=cluster,
        commit_url_template=os.environ.get("PROXSTATE_COMMIT_URL") or None,
    )
    for unreadable in build.unreadable:
        console.warn(f"the report of snapshot {unreadable}")
    console.out(
        f"site: {build.pages} pages ({build.written} written, {build.unchanged} unchanged, "
        f"{build.removed} removed) in {build.out}"
    )
    return exitcodes.OK
