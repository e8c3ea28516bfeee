"""The lines of a collection's change, as `terraform plan` shows list and set changes:

    + rule 1: IN DROP source 203.0.113.0/24 comment "block scanner"
    = 3 rules moved down by 1, their order kept
    ~ entry 10.0.0.0/24: comment old -> new
    ! task qmstart 109 root@pam "TASK ERROR: ..." (failed)

Shared by the text and Markdown reports; every text from the record is escaped here.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from proxstate.diff import ElementChange, FieldChange
from proxstate.diff.collections import binary_size, failed_task
from proxstate.report.values import NOTE_MASKED, NOTE_MASKED_CHANGED, display, fits_one_line
from proxstate.safetext import escape_unsafe

OK_TASKS_SHOWN = 8  # a busy day's successful tasks are counted past this; failed ones always shown
SYMBOLS = {"added": "+", "removed": "-", "changed": "~", "moved": ">", "kept": "=", "failed": "!"}


@dataclass(frozen=True)
class Line:
    """One line of an element change: its action (for the symbol and colour), its text, and
    `depth` 1 for a field of a changed element."""

    action: str
    text: str
    depth: int = 0

    @property
    def symbol(self) -> str:
        return SYMBOLS[self.action]


def shows_elements(field: FieldChange) -> bool:
    """True when a field reads best element by element; False when as one value (a short list of
    plain values such as tags: `[prod, web] -> [frontend, prod, web]`)."""
    if field.secret or not field.elements:
        return False
    return not (field.elements[0].noun == "item" and fits_one_line(field.old, field.new))


def listed_under_path(field: FieldChange) -> bool:
    """A list of its own, not a declared collection: its elements go under its path."""
    return bool(field.elements) and field.elements[0].noun in ("item", "key")


def element_lines(field: FieldChange, *, full: bool = False) -> list[Line]:
    """The lines of a field's element changes (none when it has none)."""
    elements = field.elements
    if not elements:
        return []
    if elements[0].noun == "task":
        return _task_lines(elements, full=full)
    lines: list[Line] = []
    shifted = [e for e in elements if e.action == "moved" and not e.reordered]
    for element in elements:
        if element in shifted:
            continue
        lines.extend(_lines(element))
    if shifted:
        lines.append(Line("kept", _shifted(shifted)))
    return lines


def _lines(element: ElementChange) -> list[Line]:
    name = escape_unsafe(element_name(element))
    if element.secret:
        note = NOTE_MASKED_CHANGED if element.action == "changed" else NOTE_MASKED
        return [Line(element.action, f"{name}: {note}")]
    label = escape_unsafe(element.label)
    if not label or (element.title.endswith(element.key) and label == element.key):
        described = name
    elif name == element.noun:
        described = f"{name} {label}"  # a key of cloud-init's sshkeys: `key ssh-ed25519 AAAA...`
    else:
        described = f"{name}: {label}"
    if element.action != "changed":
        return [Line(element.action, described)]
    changes = [_sized(change) for change in element.changes] if element.noun == "volume" else element.changes
    if len(changes) == 1:
        return [Line("changed", f"{name}: {_inner(changes[0], inline=True)}")]
    return [Line("changed", described), *(Line(_inner_action(c), _inner(c), depth=1) for c in changes)]


def _sized(change: tuple[str, object, object]) -> tuple[str, object, object]:
    """A volume's size in bytes as PVE's GUI shows it: `4 GiB -> 8 GiB`."""
    path, old, new = change
    if path != "size":
        return change
    return path, _size(old), _size(new)


def _size(value: object) -> object:
    return binary_size(value) if isinstance(value, int) and not isinstance(value, bool) else value


def element_name(element: ElementChange) -> str:
    """How the reports name an element: `rule 3`, `rule 2 (was 4)`, `entry 10.0.0.0/24`."""
    title = element.title or element.noun
    if element.action == "removed" and element.old_position is not None:
        return f"{title} {element.old_position}"
    if element.new_position is None:
        return title
    if element.old_position is not None and element.old_position != element.new_position:
        return f"{title} {element.new_position} (was {element.old_position})"
    return f"{title} {element.new_position}"


def _inner(change: tuple[str, object, object], *, inline: bool = False) -> str:
    path, old, new = change
    name = escape_unsafe(path) + ("" if inline else ":")
    if old is None:
        return f"{name} {display(new)}"
    if new is None:
        return f"{escape_unsafe(path)} removed (was {display(old)})"
    return f"{name} {display(old)} -> {display(new)}"


def _inner_action(change: tuple[str, object, object]) -> str:
    _, old, new = change
    return "added" if old is None else "removed" if new is None else "changed"


def _shifted(elements: list[ElementChange]) -> str:
    noun = elements[0].noun
    count = len(elements)
    plural = noun if count == 1 else f"{noun}s"
    deltas = {(e.new_position or 0) - (e.old_position or 0) for e in elements}
    if len(deltas) == 1:
        delta = deltas.pop()
        way = "down" if delta > 0 else "up"
        return f"{count} {plural} moved {way} by {abs(delta)}, their order kept"
    return f"{count} {plural} moved, their order kept"


def _task_lines(elements: tuple[ElementChange, ...], *, full: bool) -> list[Line]:
    """A day's tasks: each failed one on its line, the successful ones too unless there are many."""
    failed = [e for e in elements if _failed(e)]
    fine = [e for e in elements if not _failed(e)]
    lines = [Line("failed", _task(e)) for e in failed]
    if full or len(fine) <= OK_TASKS_SHOWN:
        lines.extend(Line(e.action, _task(e)) for e in fine)
        return lines
    types = Counter(str(e.new.get("type", "?")) if isinstance(e.new, dict) else "?" for e in fine)
    counted = ", ".join(f"{escape_unsafe(kind)} \u00d7{number}" for kind, number in sorted(types.items()))
    lines.append(Line("added", f"{len(fine)} tasks finished without error: {counted}"))
    return lines


def _task(element: ElementChange) -> str:
    """`task qmstart 109 by root@pam: TASK ERROR: ...` (type, guest or id, user, status)."""
    return f"task {escape_unsafe(element.label)}"


def _failed(element: ElementChange) -> bool:
    return element.action != "removed" and failed_task(element.new)
