"""A fast reader for text that `dump` wrote, trusted only when dumping its result gives the text back."""

from __future__ import annotations

import math
import re
from typing import Any

from proxstate.yamlio.emit import _ESCAPES, dump

# --------------------------------------------------------------------------- reading our own output


class _NotOwnStyle(Exception):
    """The text is not in dump's exact style: let the YAML library read it."""


_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_UNESCAPE = re.compile(r"\\(x[0-9A-F]{2}|u[0-9A-F]{4}|U[0-9A-F]{8}|.)")
_UNESCAPES = {escape[1]: char for char, escape in _ESCAPES.items()}
_INT = re.compile(r"-?(?:0|[1-9][0-9]*)")
_FLOAT = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+(?:e[-+][0-9]+)?")
_PLAIN_WORDS: dict[str, Any] = {
    "null": None, "true": True, "false": False, ".inf": math.inf, "-.inf": -math.inf, ".nan": math.nan,
}  # fmt: skip


def _read_own(text: str) -> Any:
    """The value of a text that `dump` wrote; _NotOwnStyle for any other text.

    A small line parser, many times faster than a general YAML reader. Its result is only
    trusted when dumping it gives back exactly `text`: then, since every dumped value loads
    back as itself, it is the value any YAML reader finds.
    """
    if not text.endswith("\n"):
        raise _NotOwnStyle
    lines = text[:-1].split("\n")
    try:
        value, end = _block(lines, 0, 0)
    except (_NotOwnStyle, ValueError, IndexError, KeyError, RecursionError):
        raise _NotOwnStyle from None
    if end != len(lines) or dump(value) != text:
        raise _NotOwnStyle
    return value


def _block(lines: list[str], index: int, indent: int) -> tuple[Any, int]:
    """The mapping or sequence whose lines start at `index`, indented by `indent`."""
    line = lines[index]
    if len(line) - len(line.lstrip(" ")) != indent:
        raise _NotOwnStyle
    if line.startswith("- ", indent):
        items: list[Any] = []
        while index < len(lines) and lines[index].startswith(" " * indent + "- "):
            rest = lines[index][indent + 2 :]
            if rest.startswith("- ") or _key_split(rest) is not None:
                lines[index] = " " * (indent + 2) + rest  # the item is a collection that starts here
                item, index = _block(lines, index, indent + 2)
            else:
                item, index = _inline(rest, lines, index + 1, indent + 2)
            items.append(item)
        return items, index
    mapping: dict[str, Any] = {}
    pad = " " * indent
    while (
        index < len(lines)
        and lines[index].startswith(pad)
        and lines[index][indent : indent + 1] not in (" ", "-")
    ):
        split = _key_split(lines[index][indent:])
        if split is None:
            raise _NotOwnStyle
        key, rest = split
        if rest:
            mapping[key], index = _inline(rest, lines, index + 1, indent + 2)
        else:
            mapping[key], index = _block(lines, index + 1, indent + 2)
    return mapping, index


def _key_split(body: str) -> tuple[str, str] | None:
    """(key, text after `key: `) of a mapping entry, or None when `body` is not one."""
    if body.startswith('"'):
        quoted = _QUOTED.match(body)
        if quoted is None or not body.startswith(":", quoted.end()):
            return None
        return _unquote(quoted.group(1)), body[quoted.end() + 2 :]
    colon = body.find(": ")
    if colon > 0:
        return body[:colon], body[colon + 2 :]
    return (body[:-1], "") if body.endswith(":") and len(body) > 1 else None


def _inline(scalar: str, lines: list[str], index: int, indent: int) -> tuple[Any, int]:
    """The value written as `scalar` after `key: ` or `- `, and the index of the line after it."""
    if scalar in ("|", "|-", "|+"):
        pad = " " * indent
        content: list[str] = []
        while index < len(lines) and (not lines[index] or lines[index].startswith(pad)):
            content.append(lines[index][indent:])
            index += 1
        kept = len(content)
        while content and not content[-1]:
            content.pop()
        body = "\n".join(content)
        return body + {"|-": "", "|": "\n", "|+": "\n" * (kept - len(content) + 1)}[scalar], index
    if scalar.startswith('"'):
        quoted = _QUOTED.fullmatch(scalar)
        if quoted is None:
            raise _NotOwnStyle
        return _unquote(quoted.group(1)), index
    if scalar in _PLAIN_WORDS:
        return _PLAIN_WORDS[scalar], index
    if scalar in ("{}", "[]"):
        return ({} if scalar == "{}" else []), index
    if _INT.fullmatch(scalar):
        return int(scalar), index
    if _FLOAT.fullmatch(scalar):
        return float(scalar), index
    return scalar, index


def _unquote(body: str) -> str:
    def replace(match: re.Match[str]) -> str:
        escape = match.group(1)
        return chr(int(escape[1:], 16)) if len(escape) > 1 else _UNESCAPES[escape]

    return _UNESCAPE.sub(replace, body)
