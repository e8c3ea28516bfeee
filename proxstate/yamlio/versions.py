"""Reading the versions of one document in turn, each decoded with the parts it shares with those before.

An hourly record changes a guest's document in a line or two between versions, and `log` and
`blame` read a thousand versions of it. `Versions().load(text)` gives what `load(text)` gives,
without decoding again what it has decoded before: it splits the text into its top-level entries
(a line at indent 0 and the deeper lines after it), and the entry of a mapping under a top-level
key into that mapping's entries, and decodes only the entries whose text it has not met yet; the
others are the values it decoded then. Versions thus share their unchanged parts: a reader of the
values must not change them in place (none does: documents are copied where they are adjusted).

Each entry decoded is checked as `load` checks a whole text: dumping it again gives its text back.
`dump` writes a mapping entry by entry, each from its key and value alone, so a text made of such
entries is what `dump` writes of the mapping they make, and it loads as that mapping. Anything
else (another style, a duplicate key, an explicit `? key`, a list at the top) is read by `load`.
"""

from __future__ import annotations

from typing import Any

from proxstate.errors import DepthError
from proxstate.limits import MAX_DOCUMENT_DEPTH, too_deep
from proxstate.yamlio.emit import _MAX_IMPLICIT_KEY, _emit_mapping, _single_line
from proxstate.yamlio.library import load
from proxstate.yamlio.own import _block, _key_split, _NotOwnStyle

# Entries kept; one document's versions hold a few hundred distinct ones. Past this, start again.
_MAX_ENTRIES = 100_000
_Entry = tuple[str, Any]


class Versions:
    """A reader of the versions of one document (or of a few similar ones)."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def load(self, text: str) -> Any:
        """The value of `text`, exactly as `yamlio.load(text)` gives it."""
        if len(self._entries) > _MAX_ENTRIES:
            self._entries.clear()
        try:
            document = self._document(text)
        except (_NotOwnStyle, DepthError, ValueError, IndexError, KeyError, RecursionError):
            document = None
        return load(text) if document is None else document

    def _document(self, text: str) -> dict[str, Any] | None:
        if not text.endswith("\n"):
            return None
        lines = text[:-1].split("\n")
        spans = _spans(lines, 0, len(lines), 0)
        if spans is None:
            return None
        document: dict[str, Any] = {}
        for start, stop in spans:
            key, value = self._entry(lines, start, stop, 0)
            if key in document:
                return None
            document[key] = value
        return document

    def _entry(self, lines: list[str], start: int, stop: int, indent: int) -> _Entry:
        text = "\n".join(lines[start:stop])
        known = self._entries.get(text)
        if known is not None:
            return known
        entry = self._nested(lines, start, stop) if indent == 0 and stop - start > 1 else None
        if entry is None:
            entry = _decoded(lines[start:stop], indent, text)
        # NaN is unequal to itself: a value holding one stays its own object in each version, so
        # that comparing versions tells what it told before.
        if ".nan" not in text:
            self._entries[text] = entry
        return entry

    def _nested(self, lines: list[str], start: int, stop: int) -> _Entry | None:
        """A top-level key whose value is a mapping, from the entries of that mapping."""
        split = _key_split(lines[start])
        if split is None or split[1] or lines[start + 1].startswith("  -"):
            return None
        key = split[0]
        key_text = _single_line(key)
        if len(key_text) > _MAX_IMPLICIT_KEY or lines[start] != f"{key_text}:":
            return None
        spans = _spans(lines, start + 1, stop, 2)
        if spans is None:
            return None
        mapping: dict[str, Any] = {}
        for first, end in spans:
            inner, value = self._entry(lines, first, end, 2)
            if inner in mapping:
                raise _NotOwnStyle
            mapping[inner] = value
        return key, mapping


def _spans(lines: list[str], start: int, stop: int, indent: int) -> list[tuple[int, int]] | None:
    """(first, end) line indexes of each mapping entry at `indent` in lines[start:stop]: its key's
    line and the deeper (or empty: in a literal block) lines after it. None when a line at
    `indent` starts no entry (a list item, an explicit key) or a line is shallower."""
    spans: list[tuple[int, int]] = []
    pad = " " * indent
    deeper = pad + " "
    first = start
    for index in range(start, stop):
        line = lines[index]
        if index > start and (not line or line.startswith(deeper)):
            continue
        if not line.startswith(pad) or line[indent : indent + 1] in ("", " ", "-", "?", ":"):
            return None
        if index > start:
            spans.append((first, index))
        first = index
    if stop > start:
        spans.append((first, stop))
    return spans


def _decoded(lines: list[str], indent: int, text: str) -> _Entry:
    """One mapping entry at `indent`, decoded and checked: dumped again, it gives `text` back."""
    value, end = _block(list(lines), 0, indent)  # a copy: _block rewrites the lines of list items
    if end != len(lines) or not isinstance(value, dict) or len(value) != 1:
        raise _NotOwnStyle
    out: list[str] = []
    _emit_mapping(value, indent, out)
    if "\n".join(out) != text:
        raise _NotOwnStyle
    ((key, item),) = value.items()
    # The document holds this entry's value `indent // 2 + 1` levels down.
    if too_deep(item, MAX_DOCUMENT_DEPTH - indent // 2 - 1):
        raise DepthError("too deep")  # `load` says it of the whole document
    return key, item


__all__ = ["Versions"]
