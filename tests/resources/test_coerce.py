"""proxstate.resources.coerce: PVE's scalars in every form it sends them, for reading an answer
(raises) and for recording a document (None: the caller keeps what was sent)."""

from __future__ import annotations

import math

import pytest

from proxstate.resources.coerce import (
    to_bool,
    to_bool_or_none,
    to_float,
    to_int,
    to_int_or_none,
    to_number_or_none,
)

# PVE's parse_boolean (pve-common PVE::JSONSchema): 1|on|yes|true and 0|off|no|false, any case.
_BOOLEANS = [
    (1, True),
    (0, False),
    ("1", True),
    ("0", False),
    ("yes", True),
    ("No", False),
    ("ON", True),
    ("off", False),
    ("true", True),
    ("False", False),
    (" 1 ", True),
    (True, True),
    (False, False),
]


@pytest.mark.parametrize(
    ("value", "expected"), [*_BOOLEANS, (2, None), ("maybe", None), (None, None), ("", None)]
)
def test_to_bool_or_none(value: object, expected: bool | None) -> None:
    assert to_bool_or_none(value) is expected


@pytest.mark.parametrize(("value", "expected"), [*_BOOLEANS, ("", False), ("  ", False)])
def test_to_bool_reads_pve_7s_empty_flag_as_false(value: object, expected: bool) -> None:
    assert to_bool(value) is expected


@pytest.mark.parametrize("value", [2, -1, "maybe", 0.5, 1.0, None, [1]])
def test_to_bool_refuses_the_rest(value: object) -> None:
    with pytest.raises(ValueError, match="expected a boolean"):
        to_bool(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        ("-1", -1),
        ("+3", 3),
        ("01", 1),
        (" 7 ", 7),
        (7, 7),
        (2.0, 2),
        (True, 1),  # Perl has no booleans: a JSON true in an integer field is 1
        (2.5, None),
        (math.inf, None),
        ("2.0", None),  # recorded as sent: only exact integers are typed
        ("1e3", None),
        ("0x1F", None),
        ("~", None),
        ("", None),
        ("9" * 40, None),
        (None, None),
    ],
)
def test_to_int_or_none(value: object, expected: int | None) -> None:
    assert to_int_or_none(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2048, 2048), ("2048", 2048), (" 7 ", 7), (3.0, 3), ("3.0", 3), ("1e3", 1000), ("-5", -5)],
)
def test_to_int_reads_every_form_of_an_integer(value: object, expected: int) -> None:
    result = to_int(value)
    assert result == expected and type(result) is int


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (True, "got a boolean"),
        (1.5, "got a fraction"),
        ("1.5", "got a fraction"),
        (math.nan, "got a fraction"),
        ("inf", "got a fraction"),
        ("12abc", "not a number"),
        ("", "not a number"),
        ([1], "got list"),
        (None, "got NoneType"),
    ],
)
def test_to_int_refuses_the_rest(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        to_int(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.5", 1.5),
        ("2", 2),
        ("2.0", 2),
        ("0.10", 0.1),
        ("1e3", 1000),
        (".5", 0.5),
        (False, 0),
        ("nan", None),
        ("inf", None),
        ("1e999", None),
        (math.inf, None),
        ("x", None),
    ],
)
def test_to_number_or_none(value: object, expected: float | None) -> None:
    result = to_number_or_none(value)
    assert result == expected
    if expected is not None and float(expected).is_integer():
        assert isinstance(result, int)


def test_to_float() -> None:
    assert to_float("0.25") == 0.25 and to_float(4) == 4.0 and to_float(" 8 ") == 8.0
    for value in ("fast", False, None):
        with pytest.raises(ValueError, match="expected a number"):
            to_float(value)
