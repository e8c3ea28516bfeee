"""Golden cases: golden/<case>.input.json (an inventory and options) -> <case>.expected.json.

Set PROXSTATE_UPDATE_GOLDEN=1 to write the expected files from the current output (then review
the diff before committing it).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from normalize_cases import GOLDEN, inventory_from_json, options_from_json

from proxstate.normalize import normalize_inventory

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
    if os.environ.get("PROXSTATE_UPDATE_GOLDEN") == "1":
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
