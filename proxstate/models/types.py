"""Annotated types for the values PVE sends in more than one form.

PVE's API is written in Perl: depending on the version and the endpoint, an integer arrives as
`2048` or `"2048"`, and a boolean as `1`, `"1"` or `true`. These types accept every form and give
the Python value, so callers never compare with `in (1, True, "1")`.
"""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BeforeValidator

_TRUE = frozenset({"1", "true", "yes", "on"})
# PVE 7 lists some flags (`template` of a guest) as "" when they are not set.
_FALSE = frozenset({"0", "false", "no", "off", ""})


def to_int(value: Any) -> int:
    """An int from an int, an integral float or a decimal string; ValueError otherwise."""
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


def to_float(value: Any) -> float:
    """A float from a number or a numeric string; ValueError otherwise."""
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


def to_bool(value: Any) -> bool:
    """A bool from a bool, 0/1 or PVE's boolean words; ValueError otherwise."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise ValueError("expected a boolean (0/1, true/false)")


PveInt = Annotated[int, BeforeValidator(to_int)]
PveFloat = Annotated[float, BeforeValidator(to_float)]
PveBool = Annotated[bool, BeforeValidator(to_bool)]

__all__ = ["PveBool", "PveFloat", "PveInt", "to_bool", "to_float", "to_int"]
