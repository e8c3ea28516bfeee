"""`proxstate revert RESOURCE --to REV`: the calls that would put a resource back as recorded."""

from __future__ import annotations

import json
from pathlib import Path

import click

from proxstate.app.connection import ConnectionOverrides
from proxstate.app.revert import RevertPlan, RevertRequest, revert_plan
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.context import config_at, environment
from proxstate.cli.main import cli
from proxstate.cli.options import connection_options, repo_option, warn_if_insecure
from proxstate.config import ProxstateConfig
from proxstate.errors import UsageError
from proxstate.export.calls import render
from proxstate.safetext import escape_unsafe

PLAN_FORMATS = ("text", "json")


def plan_text(plan: RevertPlan, *, what: str) -> str:
    """The plan as a shell script to review: comments, pvesh lines, the qm/pct equivalents."""
    head = [
        f"# Revert plan: {what} back to the record at {plan.revision}.",
        "# proxstate never runs these: review them, then run them on a node of the cluster.",
    ]
    if not plan.calls and not plan.not_revertible:
        head.append("# Nothing to do: the live state is the recorded one.")
    body = render(list(plan.calls), not_revertible=plan.not_revertible)
    tail = [f"# Could not be read, so not planned: {item}" for item in plan.unreadable]
    return "\n".join([*head, "", *([body.rstrip("\n")] if body else []), *tail]).rstrip("\n") + "\n"


def print_plan(console: Console, plan: RevertPlan, *, fmt: str, what: str) -> int:
    if fmt == "json":
        console.out(json.dumps(plan.as_json(), indent=2, ensure_ascii=False))
    else:
        text = plan_text(plan, what=what)
        console.out("".join(escape_unsafe(line) + "\n" for line in text.splitlines()), nl=False)
    for failed in plan.failed:
        console.warn(f"cluster {failed.cluster} could not be read: {escape_unsafe(failed.reason)}")
    return exitcodes.PARTIAL if plan.unreadable or plan.failed else exitcodes.OK


def revert_all(
    console: Console,
    repo: Path,
    *,
    config: ProxstateConfig,
    against: str | None,
    cluster: str | None,
    fmt: str,
    overrides: ConnectionOverrides,
) -> int:
    """`drift --plan`: the plan for everything that drifted."""
    if fmt not in PLAN_FORMATS:
        raise UsageError(f"drift --plan prints text or json, not {fmt}")
    with console.progress("drift") as progress:
        request = RevertRequest(to=against, pattern=None, cluster=cluster, overrides=overrides)
        plan = revert_plan(
            repo, config=config, request=request, env=environment(), progress=progress, notice=console.notice
        )
    return print_plan(console, plan, fmt=fmt, what="the live cluster")


@cli.command("revert")
@click.argument("resource")
@connection_options
@repo_option
@click.option("--to", "to", metavar="REF", help="The recorded state to go back to (default HEAD).")
@click.option("--cluster", help="Only this cluster of proxstate.yaml.")
@click.option("--format", "fmt", type=click.Choice(PLAN_FORMATS), default="text", show_default=True)
@click.pass_obj
def revert_command(
    console: Console,
    /,
    resource: str,
    repo: Path,
    to: str | None,
    cluster: str | None,
    fmt: str,
    overrides: ConnectionOverrides,
) -> int:
    """Print the calls that bring RESOURCE (an id or a glob) back to its recorded state.

    Nothing is sent to the cluster: the plan is `pvesh` calls (and their `qm`/`pct` equivalents),
    each commented with the change it undoes; what the record cannot give back is listed as such.
    Exit status: 0 plan printed, 3 some resources could not be read, 1 error.
    """
    config = config_at(repo)
    warn_if_insecure(console, overrides, config)
    with console.progress("revert") as progress:
        request = RevertRequest(to=to, pattern=resource, cluster=cluster, overrides=overrides)
        plan = revert_plan(
            repo, config=config, request=request, env=environment(), progress=progress, notice=console.notice
        )
    return print_plan(console, plan, fmt=fmt, what=resource)
