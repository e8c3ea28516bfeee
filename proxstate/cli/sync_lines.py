"""The lines a sync prints for each cluster (`proxstate sync`, `proxstate demo`): what it committed,
what the login may not read, what the secret detector masked."""

from __future__ import annotations

from proxstate.app.commit_message import counts_text
from proxstate.app.sync import ClusterSync
from proxstate.safetext import escape_unsafe


def summary_line(done: ClusterSync, *, dry_run: bool) -> str:
    plan = done.plan
    what = counts_text(plan.changes)
    cluster = escape_unsafe(plan.cluster)
    if not plan.files:
        head = f"{cluster}: no changes"
    elif dry_run:
        head = f"{cluster}: would commit {what}"
    else:
        head = f"{cluster}: committed {(done.commit or '')[:12]}: {what}"
    notes = []
    if plan.unreachable_nodes:
        notes.append("unreachable: " + ", ".join(escape_unsafe(n) for n in plan.unreachable_nodes))
    unread = [f for f in plan.failures if not f.node_unreachable]
    if unread:
        notes.append(f"{len(unread)} not read")
    return head + (f" ({'; '.join(notes)})" if notes else "")


def not_permitted_line(done: ClusterSync) -> str:
    """The kinds the login may not read by design, once per sync (docs/configuration.md)."""
    named = "; ".join(
        f"{escape_unsafe(f.resource_id)} {escape_unsafe(f.reason)}" for f in done.plan.not_permitted
    )
    return f"{escape_unsafe(done.plan.cluster)}: not recorded, this login may not read them: {named}"


def detection_lines(done: ClusterSync) -> list[str]:
    """What the secret detector masked (the path and the kind of secret, never the value)."""
    found = done.plan.detections
    if not found:
        return []
    cluster = escape_unsafe(done.plan.cluster)
    lines = [
        f"{cluster}: masked {len(found)} value{'s' if len(found) != 1 else ''} that look like secrets "
        "(a false positive can be allowed under allow_secrets in proxstate.yaml):"
    ]
    lines += [f"  {escape_unsafe(d.resource_id)} {escape_unsafe(d.field)}: {d.rule}" for d in found]
    return lines
