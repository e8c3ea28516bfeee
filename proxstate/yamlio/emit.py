"""The emitter: JSON-like data as YAML text in proxstate's one style (see the package docstring)."""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from proxstate.errors import DepthError, StoreError
from proxstate.limits import MAX_DOCUMENT_DEPTH

# Characters escaped rather than written as they are: the complement of YAML's printable set (C0
# and C1 controls, DEL, surrogates, U+FFFE/F, the BOM) and NEL/LS/PS, which YAML 1.1 readers take
# for line breaks. Listed as the few ranges they are: the negated class of the printable ranges
# took 20 ms to compile, in every command. Literal blocks may also hold tab and line feed.
_UNSAFE_CHAR = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_UNSAFE_IN_LITERAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_TO_ESCAPE = re.compile('["\\\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]')
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
    # Each level indents by 2: the bound costs nothing here, and keeps what is written readable.
    if indent >= 2 * MAX_DOCUMENT_DEPTH:
        raise DepthError(f"cannot write a document that nests deeper than {MAX_DOCUMENT_DEPTH} levels")
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
