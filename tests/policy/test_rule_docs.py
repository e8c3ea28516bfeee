"""docs/policy.md lists every built-in rule with its severity and example, as the library ships it."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxstate.policy import builtin_rules
from proxstate.policy.loading import RuleModel

DOC = Path(__file__).resolve().parents[2] / "docs" / "policy.md"


@pytest.mark.parametrize("rule", builtin_rules(), ids=lambda rule: str(rule.id))
def test_every_built_in_rule_is_documented_with_its_example(rule: RuleModel) -> None:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines if line.startswith(f"| `{rule.id}` |")]
    assert len(rows) == 1, f"docs/policy.md has no row for {rule.id}"
    cells = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert cells[1] == rule.severity
    assert rule.example
    assert rule.example in cells[3]
