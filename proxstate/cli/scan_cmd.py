"""`proxstate scan`: secrets an older version recorded, anywhere in the history of the record."""

from __future__ import annotations

from pathlib import Path

import click

from proxstate.app.scan import scan, scan_options
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.context import config_at
from proxstate.cli.main import cli
from proxstate.cli.options import repo_option
from proxstate.report.scan_report import SCAN_FORMATS, render_scan


@cli.command("scan")
@click.argument("rev_range", metavar="[REV-RANGE]", required=False)
@repo_option
@click.option("--format", "fmt", type=click.Choice(SCAN_FORMATS), default="text", show_default=True)
@click.pass_obj
def scan_command(console: Console, /, rev_range: str | None, repo: Path, fmt: str) -> int:
    """Look through the history of the record for secrets an older version wrote.

    Every version of every recorded file and every commit message in REV-RANGE (as git log takes
    it: `main`, `A..B`; default: all of HEAD's history) is checked with the rules of this version:
    values of secret keys that are not masked, and what the secret detector flags. Each secret is
    named by the commit that wrote it, the file and the field, never by its value.

    Exit status: 0 nothing found, 2 secrets found, 1 error.
    """
    result = scan(repo, rev_range=rev_range, options=scan_options(config_at(repo)))
    console.out(render_scan(result, fmt))
    return exitcodes.SECRETS_FOUND if result.findings else exitcodes.OK
