"""Typing of scalar values by the schema, natural order, lists (the coercion itself:
tests/resources/test_coerce.py)."""

from __future__ import annotations

import math

from proxstate.normalize.values import natural_key, plain, split_list, typed


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
