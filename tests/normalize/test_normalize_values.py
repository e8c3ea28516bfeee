"""Typing of scalar values, natural order, lists."""

from __future__ import annotations

import math

import pytest

from proxstate.normalize.values import natural_key, plain, split_list, to_bool, to_int, to_number, typed


@pytest.mark.parametrize(
    ("value", "expected"),
    [
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
        (True, True),
        (2, None),
        ("maybe", None),
        (None, None),
        ("", None),
    ],
)
def test_to_bool(value: object, expected: bool | None) -> None:
    assert to_bool(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        ("-1", -1),
        ("+3", 3),
        ("01", 1),
        (7, 7),
        (2.0, 2),
        (2.5, None),
        ("1e3", None),
        ("0x1F", None),
        ("~", None),
        ("", None),
        ("9" * 40, None),
    ],
)
def test_to_int(value: object, expected: int | None) -> None:
    assert to_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.5", 1.5),
        ("2", 2),
        ("2.0", 2),
        ("0.10", 0.1),
        ("1e3", 1000),
        (".5", 0.5),
        ("nan", None),
        ("inf", None),
        ("1e999", None),
        (math.inf, None),
        ("x", None),
    ],
)
def test_to_number(value: object, expected: float | None) -> None:
    result = to_number(value)
    assert result == expected
    if expected is not None and float(expected).is_integer():
        assert isinstance(result, int)


def test_typed_keeps_what_does_not_fit() -> None:
    assert typed("yes", "string") == "yes"
    assert typed("0x1F", "integer") == "0x1F"
    assert typed("sometimes", "boolean") == "sometimes"
    assert typed(5, "string") == 5  # not a string: kept as sent, never turned into another type


def test_natural_order() -> None:
    keys = ["net10", "net2", "net1", "ide0", "net", "scsi0", "net01"]
    assert sorted(keys, key=natural_key) == ["ide0", "net", "net01", "net1", "net2", "net10", "scsi0"]


def test_split_list_like_pve() -> None:
    assert split_list("a;b, c  d") == ["a", "b", "c", "d"]
    assert split_list("a b\0c") == ["a b", "c"]
    assert split_list("") == []
    assert split_list("x,y", "alist") == ["x,y"]


def test_plain_gives_json_like_values() -> None:
    assert plain({1: (b"x", math.nan, {"k": [None, True]})}) == {"1": ["x", "nan", {"k": [None, True]}]}
    assert plain(object).startswith("<class")
