"""`proxstate query EXPR`: a JMESPath expression over every recorded document (docs/policy.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from proxstate.app.check import load_policy
from proxstate.app.query import QueryRequest, QueryResult, query
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.main import cli
from proxstate.cli.options import format_option, repo_option
from proxstate.cli.records import known_revision, open_record
from proxstate.diff import CommitRef
from proxstate.errors import UsageError
from proxstate.policy import Match
from proxstate.report.formats import render_csv, render_data


def rows_of(result: QueryResult) -> tuple[list[str], list[dict[str, Any]]]:
    """Columns and rows: a value that is a mapping in every match (`{name: ..., node: ...}`) is
    spread into columns of its own; any other value is one column, `value`."""
    found: list[tuple[CommitRef | None, str | None, Match]] = [
        (step.commit, step.change, step.match) for step in result.steps
    ] or [(None, None, match) for match in result.matches]
    values = [match.value for _, _, match in found if match.value is not None]
    spread = bool(values) and all(isinstance(value, dict) for value in values)
    keys = (
        list(dict.fromkeys(key for value in values if isinstance(value, dict) for key in value))
        if spread
        else []
    )
    columns = (["commit", "date", "change"] if result.steps else []) + ["cluster", "resource"]
    columns += keys if spread else (["value"] if values else [])
    rows = []
    for commit, change, match in found:
        row: dict[str, Any] = {"cluster": match.cluster, "resource": match.resource_id}
        if commit is not None:
            row |= {"commit": commit.short, "date": commit.date, "change": change}
        if spread:
            row |= match.value or {}
        elif values:
            row["value"] = match.value
        rows.append(row)
    return columns, rows


@cli.command("query")
@click.argument("expression")
@repo_option
@click.option(
    "--at", metavar="REV|DATE", help="Query the record at a commit, tag, branch or date (default HEAD)."
)
@click.option("--cluster", help="Only this cluster.")
@click.option(
    "--over", metavar="A..B", help="The matches at each snapshot after A up to B where they changed."
)
@format_option()
@click.pass_obj
def query_command(
    console: Console,
    /,
    expression: str,
    repo: Path,
    at: str | None,
    cluster: str | None,
    over: str | None,
    fmt: str,
) -> int:
    """Ask the record: EXPRESSION (JMESPath) over the context of every recorded document.

    Each document is matched when the value of EXPRESSION is not false, null or empty; a value other
    than true is shown. `COND && {name: doc.config.name, node: doc.node}` selects fields where COND
    holds. The context (id, kind, cluster, doc, facts, record) is described in docs/policy.md.

    Exit status: 0 (also when nothing matches), 1 error (an invalid expression), 64 usage error.
    """
    if over is not None and at is not None:
        raise UsageError("give either --at or --over, not both")
    if over is not None and ".." not in over:
        raise UsageError(f"--over {over!r} is not a range: give A..B (`--over v1..HEAD`)")
    store = open_record(repo, rev=at, cluster=cluster)
    known_revision(store, "--at", at)
    result = query(
        store, load_policy(repo), QueryRequest(expression=expression, at=at, cluster=cluster, over=over)
    )
    columns, rows = rows_of(result)
    if fmt == "table":
        where = f"over {over}" if over else f"at {at or 'HEAD'}"
        console.table(f"{len(rows)} matches {where}", columns, rows, plain_title=False)
    elif fmt == "csv":
        console.out(render_csv(columns, rows))
    else:
        console.out(render_data(rows, fmt))
    return exitcodes.OK
