"""Typing of scalar values by the schema, natural order, lists (the coercion itself:
tests/resources/test_coerce.py)."""

from __future__ import annotations

import math
from typing import Any

from proxstate.normalize import normalize_cluster, normalize_content
from proxstate.normalize.values import natural_key, plain, split_list, typed
from proxstate.resources.inventory import RawCluster, RawContent


def test_typed_keeps_what_does_not_fit() -> None:
    assert typed("yes", "string") == "yes"
    assert typed("0x1F", "integer") == "0x1F"
    assert typed("sometimes", "boolean") == "sometimes"
    assert typed(5, "string") == 5  # not a string: kept as sent, never turned into another type
    # ... but still as a JSON-like value: a non-finite number is written as text, a mapping copied
    assert typed(math.inf, "string") == "inf"
    assert typed({1: math.nan}, "string") == {"1": "nan"}


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


def test_plain_keeps_finite_numbers_and_replaces_undecodable_bytes() -> None:
    assert plain(1.5) == 1.5
    assert plain(-0.25) == -0.25
    assert plain(b"caf\xe9") == "caf\ufffd"  # not UTF-8: replaced, never an error


def test_volume_fields_of_the_wrong_type_are_recorded_as_sent() -> None:
    volumes: list[dict[str, Any]] = [
        {"volid": "local:iso/a.iso", "size": "12G", "ctime": "yesterday", "protected": "maybe"},
        {"volid": "local:iso/b.iso", "size": "1024", "protected": "1", "notes": "x", "ratio": 0.5},
    ]
    document = normalize_content(RawContent(node="pve1", storage="local", volumes=volumes))
    recorded = document["volumes"]
    assert recorded["local:iso/a.iso"] == {"size": "12G", "protected": "maybe", "ctime": "yesterday"}
    assert recorded["local:iso/b.iso"] == {"size": 1024, "notes": "x", "protected": True, "ratio": 0.5}


def test_cluster_fields_of_the_wrong_type_are_recorded_as_sent() -> None:
    status = [
        {"type": "cluster", "name": "lab", "quorate": "perhaps"},
        {"type": "node", "name": "pve1", "nodeid": "first"},
        {"type": "node", "name": "pve2", "nodeid": "2"},
    ]
    document = normalize_cluster(RawCluster(name="lab", version={}, status=status))
    assert document["quorate"] == "perhaps"
    assert document["nodes"] == {"pve1": {"nodeid": "first"}, "pve2": {"nodeid": 2}}
