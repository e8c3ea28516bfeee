"""PVE's scalar values in every form it sends them, as Python values: one coercion, two contracts.

PVE's API is written in Perl: depending on the version and the endpoint, an integer arrives as
`2048` or `"2048"`, and a boolean as `1`, `"1"`, `true` or `"yes"`. Two callers need them:

- reading an answer (proxstate.models' `PveInt`, `PveBool`, `PveFloat`): `to_int`, `to_bool`,
  `to_float` give the value or raise ValueError, which pydantic reports as a ValidationError;
- recording a document (proxstate.normalize): `to_int_or_none`, `to_bool_or_none`,
  `to_number_or_none` give the value or None, and the caller records what does not fit as it was
  sent, so that nothing PVE said is lost.

The two differ on purpose where a guess would change what is recorded: an answer may carry an
integer as `"1e3"` or `3.0`, and PVE 7 lists an unset flag (a guest's `template`) as `""`, which
the readers accept; a document records only exact forms (`"2.0"` stays `"2.0"`, `""` stays `""`),
and counts a JSON boolean as 0 or 1, as Perl does.
"""

from __future__ import annotations

import math
import re
from typing import Any

__all__ = [
    "to_bool",
    "to_bool_or_none",
    "to_float",
    "to_int",
    "to_int_or_none",
    "to_number_or_none",
]

# pve-common's PVE::JSONSchema::parse_boolean: m/^(1|on|yes|true)$/i and m/^(0|off|no|false)$/i.
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
_INTEGER = re.compile(r"[+-]?\d{1,30}")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def to_bool_or_none(value: Any) -> bool | None:
    """PVE's parse_boolean: 1/true/yes/on and 0/false/no/off (any case, around white space), a
    bool, or the int 0 or 1; None for anything else."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0 if value in (0, 1) else None
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    return None


def to_bool(value: Any) -> bool:
    """to_bool_or_none, and the empty string as false (PVE 7 lists some unset flags as `""`);
    ValueError for anything else."""
    if isinstance(value, str) and not value.strip():
        return False
    result = to_bool_or_none(value)
    if result is None:
        raise ValueError("expected a boolean (0/1, true/false)")
    return result


def to_int_or_none(value: Any) -> int | None:
    """An int from an int, a bool (0 or 1), an integral float or a decimal string with an optional
    sign; None for anything else (a fraction, `"2.0"`, `"1e3"`, text)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value)
    return None


def to_int(value: Any) -> int:
    """An int from an int, an integral finite float, or a string of one (`"2048"`, `" 7 "`,
    `"3.0"`, `"1e3"`); ValueError for a bool, a fraction or anything else."""
    if isinstance(value, bool):
        raise ValueError("expected an integer, got a boolean")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer():
            return int(value)
        raise ValueError("expected an integer, got a fraction")
    if isinstance(value, str):
        text = value.strip()
        try:
            return int(text, 10)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                raise ValueError("expected an integer, got a string that is not a number") from None
            return to_int(number)
    raise ValueError(f"expected an integer, got {type(value).__name__}")


def to_number_or_none(value: Any) -> int | float | None:
    """A finite number; integral values become int so that `2` and `"2.0"` record the same. A bool
    is 0 or 1; None for anything else."""
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


def to_float(value: Any) -> float:
    """A float from a number or a numeric string; ValueError for a bool or anything else."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise ValueError("expected a number, got a string that is not a number") from None
    raise ValueError(f"expected a number, got {type(value).__name__}")
