"""YAML text of proxstate documents: one fixed, review-friendly style, and a safe loader.

`dump` is a small emitter for JSON-like data (str, int, float, bool, None, list, dict with str
keys): it is many times faster than a general YAML emitter and its output never depends on a
library version. `load` reads text in that exact style with a small parser of its own (checked
by dumping the result again) and everything else with ruamel.yaml's safe loader, YAML 1.2 core
schema.

The style: block collections, 2-space indent with sequences indented under their key, keys in
the order given, no anchors, no line wrapping, a trailing newline. Strings are plain when every
YAML 1.1 or 1.2 reader reads them back as the same string; otherwise multi-line strings are
literal blocks (`|`, `|-`, `|+`) and the rest double-quoted with escapes.

Non-finite floats are written as YAML's `.inf`, `-.inf` and `.nan` and load back as floats
(NaN, being unequal to itself, loads back as a NaN). Timestamps and the `=`/`<<` scalars of
files edited by hand load as strings: documents hold no other types than JSON's.
"""

from __future__ import annotations

import functools
import math
import re
import threading
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.constructor import SafeConstructor
from ruamel.yaml.error import YAMLError

from proxstate.errors import StoreError

__all__ = ["dump", "line_of", "load"]

# Characters written as they are. Everything else (C0/C1 controls, DEL, surrogates, U+FFFE/F,
# the BOM, and NEL/LS/PS, which YAML 1.1 readers take for line breaks) is escaped.
_SAFE_RANGES = "\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff"
_UNSAFE_CHAR = re.compile(f"[^{_SAFE_RANGES}]")
_UNSAFE_IN_LITERAL = re.compile(f"[^\n\t{_SAFE_RANGES}]")
_TO_ESCAPE = re.compile(f'["\\\\]|[^{_SAFE_RANGES}]')
_ESCAPES = {
    "\0": "\\0", "\a": "\\a", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\v": "\\v",
    "\f": "\\f", "\r": "\\r", "\x1b": "\\e", '"': '\\"', "\\": "\\\\",
    "\x85": "\\N", "\u2028": "\\L", "\u2029": "\\P",
}  # fmt: skip

# Plain scalars that a YAML 1.1 or 1.2 reader resolves to something other than a string
# (booleans, null, ints in any base, sexagesimals, floats, timestamps, merge and value keys).
# Deliberately wider than any one resolver: quoting too much is harmless.
_NOT_A_STRING = re.compile(
    r"""(?:
      y|yes|n|no|true|false|on|off|null|~|<<|=
    | [-+]?(?:0b[0-1_]*|0o?[0-7_]*|0x[0-9a-f_]*|[0-9_]+(?::[0-5]?[0-9])*)
    | [-+]?(?:[0-9][0-9_]*(?::[0-5]?[0-9])*)?\.?[0-9_]*(?:e[-+]?[0-9]+)?
    | [-+]?\.(?:inf|nan)
    | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt\ \t].*)?
    )""",
    re.X | re.I,
)
# A plain scalar cannot start with an indicator or end with `:`, nor hold `: ` or ` #`.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@` ")
# Longer keys are written as explicit `? key` entries: readers limit implicit keys to 1024 chars.
_MAX_IMPLICIT_KEY = 1000


def dump(document: Any) -> str:
    """The YAML text of a JSON-like value; StoreError for anything else."""
    out: list[str] = []
    if isinstance(document, (dict, list, tuple)) and document:
        _emit_collection(document, 0, out)
    else:
        _emit_scalar("", document, 2, out)
    return "\n".join(out) + "\n"


_Collection = dict[Any, Any] | list[Any] | tuple[Any, ...]


def _emit_collection(value: _Collection, indent: int, out: list[str]) -> None:
    if isinstance(value, dict):
        _emit_mapping(value, indent, out)
    else:
        _emit_sequence(value, indent, out)


def _emit_mapping(mapping: dict[Any, Any], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for key, value in mapping.items():
        if not isinstance(key, str):
            raise StoreError(f"cannot write a document with a {type(key).__name__} key ({key!r:.60}) as YAML")
        key_text = _single_line(key)
        head = f"{pad}? {key_text}\n{pad}:" if len(key_text) > _MAX_IMPLICIT_KEY else f"{pad}{key_text}:"
        if isinstance(value, (dict, list, tuple)) and value:
            out.append(head)
            # Sequences are indented under their key like mappings, as in most hand-written YAML.
            _emit_collection(value, indent + 2, out)
        else:
            _emit_scalar(head + " ", value, indent + 2, out)


def _emit_sequence(sequence: list[Any] | tuple[Any, ...], indent: int, out: list[str]) -> None:
    pad = " " * indent
    for item in sequence:
        if isinstance(item, (dict, list, tuple)) and item:
            # The item is written at indent + 2, then its first line's indentation becomes "- ".
            start = len(out)
            _emit_collection(item, indent + 2, out)
            out[start] = pad + "- " + out[start][indent + 2 :]
        else:
            _emit_scalar(pad + "- ", item, indent + 2, out)


def _emit_scalar(head: str, value: Any, block_indent: int, out: list[str]) -> None:
    if isinstance(value, str):
        if "\n" in value:
            literal = _literal_lines(value, " " * block_indent)
            if literal is not None:
                out.append(head + literal[0])
                out.extend(literal[1:])
                return
        out.append(head + _single_line(value))
    elif value is None:
        out.append(head + "null")
    elif value is True:
        out.append(head + "true")
    elif value is False:
        out.append(head + "false")
    elif isinstance(value, int):
        out.append(head + str(int(value)))
    elif isinstance(value, float):
        out.append(head + _float_text(value))
    elif isinstance(value, dict):
        out.append(head + "{}")
    elif isinstance(value, (list, tuple)):
        out.append(head + "[]")
    else:
        raise StoreError(f"cannot write a {type(value).__name__} value ({value!r:.60}) as YAML")


def _float_text(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    # YAML 1.1 readers need a dot in the mantissa to see a float: 1e+16 -> 1.0e+16.
    if "." not in text:
        mantissa, _, exponent = text.partition("e")
        text = f"{mantissa}.0e{exponent}"
    return text


@functools.lru_cache(maxsize=8192)
def _single_line(text: str) -> str:
    """`text` as a plain scalar when that reads back as the same string, else double-quoted."""
    if (
        text
        and text[0] not in _INDICATORS
        and text[-1] not in " :"
        and ": " not in text
        and " #" not in text
        and not text.startswith("...")
        and _UNSAFE_CHAR.search(text) is None
        and _NOT_A_STRING.fullmatch(text) is None
    ):
        return text
    return '"' + _TO_ESCAPE.sub(_escape, text) + '"'


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    known = _ESCAPES.get(char)
    if known is not None:
        return known
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"


def _literal_lines(text: str, pad: str) -> list[str] | None:
    """A literal block (header, then lines) that reads back as `text`, or None when there is none."""
    if _UNSAFE_IN_LITERAL.search(text) is not None:
        return None
    lines = text.split("\n")
    if text.endswith("\n"):
        del lines[-1]
    first = next((line for line in lines if line), None)
    # An indented first line would be taken for the block's indentation; trailing blanks get lost
    # in editors and some readers.
    if first is None or first[0] in " \t" or any(line.endswith((" ", "\t")) for line in lines):
        return None
    chomping = "|-" if not text.endswith("\n") else "|+" if text.endswith("\n\n") else "|"
    return [chomping, *(pad + line if line else "" for line in lines)]


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


# --------------------------------------------------------------------------- loading


def _construct_as_string(constructor: SafeConstructor, node: Any) -> str:
    return str(constructor.construct_scalar(node))


class _JsonLikeConstructor(SafeConstructor):
    """The safe constructor, minus the types JSON does not have."""


for _tag in ("timestamp", "value", "merge"):
    _JsonLikeConstructor.add_constructor(f"tag:yaml.org,2002:{_tag}", _construct_as_string)

# One configured loader per thread: building one costs more than loading a small document.
_loaders = threading.local()


def _loader() -> YAML:
    yaml: YAML | None = getattr(_loaders, "yaml", None)
    if yaml is None:
        yaml = YAML(typ="safe", pure=True)
        yaml.Constructor = _JsonLikeConstructor
        yaml.allow_duplicate_keys = False
        _loaders.yaml = yaml
    return yaml


def load(text: str) -> Any:
    """The value of a YAML document (YAML 1.2 core schema; `yes` stays a string)."""
    try:
        return _read_own(text)
    except _NotOwnStyle:
        pass
    try:
        return _loader().load(text)
    except YAMLError as error:
        raise StoreError(f"invalid YAML: {_describe(error)}") from error
    except (ValueError, TypeError, RecursionError) as error:
        raise StoreError(f"invalid YAML: {error}") from error


def _describe(error: YAMLError) -> str:
    problem = getattr(error, "problem", None)
    mark = getattr(error, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(error).split())


def line_of(text: str, path: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the setting at path (keys and list indexes) in text, for error messages.

    Where the path goes deeper than the text (a missing key), the line of its deepest existing part.
    """
    try:
        node: Any = YAML(typ="rt", pure=True).load(text)
    except (YAMLError, ValueError, TypeError, RecursionError):
        return None
    line: int | None = None
    for part in path:
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        try:
            if isinstance(part, int) and isinstance(node, list) and part < len(node):
                line, _ = lc.item(part)
                node = node[part]
            elif isinstance(part, str) and isinstance(node, dict) and part in node:
                line, _ = lc.key(part)
                node = node[part]
            else:
                break
        except (KeyError, IndexError, TypeError):
            break
    return None if line is None else line + 1
