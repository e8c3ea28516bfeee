"""The functions proxstate adds to JMESPath in a rule of policy.yaml: `param()` reads the rule's
parameters, `split()` cuts a string (a MAC address here) into a list; a parameter the rule lacks
is an error that names it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest

from proxstate.policy import builtin_rules
from tests.helpers.cli import Result
from tests.helpers.policylab import Lab

CLI = Callable[..., Result]
OTHERS_OFF = "\n".join(f"  {rule.id}: {{enabled: false}}" for rule in builtin_rules())


@pytest.fixture
def policy(lab: Lab) -> Iterator[Callable[[str], None]]:
    """Write the repository's policy.yaml (removed after the test: the record is shared)."""
    path = lab.root / "policy.yaml"

    def write(text: str) -> None:
        path.write_text(text, encoding="utf-8")

    yield write
    path.unlink(missing_ok=True)


def _rule(condition: str, params: str = "{tail: '01'}") -> str:
    return (
        f"builtin:\n{OTHERS_OFF}\n"
        "rules:\n  - id: mac-tail\n    description: Guests whose first NIC's address ends so\n"
        f'    applies_to: {{kinds: [qemu, lxc]}}\n    condition: "{condition}"\n'
        f"    params: {params}\n"
    )


def test_param_and_split_in_a_condition(lab: Lab, cli: CLI, policy: Callable[[str], None]) -> None:
    policy(_rule("split(doc.config.net0.macaddr, ':')[-1] == param('tail')"))
    result = cli("check", "-C", str(lab.root), "--format", "json")
    assert result.code == 2, result.err
    found = [v["resource"] for v in json.loads(result.out)["violations"] if v["rule"] == "mac-tail"]
    assert found == ["qemu/101"]
    policy(_rule("split(doc.config.net0.macaddr, ':')[-1] == param('tail')", "{tail: '77'}"))
    assert cli("check", "-C", str(lab.root)).code == 0


def test_a_parameter_the_rule_lacks_is_named(lab: Lab, cli: CLI, policy: Callable[[str], None]) -> None:
    policy(_rule("split(doc.config.net0.macaddr, ':')[-1] == param('colour')"))
    result = cli("check", "-C", str(lab.root))
    assert result.code == 1
    assert "rule mac-tail" in result.err and "the rule has no parameter 'colour'" in result.err
