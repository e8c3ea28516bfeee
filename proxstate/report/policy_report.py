"""What `proxstate check` found, as text (terminal), JSON (machines) or Markdown (a PR comment);
and the rules `check --list` shows."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from proxstate.policy import Rule, Violation, Waiver
from proxstate.report.policy_markdown import render_check_markdown
from proxstate.report.policy_values import detail_text, introduced_text, summary_line, waiver_text, where
from proxstate.safetext import escape_unsafe

if TYPE_CHECKING:
    from proxstate.app.check import CheckResult

CHECK_FORMATS = ("text", "json", "markdown")
CHECK_FORMAT_VERSION = 1


def render_check(result: CheckResult, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(check_document(result), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return render_check_markdown(result)
    return render_check_text(result)


def render_check_text(result: CheckResult) -> str:
    commit = result.commit
    when = commit.date[:16].replace("T", " ")
    lines = [f"proxstate check at {commit.short} ({when}, {escape_unsafe(commit.subject)})"]
    clusters = len({v.cluster for v in result.violations})
    by_rule: dict[str, list[Violation]] = {}
    for violation in result.violations:
        by_rule.setdefault(violation.rule, []).append(violation)
    for rule_id, found in by_rule.items():
        first = found[0]
        lines.append("")
        lines.append(f"{first.severity.upper()} {rule_id}: {first.description} ({len(found)})")
        width = max(len(where(v, clusters=clusters)) for v in found)
        for violation in found:
            notes = [detail_text(violation.detail), introduced_text(violation, result)]
            if violation.waiver is not None:
                notes.append(waiver_text(violation.waiver, waived=violation.waived))
            text = "  ".join(note for note in notes if note)
            lines.append(f"  {where(violation, clusters=clusters):<{width}}  {text}".rstrip())
    for waiver in result.expired_waivers:
        if not any(v.waiver is waiver for v in result.violations):
            lines.append(
                f"note: the waiver of {waiver.rule} for {waiver.resource} expired on {waiver.expires}"
            )
    lines.append("")
    lines.append(summary_line(result))
    return "\n".join(lines) + "\n"


def _waiver(waiver: Waiver | None) -> dict[str, Any] | None:
    if waiver is None:
        return None
    return {
        "rule": waiver.rule,
        "resource": waiver.resource,
        "cluster": waiver.cluster,
        "reason": waiver.reason,
        "expires": waiver.expires.isoformat(),
    }


def check_document(result: CheckResult) -> dict[str, Any]:
    """The JSON report: stable keys, `format` bumped on an incompatible change."""

    def commit(ref: Any) -> dict[str, str] | None:
        return None if ref is None else {"sha": ref.sha, "date": ref.date, "subject": ref.subject}

    return {
        "format": CHECK_FORMAT_VERSION,
        "commit": commit(result.commit),
        "since": commit(result.base),
        "policy": result.policy.source,
        "rules": len(result.policy.rules),
        "documents": result.documents,
        "summary": {
            "violations": len(result.violations),
            "failing": len(result.failing),
            "waived": sum(1 for v in result.violations if v.waived),
            "new": None if result.base is None else sum(1 for v in result.violations if v.new),
        },
        "violations": [
            {
                "rule": v.rule,
                "severity": v.severity,
                "description": v.description,
                "cluster": v.cluster,
                "resource": v.resource_id,
                "detail": v.detail,
                "waived": v.waived,
                "waiver": _waiver(v.waiver),
                "new": v.new,
                "introduced": None
                if v.introduced is None
                else {
                    "sha": v.introduced.sha,
                    "date": v.introduced.date,
                    "subject": v.introduced.subject,
                    "actors": list(v.introduced.actors),
                },
            }
            for v in result.violations
        ],
        "expired_waivers": [_waiver(w) for w in result.expired_waivers],
    }


def rule_rows(rules: Sequence[Rule]) -> list[dict[str, Any]]:
    rows = []
    for rule in rules:
        applies = rule.applies_to
        scope = [*applies.kinds, *applies.resources] or ["everything"]
        rows.append(
            {
                "id": rule.id,
                "severity": rule.severity,
                "applies_to": ", ".join(scope),
                "description": rule.description,
                "source": "built-in" if rule.builtin else "policy.yaml",
                "condition": rule.condition.text,
                "detail": rule.detail.text if rule.detail else None,
                "params": rule.params,
            }
        )
    return rows


def render_rules_markdown(rows: Sequence[dict[str, Any]]) -> str:
    """The rules as a Markdown table (`check --list --format markdown`)."""
    lines = ["| id | severity | applies to | source | description |", "|---|---|---|---|---|"]
    for row in rows:
        cells = [f"`{row['id']}`", row["severity"], row["applies_to"], row["source"], row["description"]]
        shown = (escape_unsafe(str(cell)).replace("|", "\\|").replace("*", "\\*") for cell in cells)
        lines.append("| " + " | ".join(shown) + " |")
    return "\n".join(lines) + "\n"
