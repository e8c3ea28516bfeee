"""Loading any YAML: the own-style fast path first, then ruamel.yaml's safe loader (YAML 1.2)."""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

from proxstate.errors import DepthError, StoreError
from proxstate.limits import MAX_DOCUMENT_DEPTH, json_too_deep, too_deep
from proxstate.yamlio.own import _NotOwnStyle, _read_own

if TYPE_CHECKING:
    from ruamel.yaml import YAML

# ruamel.yaml is imported where it is used: documents proxstate wrote never need it (the own-style
# reader takes them), and its import is a good part of a reading command's start.

# --------------------------------------------------------------------------- loading


def _construct_as_string(constructor: Any, node: Any) -> str:
    return str(constructor.construct_scalar(node))


# One configured loader per thread: building one costs more than loading a small document.
_loaders = threading.local()


def _loader() -> YAML:
    yaml: YAML | None = getattr(_loaders, "yaml", None)
    if yaml is None:
        from ruamel.yaml import YAML
        from ruamel.yaml.constructor import SafeConstructor

        class _JsonLikeConstructor(SafeConstructor):
            """The safe constructor, minus the types JSON does not have."""

        for tag in ("timestamp", "value", "merge"):
            _JsonLikeConstructor.add_constructor(f"tag:yaml.org,2002:{tag}", _construct_as_string)
        yaml = YAML(typ="safe", pure=True)
        yaml.Constructor = _JsonLikeConstructor
        yaml.allow_duplicate_keys = False
        _loaders.yaml = yaml
    return yaml


_TOO_DEEP = object()


def load(text: str) -> Any:
    """The value of a YAML document (YAML 1.2 core schema; `yes` stays a string).

    DepthError for a document that nests deeper than MAX_DOCUMENT_DEPTH: what reads it next
    (comparing, rendering) recurses once per level or more.
    """
    try:
        value = _read_own(text)
    except _NotOwnStyle:
        value = _load_any(text)
    except DepthError:  # dumping the value again found it too deep
        value = _TOO_DEEP
    if value is _TOO_DEEP or too_deep(value, MAX_DOCUMENT_DEPTH):
        raise DepthError(f"the document nests deeper than {MAX_DOCUMENT_DEPTH} levels")
    return value


def _load_any(text: str) -> Any:
    from ruamel.yaml.error import YAMLError

    if _far_too_deep(text):
        raise DepthError(f"the document nests far deeper than {MAX_DOCUMENT_DEPTH} levels")
    try:
        return _loader().load(text)
    except YAMLError as error:
        raise StoreError(f"invalid YAML: {_describe(error)}") from error
    except RecursionError:
        raise DepthError(f"the document nests far deeper than {MAX_DOCUMENT_DEPTH} levels") from None
    except (ValueError, TypeError) as error:
        raise StoreError(f"invalid YAML: {error}") from error


_INDENT = re.compile(r"^ +", re.MULTILINE)
_FAR = 10 * MAX_DOCUMENT_DEPTH


def _far_too_deep(text: str) -> bool:
    """A quick look before ruamel.yaml, whose time grows with the square of the nesting (seconds
    at 10,000 levels) before its recursion fails: flow brackets or indentation ten times deeper
    than the bound. Brackets in single-quoted strings count too: a false alarm needs a thousand."""
    if len(text) < _FAR:
        return False
    indents = _INDENT.findall(text)
    return max(map(len, indents), default=0) > 2 * _FAR or json_too_deep(text.encode("utf-8"), _FAR)


def _describe(error: Exception) -> str:
    problem = getattr(error, "problem", None)
    mark = getattr(error, "problem_mark", None)
    if problem and mark is not None:
        return f"{problem} (line {mark.line + 1}, column {mark.column + 1})"
    return " ".join(str(error).split())


def line_of(text: str, path: tuple[str | int, ...]) -> int | None:
    """The 1-based line of the setting at path (keys and list indexes) in text, for error messages.

    Where the path goes deeper than the text (a missing key), the line of its deepest existing part.
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

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
