"""`proxstate scan`: secrets an older version recorded, anywhere in the history of the record."""

from __future__ import annotations

import json
from pathlib import Path

import click

from proxstate.app.scan import MESSAGE, ScanResult, scan, scan_options
from proxstate.cli import exitcodes
from proxstate.cli.console import Console
from proxstate.cli.context import config_at
from proxstate.cli.main import cli
from proxstate.cli.options import repo_option
from proxstate.report.values import escape_unsafe

RECIPE = "docs/security.md (Secrets in the history)"


def render_text(result: ScanResult) -> str:
    if not result.findings:
        return f"no secrets found in {result.commits} commits ({result.files} file versions read)"
    commits = result.commits_with_secrets
    lines = [
        f"found {len(result.findings)} secret{'s' if len(result.findings) != 1 else ''} in "
        f"{len(commits)} of {result.commits} commits:"
    ]
    for finding in result.findings:
        where = "commit message" if finding.path == MESSAGE else escape_unsafe(finding.path)
        inside = f" {escape_unsafe(finding.field)}" if finding.field else ""
        lines.append(f"  {finding.commit[:12]} {finding.date[:10]} {where}{inside}: {finding.rule}")
    lines += [
        "",
        "These commits keep the secrets for anyone who can read the repository, even after a new",
        "sync masks them. Rotate the secrets, then rewrite the history with git filter-repo: the",
        f"recipe is in {RECIPE}. Values that are no secrets can be allowed under allow_secrets.",
    ]
    return "\n".join(lines)


def render_json(result: ScanResult) -> str:
    data = {
        "clean": not result.findings,
        "commits_scanned": result.commits,
        "files_read": result.files,
        "commits_with_secrets": result.commits_with_secrets,
        "findings": [
            {
                "commit": f.commit,
                "date": f.date,
                "path": None if f.path == MESSAGE else f.path,
                "in": "message" if f.path == MESSAGE else "file",
                "resource": f.resource_id,
                "field": f.field or None,
                "rule": f.rule,
            }
            for f in result.findings
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


@cli.command("scan")
@click.argument("rev_range", metavar="[REV-RANGE]", required=False)
@repo_option
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text", show_default=True)
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
    console.out(render_json(result) if fmt == "json" else render_text(result))
    return exitcodes.SECRETS_FOUND if result.findings else exitcodes.OK
