"""What `proxstate scan` says: the secrets found in the history, as text or JSON."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from proxstate.report.values import escape_unsafe

if TYPE_CHECKING:
    from proxstate.app.scan import ScanResult

SCAN_FORMATS = ("text", "json")
RECIPE = "docs/security.md (Secrets in the history)"


def _text(result: ScanResult) -> str:
    if not result.findings:
        return f"no secrets found in {result.commits} commits ({result.files} file versions read)"
    commits = result.commits_with_secrets
    lines = [
        f"found {len(result.findings)} secret{'s' if len(result.findings) != 1 else ''} in "
        f"{len(commits)} of {result.commits} commits:"
    ]
    for finding in result.findings:
        where = "commit message" if finding.in_message else escape_unsafe(finding.path)
        inside = f" {escape_unsafe(finding.field)}" if finding.field else ""
        lines.append(f"  {finding.commit[:12]} {finding.date[:10]} {where}{inside}: {finding.rule}")
    lines += [
        "",
        "These commits keep the secrets for anyone who can read the repository, even after a new",
        "sync masks them. Rotate the secrets, then rewrite the history with git filter-repo: the",
        f"recipe is in {RECIPE}. Values that are no secrets can be allowed under allow_secrets.",
    ]
    return "\n".join(lines)


def _json(result: ScanResult) -> str:
    data = {
        "clean": not result.findings,
        "commits_scanned": result.commits,
        "files_read": result.files,
        "commits_with_secrets": result.commits_with_secrets,
        "findings": [
            {
                "commit": f.commit,
                "date": f.date,
                "path": None if f.in_message else f.path,
                "in": "message" if f.in_message else "file",
                "resource": f.resource_id,
                "field": f.field or None,
                "rule": f.rule,
            }
            for f in result.findings
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def render_scan(result: ScanResult, fmt: str) -> str:
    """The scan's findings as `text` (with what to do next) or `json`; no newline at the end."""
    return _json(result) if fmt == "json" else _text(result)
