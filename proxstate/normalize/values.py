"""Scalar values as PVE sends them, turned into stable JSON-like values.

PVE sends numbers as numbers or strings and booleans as 0/1, true/false or yes/no. These helpers
fix the type from the schema and keep anything that does not fit as it was sent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

_INTEGER = re.compile(r"[+-]?\d{1,30}")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_NATURAL = re.compile(r"(\d+)")
_LIST_SPLIT = re.compile(r"[,;\s]+")
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def to_bool(value: Any) -> bool | None:
    """PVE's parse_boolean: 1/true/yes/on and 0/false/no/off (any case); None if neither."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0 if value in (0, 1) else None
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
    return None


def to_int(value: Any) -> int | None:
    """An integer from an int or a decimal string; None if it is not one."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    return None


def to_number(value: Any) -> int | float | None:
    """A finite number; integral values become int so that `2` and `"2.0"` record the same."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        text = value.strip()
        if _INTEGER.fullmatch(text):
            return int(text)
        if not _NUMBER.fullmatch(text):
            return None
        value = float(text)
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    return None


def typed(value: Any, value_type: str) -> Any:
    """The value with the schema type applied; as sent when it does not match the type."""
    if value_type == "string":
        return value if isinstance(value, str) else plain(value)
    if value_type == "boolean":
        result: Any = to_bool(value)
    elif value_type == "integer":
        result = to_int(value)
    else:
        result = to_number(value)
    return plain(value) if result is None else result


def split_list(text: str, kind: str = "list") -> list[str]:
    """PVE's split_list: NUL-separated if there is a NUL, else split on `,`, `;` and white space."""
    if "\0" in text or kind == "alist":
        return [item for item in text.split("\0") if item]
    return [item for item in _LIST_SPLIT.split(text) if item]


def sorted_set(items: Iterable[str]) -> list[str]:
    """Deduplicated and naturally sorted."""
    return sorted(set(items), key=natural_key)


@lru_cache(maxsize=8192)  # config keys repeat across thousands of guests
def natural_key(text: str) -> tuple[Any, ...]:
    """Sort key that puts `net2` before `net10`; the text itself breaks ties (`01` vs `1`)."""
    parts: list[Any] = _NATURAL.split(text)
    for index in range(1, len(parts), 2):
        parts[index] = int(parts[index])
    return (tuple(parts), text)


def plain(value: Any) -> Any:
    """A JSON-like deep copy: str, int, float, bool, None, lists and str-keyed dicts only."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def int_or_keep(value: Any) -> Any:
    """An integer when the value is one, else the value as sent."""
    result = to_int(value)
    return plain(value) if result is None else result


def bool_or_keep(value: Any) -> Any:
    """A boolean when the value is one, else the value as sent."""
    result = to_bool(value)
    return plain(value) if result is None else result
