"""The message of a sync commit, and the counts its subject and the sync's output share.

The subject says what changed (`sync lab: 1 added, 3 changed, 0 removed`), the body one line per
resource and under it who made the change (diff/attribution.py: from the tasks and the cluster log
this sync recorded), then what could not be read, then trailers a tool can parse
(`Proxstate-Cluster: lab`, and one `Proxstate-Actor: <login> <resource> <confidence> <source>:<ref>`
per guest change and author, `<ref>` a task type or a log entry's `<uid>:<node>`;
`Proxstate-Actor: unattributed <resource>` where PVE recorded none).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from proxstate import __version__
from proxstate.app.plan import ClusterPlan
from proxstate.diff import Attribution, ChangeSet, ResourceChange, attribute, summarize
from proxstate.resources.kinds import CLUSTER_LOG, TASKS, kind_of
from proxstate.safetext import escape_unsafe

# Trailers name at most this many authors; a sync of a whole new cluster names none (all added).
MAX_ACTOR_TRAILERS = 200


def counts_text(changes: list[ResourceChange]) -> str:
    """`1 added, 3 changed, 0 removed`: the summary of commit subjects and of the sync's output."""
    counts = {"added": 0, "modified": 0, "removed": 0}
    for change in changes:
        counts[change.action] += 1
    return f"{counts['added']} added, {counts['modified']} changed, {counts['removed']} removed"


def attributed_changes(
    plan: ClusterPlan, *, since: float | None, label: Callable[[str], str | None] | None = None
) -> list[ResourceChange]:
    """The plan's changes with who made them, from the tasks and cluster log it records."""
    tasks: list[dict[str, Any]] = []
    log: list[tuple[str, dict[str, Any]]] = []
    for rid in plan.current:
        kind = kind_of(rid)
        if kind not in (TASKS, CLUSTER_LOG):
            continue  # held encoded (app/plan.py): only the days of history are decoded
        doc = plan.current[rid]
        if kind == TASKS and isinstance(doc.get("tasks"), dict):
            tasks += [{**task, "upid": upid} for upid, task in doc["tasks"].items() if isinstance(task, dict)]
        elif kind == CLUSTER_LOG and isinstance(doc.get("entries"), dict):
            log += [(str(key), entry) for key, entry in doc["entries"].items() if isinstance(entry, dict)]
    changeset = ChangeSet(base=None, target=None, resources=tuple(plan.changes))
    return list(attribute(changeset, tasks, log=log, since=since, until=None, label=label).resources)


def _by(attribution: Attribution) -> str:
    who = escape_unsafe(attribution.user)
    if attribution.label:
        who += f" [{escape_unsafe(attribution.label)}]"
    what = escape_unsafe(attribution.message or attribution.task_type)
    return f"  {'by' if attribution.confidence == 'exact' else 'likely by'} {who} ({what})"


def _trailer(change: ResourceChange, attribution: Attribution) -> str:
    rid = escape_unsafe(change.resource_id)
    if attribution.source == "none":
        return f"Proxstate-Actor: unattributed {rid}"
    # A task by its type (its UPID is in the recorded tasks and the JSON report); an entry by its id.
    ref = escape_unsafe(f"{attribution.source}:{attribution.task_type or attribution.entry}")
    return f"Proxstate-Actor: {escape_unsafe(attribution.user)} {rid} {attribution.confidence} {ref}"


def commit_message(
    plan: ClusterPlan,
    *,
    extra: str | None,
    since: float | None = None,
    label: Callable[[str], str | None] | None = None,
) -> str:
    """The message of a sync commit; `since`: when the commit it builds on was made (the window of
    the attribution). Names from the API are escaped: they cannot add a line (or a trailer) to the
    message, nor hold a NUL, which git refuses."""
    what = counts_text(plan.changes)
    cluster = escape_unsafe(plan.cluster)
    subject = f"sync {cluster}: {what}"
    changes = attributed_changes(plan, since=since, label=label)
    body: list[str] = []
    actors: list[str] = []
    for change in changes:
        body.append(escape_unsafe(summarize(change)))
        body += [_by(a) for a in change.attribution if a.source != "none"]
        # A new or removed guest without an author is no news: every guest of a first sync is one.
        actors += [_trailer(change, a) for a in change.attribution if change.action == "modified" or a.actor]
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
        *actors[:MAX_ACTOR_TRAILERS],
    ]
    parts = [subject, "\n".join(body)] if body else [subject]
    if notes:
        parts.append("\n".join(notes))
    parts.append("\n".join(trailers))
    return "\n\n".join(parts) + "\n"
