"""One-line summaries of resource changes, for commit message bodies."""

from __future__ import annotations

from collections import Counter

from proxstate.diff.collections import failed_task, task_line
from proxstate.diff.model import ChangeSet, FieldChange, ResourceChange

_CONFIG_PREFIX = "config."


def summarize(change: ResourceChange, *, limit: int = 6) -> str:
    """`qemu/101 web01: memory, net0.bridge`; `lxc/200 ct1: added`; long lists end in `... and N more`."""
    label = change.resource_id if change.name is None else f"{change.resource_id} {change.name}"
    if change.action != "modified" or not change.fields:
        return f"{label}: {change.action}"
    if change.resource_id.startswith("tasks/"):
        # UPIDs are long and say little in a summary; the count and the types say enough.
        added = [field for field in change.fields if field.action == "added"]
        types = sorted({str(field.path.split(":")[5]) for field in added if field.path.count(":") >= 6})
        noun = "task" if len(added) == 1 else "tasks"
        text = f"{label}: {len(added)} {noun} finished" + (f" ({', '.join(types)})" if types else "")
        failed = [task_line(field.new) for field in added if failed_task(field.new)]
        return text + (f"; failed: {', '.join(failed[:limit])}" if failed else "")
    if change.resource_id.startswith("cluster-log/"):
        logged = sum(1 for field in change.fields if field.action == "added")
        return f"{label}: {logged} {'entry' if logged == 1 else 'entries'} logged"
    # Config keys are what users know (`qm set --memory`), so the `config.` prefix is noise here.
    paths = list(dict.fromkeys(_short_path(field.path) + _counted(field) for field in change.fields))
    shown = paths[: max(limit, 1)]
    rest = len(paths) - len(shown)
    text = ", ".join(shown)
    if rest > 0:
        text += f" ... and {rest} more"
    return f"{label}: {text}"


def summarize_changeset(changeset: ChangeSet, *, limit: int = 6) -> list[str]:
    """One `summarize` line per resource, prefixed with the cluster when there are several."""
    clusters = {resource.cluster for resource in changeset.resources}
    lines = []
    for resource in changeset.resources:
        line = summarize(resource, limit=limit)
        lines.append(f"{resource.cluster}: {line}" if len(clusters) > 1 else line)
    return lines


def _counted(field: FieldChange) -> str:
    """` (1 rule added, 3 moved)`: what a list's elements did (nothing for one keyed element)."""
    if len(field.elements) < 2 and not (field.elements and field.elements[0].old_position is not None):
        return ""
    # A shift by an insertion or removal before it is not worth a word; a reordering is.
    counts = Counter(e.action for e in field.elements if e.action != "moved" or e.reordered)
    noun = field.elements[0].noun
    words = [
        f"{counts[action]} {action}" for action in ("added", "removed", "changed", "moved") if counts[action]
    ]
    return f" ({noun}s: {', '.join(words)})" if words else ""


def _short_path(path: str) -> str:
    return path.removeprefix(_CONFIG_PREFIX)
