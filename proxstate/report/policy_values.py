"""Pieces of the check report that the text and the Markdown share."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from proxstate.policy import Violation, Waiver
from proxstate.safetext import escape_unsafe

if TYPE_CHECKING:
    from proxstate.app.check import CheckResult


def detail_text(detail: Any) -> str:
    """A violation's detail on one line: a list joined by commas, a mapping as `key: value`."""
    if detail is None:
        return ""
    if isinstance(detail, list):
        return ", ".join(detail_text(item) for item in detail)
    if isinstance(detail, dict):
        return ", ".join(f"{key}: {detail_text(value)}" for key, value in detail.items() if value is not None)
    return escape_unsafe(str(detail))


def summary_line(result: CheckResult) -> str:
    violations = result.violations
    if not violations:
        return f"no violations ({len(result.policy.rules)} rules, {result.documents} documents)"
    severities = Counter(v.severity for v in violations if not v.waived)
    parts = [f"{len(violations)} violation{'s' if len(violations) != 1 else ''}"]
    parts += [
        f"{severities[s]} {s}{'s' if severities[s] != 1 else ''}"
        for s in ("error", "warning", "info")
        if severities[s]
    ]
    waived = sum(1 for v in violations if v.waived)
    if waived:
        parts.append(f"{waived} waived")
    if result.base is not None:
        parts.append(f"{sum(1 for v in violations if v.new)} new since {result.base.short}")
    return ", ".join(parts)


def where(violation: Violation, *, clusters: int) -> str:
    resource = escape_unsafe(violation.resource_id)
    return f"{escape_unsafe(violation.cluster)} {resource}" if clusters > 1 else resource


def introduced_text(violation: Violation, result: CheckResult) -> str:
    if violation.introduced is not None:
        who = f" by {', '.join(violation.introduced.actors)}" if violation.introduced.actors else ""
        return f"new in {violation.introduced.sha[:7]} ({violation.introduced.date[:10]}){escape_unsafe(who)}"
    if result.base is not None and violation.new is False:
        return f"already at {result.base.short}"
    return ""


def waiver_text(waiver: Waiver, *, waived: bool) -> str:
    state = "waived until" if waived else "waiver expired on"
    return f"{state} {waiver.expires.isoformat()}: {escape_unsafe(waiver.reason)}"
