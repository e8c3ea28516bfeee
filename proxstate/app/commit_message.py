"""The message of a sync commit, and the counts its subject and the sync's output share.

The subject says what changed (`sync lab: 1 added, 3 changed, 0 removed`), the body one line per
resource, then what could not be read, then trailers a tool can parse (`Proxstate-Cluster: lab`).
"""

from __future__ import annotations

from proxstate import __version__
from proxstate.app.plan import ClusterPlan
from proxstate.diff import ResourceChange, summarize
from proxstate.safetext import escape_unsafe


def counts_text(changes: list[ResourceChange]) -> str:
    """`1 added, 3 changed, 0 removed`: the summary of commit subjects and of the sync's output."""
    counts = {"added": 0, "modified": 0, "removed": 0}
    for change in changes:
        counts[change.action] += 1
    return f"{counts['added']} added, {counts['modified']} changed, {counts['removed']} removed"


def commit_message(plan: ClusterPlan, *, extra: str | None) -> str:
    """The message of a sync commit. Names from the API are escaped: they cannot add a line (or a
    trailer) to the message, nor hold a NUL, which git refuses."""
    what = counts_text(plan.changes)
    cluster = escape_unsafe(plan.cluster)
    subject = f"sync {cluster}: {what}"
    body = [escape_unsafe(summarize(change)) for change in plan.changes]
    if extra:
        body = [extra, "", *body]
    notes = [
        f"Unreachable: node {escape_unsafe(n)} (its guests kept their last state)"
        for n in plan.unreachable_nodes
    ]
    notes += [
        f"Not read: {escape_unsafe(f.resource_id)} ({escape_unsafe(f.reason)})"
        for f in plan.failures
        if not f.node_unreachable
    ]
    trailers = [
        f"Proxstate-Cluster: {cluster}",
        f"Proxstate-PVE-Version: {plan.pve_version or 'unknown'}",
        f"Proxstate-Version: {__version__}",
    ]
    parts = [subject, "\n".join(body)] if body else [subject]
    if notes:
        parts.append("\n".join(notes))
    parts.append("\n".join(trailers))
    return "\n\n".join(parts) + "\n"
