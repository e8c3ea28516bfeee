"""The shapes proxstate.discovery.answers expects agree with the official schema's `returns`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from proxstate.discovery.answers import check_shape, shape_of
from proxstate.errors import ProtocolError
from proxstate.resources.catalog import ENTRIES

SCHEMA = Path(__file__).resolve().parents[2] / "shared" / "pve-api" / "apidoc.json"
TYPES = {"array": "list", "object": "object", "string": "text"}


def _returns() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}

    def walk(nodes: list[dict[str, Any]]) -> None:
        for node in nodes:
            method = node.get("info", {}).get("GET")
            if method is not None:
                out[re.sub(r"\{[^}]+\}", "{}", node["path"])] = method.get("returns") or {}
            walk(node.get("children", []))

    walk(json.loads(SCHEMA.read_text()))
    return out


@pytest.mark.skipif(not SCHEMA.exists(), reason="the official schema is not beside the repository")
def test_every_entry_expects_the_shape_the_schema_promises() -> None:
    returns = _returns()
    checked = 0
    for entry in ENTRIES:
        promised = returns[re.sub(r"\{[^}]+\}", "{}", entry.path.replace("{type}", "qemu"))]
        if promised.get("type") in TYPES:  # `/access/domains/{realm}` declares nothing
            assert shape_of(entry) == TYPES[promised["type"]], entry.path
            if promised["type"] == "array":
                assert promised.get("items", {}).get("type") == "object", entry.path
            checked += 1
    assert checked >= len(ENTRIES) - 2


@pytest.mark.parametrize(
    ("data", "shape", "words"),
    [
        (None, "list", "expected a list of objects, got null"),
        ({"a": 1}, "list", "expected a list of objects, got an object"),
        (["a"], "list", "item 0 is text, not an object"),
        ([{"id": "x"}, {"name": "y"}], "list", "item 1 has no 'id'"),
        ([{"id": ""}], "list", "item 0 has no 'id'"),
        ([], "object", "expected an object, got a list"),
        ({"a": 1}, "text", "expected text, got an object"),
        (1, "object", "expected an object, got a number"),
    ],
)
def test_wrong_shapes_are_named(data: Any, shape: Any, words: str) -> None:
    with pytest.raises(ProtocolError) as caught:
        check_shape(data, shape, path="/cluster/backup", key="id")
    assert str(caught.value) == f"unexpected answer from PVE at GET /cluster/backup: {words}"


def test_right_shapes_pass() -> None:
    check_shape([], "list", path="/p", key="id")
    check_shape([{"id": 7}, {"id": "x"}], "list", path="/p", key="id")
    check_shape({}, "object", path="/p")
    check_shape("", "text", path="/p")
