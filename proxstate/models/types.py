"""Annotated types for the values PVE sends in more than one form.

PVE's API is written in Perl: depending on the version and the endpoint, an integer arrives as
`2048` or `"2048"`, and a boolean as `1`, `"1"` or `true`. These types accept every form and give
the Python value, so callers never compare with `in (1, True, "1")`. The coercion, shared with
normalization, is proxstate.resources.coerce.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator

from proxstate.resources.coerce import to_bool, to_float, to_int

PveInt = Annotated[int, BeforeValidator(to_int)]
PveFloat = Annotated[float, BeforeValidator(to_float)]
PveBool = Annotated[bool, BeforeValidator(to_bool)]

__all__ = ["PveBool", "PveFloat", "PveInt"]
