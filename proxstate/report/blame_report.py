"""What `proxstate blame` found, as text (a table: field, value, snapshot, who) or JSON/YAML."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from proxstate.diff import Attribution
from proxstate.report.formats import render_data
from proxstate.report.values import display, escape_unsafe, shorten

if TYPE_CHECKING:
    from proxstate.app.blame import Blame, BlameLine

BLAME_FORMATS = ("text", "json", "yaml")


def render_blame(found: Blame, fmt: str) -> str:
    """The blame of one resource in `fmt` (text, json or yaml); no newline at the end."""
    if fmt != "text":
        return render_data(blame_document(found), fmt)
    rows = [
        (line.path, shorten(display(line.value), 40), _snapshot(line), _who(line)) for line in found.lines
    ]
    widths = [max([len(head), *(len(row[n]) for row in rows)]) for n, head in enumerate(_HEADS[:3])]
    out = [f"{escape_unsafe(found.resource_id)} ({escape_unsafe(found.cluster)})"]
    for row in [_HEADS, *rows]:
        cells = [escape_unsafe(cell) if n == 0 else cell for n, cell in enumerate(row)]
        out.append(
            "  ".join(cell.ljust(widths[n]) if n < 3 else cell for n, cell in enumerate(cells)).rstrip()
        )
    return "\n".join(out)


_HEADS = ("FIELD", "VALUE", "SNAPSHOT", "BY")


def _snapshot(line: BlameLine) -> str:
    return f"{escape_unsafe(line.commit.short)} {escape_unsafe(line.commit.date[:16].replace('T', ' '))}"


def _who(line: BlameLine) -> str:
    if not line.attribution:
        return "-"
    return "; ".join(_one(a) for a in line.attribution)


def _one(attribution: Attribution) -> str:
    if attribution.source == "none":
        return "unattributed"
    who = escape_unsafe(attribution.user)
    if attribution.label:
        who += f" [{escape_unsafe(attribution.label)}]"
    what = shorten(escape_unsafe(attribution.message or attribution.task_type), 60)
    return f"{'' if attribution.confidence == 'exact' else 'likely '}{who} ({what})"


def blame_document(found: Blame) -> dict[str, Any]:
    """The blame as plain data: each field with its value, snapshot and attributions."""
    return {
        "cluster": found.cluster,
        "resource_id": found.resource_id,
        "fields": [
            {
                "path": line.path,
                "value": line.value,
                "commit": {"sha": line.commit.sha, "short": line.commit.short, "date": line.commit.date},
                "attribution": [
                    {
                        "actor": a.actor,
                        "source": a.source,
                        "confidence": a.confidence,
                        "label": a.label,
                        "time": a.time,
                        "what": a.message or a.task_type,
                        "ref": a.upid or a.entry,
                    }
                    for a in line.attribution
                ],
            }
            for line in found.lines
        ],
    }


__all__ = ["BLAME_FORMATS", "blame_document", "render_blame"]
