"""`proxstate drift`: compare the live cluster with the recorded state; CI-friendly exit codes."""

from __future__ import annotations

from pathlib import Path

import click

from proxstate.app.connection import ConnectionOverrides
from proxstate.app.drift import DriftRequest, drift
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.context import config_at, environment
from proxstate.cli.main import cli
from proxstate.cli.notify_lines import notify_lines
from proxstate.cli.options import connection_options, repo_option, warn_if_insecure
from proxstate.cli.report_options import report_options
from proxstate.cli.revert_cmd import revert_all
from proxstate.config import parse_kinds
from proxstate.diff import ChangeClass
from proxstate.report.formats import REPORT_FORMATS, render_changes
from proxstate.safetext import escape_unsafe


@cli.command("drift")
@connection_options
@repo_option
@click.option("--against", metavar="REF", help="The recorded state to compare with (default HEAD).")
@click.option("--cluster", help="Only this cluster of proxstate.yaml.")
@click.option("--only", multiple=True, metavar="KIND[,KIND]", help="Compare only these kinds.")
@report_options
@click.option("-v", "--verbose", is_flag=True, help="List every resource that could not be read.")
@click.option("--format", "fmt", type=click.Choice(REPORT_FORMATS), default="text", show_default=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the report to this file.",
)
@click.option(
    "--plan",
    is_flag=True,
    help="Print the calls that would bring the cluster back to the record (never run; docs/revert.md).",
)
@click.option(
    "--no-notify",
    is_flag=True,
    envvar="PROXSTATE_NO_NOTIFY",
    help="Send no notification (the targets of notify: in proxstate.yaml, docs/notifications.md).",
)
@click.pass_obj
def drift_command(
    console: Console,
    /,
    repo: Path,
    against: str | None,
    cluster: str | None,
    only: tuple[str, ...],
    classes: frozenset[ChangeClass] | None,
    kinds: frozenset[str] | None,
    full: bool,
    verbose: bool,
    fmt: str,
    output: Path | None,
    no_notify: bool,
    overrides: ConnectionOverrides,
    plan: bool = False,
) -> int:
    """How the live cluster differs from the recorded state. Writes nothing.

    Exit status: 0 no drift, 2 drift found, 3 no drift found but some resources could not be
    read (drift unknown for them; with several clusters, also when one of them could not be read
    at all), 1 error (every cluster failed).
    """
    config = config_at(repo)
    warn_if_insecure(console, overrides, config)
    if plan:
        return revert_all(
            console, repo, config=config, against=against, cluster=cluster, fmt=fmt, overrides=overrides
        )
    with console.progress("drift") as progress:
        request = DriftRequest(
            against=against,
            cluster=cluster,
            kinds=parse_kinds(list(only)) if only else None,
            notify=not no_notify,
            classes=classes,
            report_kinds=kinds,
            overrides=overrides,
        )
        result = drift(
            repo, config=config, request=request, env=environment(), progress=progress, notice=console.notice
        )
    title = f"Drift against {result.changeset.base.short if result.changeset.base else 'an empty record'}"

    def report(*, color: bool) -> str:
        return render_changes(result.changeset, fmt, color=color, title=title, full=full, verbose=verbose)

    console.out(report(color=console.color and output is None).rstrip("\n"))
    if output is not None:
        output.write_text(report(color=False), encoding="utf-8")
    for failed in result.failed:
        console.warn(f"cluster {failed.cluster} could not be read: {escape_unsafe(failed.reason)}")
    notify_lines(console, result.notified, to_stdout=False)
    if result.drifted:
        return exitcodes.DRIFT
    return exitcodes.PARTIAL if result.unknown else exitcodes.OK
