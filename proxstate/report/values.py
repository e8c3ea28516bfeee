"""Compact, safe one-line forms of recorded values, shared by the text and Markdown reports.

Values come from the PVE API and can hold anything: newlines, terminal escape sequences,
bidirectional overrides, zero-width characters. They are shown on one line with such characters
written as escapes (`\\n`, `\\x1b`, `\\u202e`), so a value can neither break the layout nor drive
the terminal nor hide what it says.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from proxstate.diff import Attribution, CommitRef, is_masked
from proxstate.safetext import escape_unsafe

ELLIPSIS = "…"
NOTE_MASKED_CHANGED = "(secret changed)"
NOTE_MASKED = "(secret)"


def shorten(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS


def display(value: Any) -> str:
    """A one-line form of a recorded value: `2048`, `true`, `null`, `[prod, web]`, `{a: 1}`."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _display_string(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_display_key(key)}: {display(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(display(item) for item in value) + "]"
    return escape_unsafe(str(value))


def _display_string(value: str) -> str:
    # Quote only when the bare form would be misread: empty, padded, or spelled like another type.
    looks_other = value in ("null", "true", "false") or _is_number(value)
    if not value or value != value.strip() or looks_other:
        return '"' + escape_unsafe(value.replace("\\", "\\\\").replace('"', '\\"')) + '"'
    return escape_unsafe(value)


def _display_key(key: Any) -> str:
    return escape_unsafe(str(key)) if isinstance(key, str) and key else display(key)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def fits_one_line(*values: Any, limit: int = 70) -> bool:
    """True when the values are short lists of plain values (tags, a boot order): one line says
    their change better than element by element."""
    lists = [value for value in values if value is not None]
    plain = all(
        isinstance(value, list | tuple) and not any(isinstance(item, dict | list | tuple) for item in value)
        for value in lists
    )
    return plain and sum(len(display(value)) for value in lists) <= limit


def leaves(document: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Every field of a document as (dotted path, value); a list of plain values is one value."""
    if isinstance(document, dict) and document:
        found: list[tuple[str, Any]] = []
        for key, item in document.items():
            found.extend(leaves(item, f"{prefix}.{key}" if prefix else str(key)))
        return found
    if isinstance(document, list | tuple) and any(isinstance(item, dict | list | tuple) for item in document):
        found = []
        for index, item in enumerate(document, start=1):
            found.extend(leaves(item, f"{prefix}.{index}" if prefix else str(index)))
        return found
    return [(prefix, NOTE_MASKED if is_masked(document) else document)]


def commit_label(commit: CommitRef | None, *, live: str) -> str:
    """`a1b2c3d (2026-11-25T10:00:00Z, sync: 3 changes)`, or `live` for None."""
    if commit is None:
        return live
    subject = shorten(escape_unsafe(commit.subject), 60)
    return f"{escape_unsafe(commit.short)} ({escape_unsafe(commit.date)}, {subject})"


def attribution_data(attribution: Attribution) -> dict[str, Any]:
    """An attribution as the JSON report writes it (the one place that lists its fields)."""
    return {
        "actor": attribution.actor,
        "source": attribution.source,
        "confidence": attribution.confidence,
        "label": attribution.label,
        "fields": list(attribution.fields),
        "message": attribution.message,
        "entry": attribution.entry,
        "user": attribution.user,
        "task_type": attribution.task_type,
        "time": attribution.time,
        "upid": attribution.upid,
    }


def attribution_line(attribution: Attribution) -> str:
    """`by alice@pve!ci (update VM 104: -memory 16384, 2026-11-25 10:02 UTC)` when one record
    explains the change; `likely by alice@pve (qmigrate, 2026-11-25 10:02 UTC; best effort)` when
    several could; `unattributed: PVE recorded no author (config.memory)` when none did."""
    if attribution.source == "none":
        fields = shorten(", ".join(escape_unsafe(path) for path in attribution.fields), 80)
        return "unattributed: PVE recorded no author" + (f" ({fields})" if fields else "")
    who = escape_unsafe(attribution.user)
    if attribution.label:
        who += f" [{escape_unsafe(attribution.label)}]"
    what = shorten(escape_unsafe(attribution.message or attribution.task_type), 100)
    if attribution.confidence == "exact":
        return f"by {who} ({what}, {_utc_minute(attribution.time)})"
    return f"likely by {who} ({what}, {_utc_minute(attribution.time)}; best effort)"


def _utc_minute(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return escape_unsafe(iso)
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def counts_line(added: int, modified: int, removed: int) -> str:
    """`1 added, 2 modified, 0 removed`."""
    return f"{added} added, {modified} modified, {removed} removed"


# escape_unsafe lives in proxstate.safetext (the command line uses it without the renderers);
# it stays importable from here.
__all__ = [
    "ELLIPSIS",
    "NOTE_MASKED",
    "NOTE_MASKED_CHANGED",
    "attribution_data",
    "attribution_line",
    "commit_label",
    "counts_line",
    "display",
    "escape_unsafe",
    "fits_one_line",
    "leaves",
    "shorten",
]
