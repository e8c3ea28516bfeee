"""`proxstate check-token`: what the configured login can and cannot record, and why."""

from __future__ import annotations

from pathlib import Path

import click

from proxstate.app.connection import ConnectionOverrides
from proxstate.app.tokencheck import check_token
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.context import config_at, environment
from proxstate.cli.main import cli
from proxstate.cli.options import (
    connection_options,
    format_option,
    repo_option,
    warn_if_insecure,
)
from proxstate.report.token_report import TOKEN_FORMATS, render_token_checks


@cli.command("check-token")
@connection_options
@repo_option
@click.option("--cluster", help="Check only this cluster of proxstate.yaml.")
@format_option(TOKEN_FORMATS, default="text")
@click.pass_obj
def check_token_command(
    console: Console, /, repo: Path, cluster: str | None, fmt: str, overrides: ConnectionOverrides
) -> int:
    """Say what the configured login can record, and which privilege each missing kind needs.

    Reads the login's effective privileges from PVE (GET /access/permissions) for every cluster of
    proxstate.yaml and the kinds it records. Exit status: 0 the login can record every kind except
    what needs more than PVEAuditor on / (named, not a failure of a sync), 3 it lacks a privilege
    of PVEAuditor, so syncs will keep the last state of some kinds, 1 error.
    """
    config = config_at(repo)
    warn_if_insecure(console, overrides, config)
    checks = check_token(config, cluster=cluster, overrides=overrides, env=environment())
    console.out(render_token_checks(checks, fmt))
    return exitcodes.OK if all(check.clean for check in checks) else exitcodes.PARTIAL
