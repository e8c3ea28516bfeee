"""Golden cases: golden/<case>.input.json (an inventory and options) -> <case>.expected.json.

Set PROXSTATE_UPDATE_GOLDEN=1 to write the expected files from the current output (then review
the diff before committing it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from proxstate.normalize import normalize_inventory
from proxstate.normalize.rules import VOLATILE_KEYS
from tests.helpers.normalize_cases import GOLDEN, inventory_from_json, options_from_json

# Read when the module is collected: the autouse isolation removes PROXSTATE_* before each test runs.
UPDATE_GOLDEN = os.environ.get("PROXSTATE_UPDATE_GOLDEN") == "1"

CASES = sorted(path.name.removesuffix(".input.json") for path in GOLDEN.glob("*.input.json"))


def render(documents: object) -> str:
    # allow_nan=False: the documents must be JSON-like (no NaN or infinity).
    return json.dumps(documents, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def run_case(case: str) -> str:
    data = json.loads((GOLDEN / f"{case}.input.json").read_text("utf-8"))
    inventory = inventory_from_json(data["inventory"])
    options = options_from_json(data.get("options", {}))
    return render(normalize_inventory(inventory, options=options))


@pytest.mark.parametrize("case", CASES)
def test_golden(case: str) -> None:
    expected_path: Path = GOLDEN / f"{case}.expected.json"
    actual = run_case(case)
    if UPDATE_GOLDEN:
        expected_path.write_text(actual, "utf-8")
    assert expected_path.exists(), f"no expected output for {case}; run with PROXSTATE_UPDATE_GOLDEN=1"
    # Text comparison: key order is part of the format.
    assert actual == expected_path.read_text("utf-8")


@pytest.mark.parametrize("case", CASES)
def test_same_input_same_output(case: str) -> None:
    assert run_case(case) == run_case(case)


def test_every_case_has_expected_output() -> None:
    expected = {path.name.removesuffix(".expected.json") for path in GOLDEN.glob("*.expected.json")}
    assert expected == set(CASES)


def _paths(document: object, prefix: str = "") -> set[str]:
    """Dotted paths of the scalar values (a gauge is a number, never a mapping)."""
    if not isinstance(document, dict):
        return set()
    paths = set()
    for key, value in document.items():
        path = f"{prefix}{key}"
        paths |= _paths(value, path + ".") if isinstance(value, dict) else {path}
    return paths


@pytest.mark.parametrize("case", CASES)
def test_no_gauges_in_the_documents(case: str) -> None:
    documents = json.loads(run_case(case))
    for resource_id, document in documents.items():
        kind = resource_id.split("/")[0]
        volatile = {"qemu": "guest", "lxc": "guest", "node": "node", "storage": "storage"}.get(kind)
        if volatile is None:
            continue
        top = _paths({key: value for key, value in document.items() if key != "config"})
        assert not top & VOLATILE_KEYS[volatile], resource_id
        if kind == "storage":
            for state in document.get("nodes", {}).values():
                assert not set(state) & VOLATILE_KEYS["storage"]
    for resource_id, document in documents.items():
        if resource_id.startswith("content/"):
            for volume in document["volumes"].values():
                assert not set(volume) & VOLATILE_KEYS["content"]
