"""The words of a notification: a title, and a body in Markdown or text, bounded in size.

The body of a change or drift message is the change report of proxstate/report/ (the same text
`show-changes` and `drift` print: its summary, then each resource) for the first `max_changes`
resources, then `... and N more resources:` naming the others; a body longer than `max_length`
characters is cut at a line.
Hooks get the JSON report instead (`payload`).
"""

from __future__ import annotations

from typing import Any

from proxstate.diff import ChangeSet, ResourceChange
from proxstate.notify.events import Message
from proxstate.report import changeset_document, render_markdown, render_text
from proxstate.safetext import escape_unsafe

_NAMED = 50  # resources left out of the report that are still named


def title_of(message: Message) -> str:
    return escape_unsafe(message.title)


def body_of(message: Message, *, markdown: bool) -> str:
    """The message's body for a target that renders Markdown (`markdown`) or plain text."""
    target = message.target
    lines: list[str] = []
    if message.reason:
        lines.append(escape_unsafe(message.reason))
    if message.note:
        lines.append(message.note)
    if message.since:
        lines.append(
            ("failing since " if message.status != "recovered" else "had failed since ") + message.since
        )
    if message.changeset is not None and message.changeset.resources:
        changeset = message.changeset
        shown = changeset.resources[: target.max_changes]
        part = ChangeSet(base=changeset.base, target=changeset.target, resources=shown)
        report = render_markdown(part, title=message.cluster) if markdown else render_text(part, color=False)
        lines.append(report.rstrip("\n"))
        rest = changeset.resources[len(shown) :]
        if rest:
            lines.append(_more(rest))
    if message.url:
        lines.append(f"[{message.url}]({message.url})" if markdown else message.url)
    return _bounded("\n\n".join(lines), limit=target.max_length, tail=message.url, markdown=markdown)


def payload(message: Message, *, repository: str) -> dict[str, Any]:
    """The JSON document an exec hook reads on its standard input."""
    document: dict[str, Any] = {
        "event": message.event,
        "status": message.status,
        "cluster": message.cluster,
        "title": message.title,
        "repository": repository,
        "commit_url": message.url,
    }
    if message.reason is not None:
        document["reason"] = message.reason
    if message.since is not None:
        document["since"] = message.since
    if message.changeset is not None:
        document["report"] = changeset_document(message.changeset)
    return document


def _more(rest: tuple[ResourceChange, ...]) -> str:
    """`... and 12 more resources: qemu/110 web10, ...`: the ones left out, by name."""
    names = [escape_unsafe(r.resource_id if r.name is None else f"{r.resource_id} {r.name}") for r in rest]
    listed = ", ".join(names[:_NAMED]) + (", ..." if len(names) > _NAMED else "")
    return f"... and {len(rest)} more resource{'s' if len(rest) != 1 else ''}: {listed}"


def _bounded(text: str, *, limit: int, tail: str | None, markdown: bool) -> str:
    """`text` within `limit` characters: whole lines, a note of what was left out, the link kept."""
    if len(text) <= limit:
        return text
    keep = limit - 120 - (len(tail) * 2 + 4 if tail else 0)
    cut = text[: max(keep, 0)].rsplit("\n", 1)[0]
    if markdown and cut.count("```") % 2:
        cut += "\n```"  # a code block left open would swallow the note
    dropped = text[len(cut) :].count("\n") + 1
    note = f"... and {dropped} more lines (the whole report: proxstate show-changes, or drift)"
    parts = [cut, note] + ([f"[{tail}]({tail})" if markdown else tail] if tail else [])
    return "\n\n".join(parts)
