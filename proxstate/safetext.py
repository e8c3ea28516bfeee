"""Text from the API made safe to show: one line, nothing invisible, nothing that drives a terminal.

Used by every place that shows such text (reports, tables, warnings, error lines, commit
messages); it has no dependencies so that the command line can use it without loading the report
renderers.
"""

from __future__ import annotations

import unicodedata

_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Control, format (bidi, zero-width), line/paragraph separators, surrogates, private use, unassigned.
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def escape_unsafe(text: str) -> str:
    """`text` with every invisible or layout-changing character written as an escape."""
    if text.isprintable() and text.isascii():
        return text
    out = []
    for char in text:
        if char in _NAMED_ESCAPES:
            out.append(_NAMED_ESCAPES[char])
        elif unicodedata.category(char) in _UNSAFE_CATEGORIES:
            code = ord(char)
            out.append(
                f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
            )
        else:
            out.append(char)
    return "".join(out)
