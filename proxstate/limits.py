"""Bounds on what proxstate accepts from the PVE API and from a state repository.

Real PVE answers are a few levels deep and a few megabytes at most (the task list of a busy node,
the content of a storage with thousands of volumes). The bounds below are far above that, and far
below what would exhaust memory or Python's recursion limit: an answer or a document beyond them
is refused as a failure of that one resource, never a crash.
"""

from __future__ import annotations

from typing import Any

# Decompressed bytes of one API answer. The largest real answers (tasks, storage content, the
# resources of 5,000 guests) are a few MiB; 64 MiB leaves room for clusters far larger.
MAX_ANSWER_BYTES = 64 * 1024 * 1024

# Nesting of one API answer (the `{"data": ...}` envelope is level 1). PVE answers go 4 or 5 deep.
MAX_ANSWER_DEPTH = 64

# Nesting of one recorded document: a document holds an answer under a few keys of its own, so
# this is above MAX_ANSWER_DEPTH; it keeps loading, rendering and diffing well within Python's
# recursion limit (1,000 frames; several frames per level).
MAX_DOCUMENT_DEPTH = 100

# Bytes of proxstate.yaml: a real one is a few kilobytes.
CONFIG_LIMIT = 4 * 1024 * 1024

_KEEP_QUOTES_AND_BRACKETS = bytes(range(256)).translate(None, b'"[]{}')  # the bytes to delete
_AS_PARENTHESES = bytes.maketrans(b"[{]}", b"(())")


def json_too_deep(body: bytes, limit: int = MAX_ANSWER_DEPTH) -> bool:
    """True if the containers of a JSON text nest more than `limit` levels, found without decoding.

    Escaped backslashes and quotes go first, then everything but quotes and brackets; what lies
    between a pair of quotes is a string, so it goes too. Left are the brackets of the structure:
    each pass takes out the innermost pairs, and what is left after `limit` passes is deeper.
    Every step runs in C (some 30 ms per MiB), and on a too deep text the passes stop at `limit`.
    """
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    unescaped = body.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = unescaped.translate(None, _KEEP_QUOTES_AND_BRACKETS)
    brackets = b"".join(marks.split(b'"')[::2]).translate(_AS_PARENTHESES)
    for _ in range(limit):
        if not brackets:
            return False
        brackets = brackets.replace(b"()", b"")
    return bool(brackets)


_CONTAINERS = (dict, list, tuple)


def too_deep(value: Any, limit: int = MAX_DOCUMENT_DEPTH) -> bool:
    """True if the lists and mappings of a decoded value nest more than `limit` levels.

    Iterative, so that a value nested thousands of levels deep is measured without recursion;
    level by level, so that it stops at the first level beyond the limit. The readers of a history
    check each version of a document (some 20 microseconds each): scalars are passed over at once.
    """
    level = [value] if isinstance(value, _CONTAINERS) else []
    depth = 1
    while level:
        if depth > limit:
            return True
        below = []
        for item in level:
            for child in item.values() if isinstance(item, dict) else item:
                if isinstance(child, _CONTAINERS):
                    below.append(child)
        level = below
        depth += 1
    return False


__all__ = [
    "CONFIG_LIMIT",
    "MAX_ANSWER_BYTES",
    "MAX_ANSWER_DEPTH",
    "MAX_DOCUMENT_DEPTH",
    "json_too_deep",
    "too_deep",
]
