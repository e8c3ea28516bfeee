"""Scalar values as PVE sends them, turned into stable JSON-like values.

PVE sends numbers as numbers or strings and booleans as 0/1, true/false or yes/no. These helpers
fix the type from the schema (with proxstate.resources.coerce) and keep anything that does not fit
as it was sent.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from proxstate.resources.coerce import to_bool_or_none, to_int_or_none, to_number_or_none

_NATURAL = re.compile(r"(\d+)")
_LIST_SPLIT = re.compile(r"[,;\s]+")


def typed(value: Any, value_type: str) -> Any:
    """The value with the schema type applied; as sent when it does not match the type."""
    if value_type == "string":
        return value if isinstance(value, str) else plain(value)
    if value_type == "boolean":
        result: Any = to_bool_or_none(value)
    elif value_type == "integer":
        result = to_int_or_none(value)
    else:
        result = to_number_or_none(value)
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
    result = to_int_or_none(value)
    return plain(value) if result is None else result


def bool_or_keep(value: Any) -> Any:
    """A boolean when the value is one, else the value as sent."""
    result = to_bool_or_none(value)
    return plain(value) if result is None else result
