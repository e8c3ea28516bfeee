"""`proxstate check`: the record against the policy (built-in rules and the repository's policy.yaml)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from proxstate.app.check import CheckRequest, check, load_policy
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.main import cli
from proxstate.cli.options import repo_option
from proxstate.cli.records import known_revision, open_record
from proxstate.report.policy_report import CHECK_FORMATS, render_check, render_rules_markdown, rule_rows


@cli.command("check")
@repo_option
@click.option(
    "--at", metavar="REV|DATE", help="Check the record at a commit, tag, branch or date (default HEAD)."
)
@click.option(
    "--since",
    metavar="REV",
    help="Name the snapshot after REV that introduced each violation; only new ones fail.",
)
@click.option("--cluster", help="Only this cluster.")
@click.option("--format", "fmt", type=click.Choice(CHECK_FORMATS), default="text", show_default=True)
@click.option(
    "--list", "list_rules", is_flag=True, help="List the rules (built-in and policy.yaml) and exit."
)
@click.pass_obj
def check_command(
    console: Console,
    /,
    repo: Path,
    at: str | None,
    since: str | None,
    cluster: str | None,
    fmt: str,
    list_rules: bool,
) -> int:
    """Check the recorded state against the policy: the built-in rules and policy.yaml.

    Evaluated on the record, not the live cluster, so any past state can be checked (--at). The
    repository's policy.yaml adds rules, changes or turns off built-in ones, and waives violations
    until a date (docs/policy.md).

    Exit status: 0 no violation, 2 violations (not waived; with --since only new ones count),
    1 error, 64 usage error.
    """
    policy = load_policy(repo)
    if list_rules:
        rows = rule_rows(policy.rules)
        if fmt == "json":
            console.out(json.dumps(rows, indent=2, ensure_ascii=False))
        elif fmt == "markdown":
            console.out(render_rules_markdown(rows), nl=False)
        else:
            columns = ("id", "severity", "applies_to", "source", "description")
            console.table(f"rules ({len(rows)})", columns, rows, plain_title=False)
        return exitcodes.OK
    store = open_record(repo, rev=at, cluster=cluster)
    known_revision(store, "--at", at)
    known_revision(store, "--since", since)
    result = check(store, policy, CheckRequest(at=at, since=since, cluster=cluster))
    console.out(render_check(result, fmt), nl=False)
    return exitcodes.VIOLATIONS if result.failing else exitcodes.OK
