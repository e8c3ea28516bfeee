"""A repository's policy.yaml: rules of its own, built-in rules changed or turned off, waivers that
expire, and the errors a mistake in it gives."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date, timedelta

import pytest

from proxstate.policy import builtin_rules
from tests.helpers.cli import Result
from tests.helpers.policylab import Lab

CLI = Callable[..., Result]
OTHERS_OFF = "\n".join(
    f"  {rule.id}: {{enabled: false}}" for rule in builtin_rules() if rule.id != "guest-no-backup"
)


@pytest.fixture
def policy(lab: Lab) -> Iterator[Callable[[str], None]]:
    """Write the repository's policy.yaml (removed after the test: the record is shared)."""
    path = lab.root / "policy.yaml"

    def write(text: str) -> None:
        path.write_text(text, encoding="utf-8")

    yield write
    path.unlink(missing_ok=True)


def waived_until(days: int) -> str:
    expires = date.today() + timedelta(days=days)
    return (
        f"builtin:\n{OTHERS_OFF}\nwaivers:\n"
        f"  - rule: guest-no-backup\n    resource: '*'\n    reason: backed up by the storage array\n"
        f"    expires: {expires.isoformat()}\n"
    )


def test_a_waiver_stops_failing_the_check_until_it_expires(
    lab: Lab, cli: CLI, policy: Callable[[str], None]
) -> None:
    policy(waived_until(1))
    valid = cli("check", "-C", str(lab.root), "--at", lab.commits[1], "--format", "json")
    assert valid.code == 0, valid.out + valid.err
    report = json.loads(valid.out)
    assert [(v["resource"], v["waived"]) for v in report["violations"]] == [
        ("lxc/200", True),
        ("qemu/102", True),
    ]
    policy(waived_until(-1))
    expired = cli("check", "-C", str(lab.root), "--at", lab.commits[1])
    assert expired.code == 2
    assert (
        f"waiver expired on {date.today() - timedelta(days=1)}: backed up by the storage array" in expired.out
    )


def test_the_last_day_of_a_waiver_still_waives(lab: Lab, cli: CLI, policy: Callable[[str], None]) -> None:
    policy(waived_until(0))
    assert cli("check", "-C", str(lab.root), "--at", lab.commits[1]).code == 0


def test_a_rule_of_the_repository_and_a_changed_threshold(
    lab: Lab, cli: CLI, policy: Callable[[str], None]
) -> None:
    policy(
        "builtin:\n  snapshot-too-old: {severity: error, params: {max_age_days: 100}}\n"
        "rules:\n  - id: no-vmbr1\n    description: Guests stay off the old bridge\n"
        "    applies_to: {kinds: [qemu, lxc]}\n"
        "    condition: \"contains(facts.nics[].bridge, 'vmbr1')\"\n"
        "    detail: \"facts.nics[?bridge == 'vmbr1'].name\"\n"
    )
    result = cli("check", "-C", str(lab.root), "--at", lab.commits[2], "--format", "json")
    report = json.loads(result.out)
    mine = [(v["resource"], v["detail"]) for v in report["violations"] if v["rule"] == "no-vmbr1"]
    assert mine == [("qemu/102", ["net0"])]
    assert not [v for v in report["violations"] if v["rule"] == "snapshot-too-old"]
    listed = cli("check", "-C", str(lab.root), "--list", "--format", "json")
    rows = {row["id"]: row for row in json.loads(listed.out)}
    assert rows["no-vmbr1"]["source"] == "policy.yaml"
    assert (rows["snapshot-too-old"]["severity"], rows["snapshot-too-old"]["params"]) == (
        "error",
        {"max_age_days": 100},
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "colour: blue\n",
            "colour (line 1): unknown setting; known here: builtin, protected_pools, rules, waivers",
        ),
        (
            "rules:\n  - id: mine\n    description: x\n    condition: 'doc.['\n",
            "rule mine: condition: not a valid JMESPath expression",
        ),
        (
            "waivers:\n  - rule: guest-no-backup\n    resource: qemu/1\n    expires: 2030-01-01\n",
            "waivers[0].reason",
        ),
        ("builtin:\n  no-such-rule: {enabled: false}\n", "builtin: no built-in rule no-such-rule"),
        (
            "builtin:\n  snapshot-too-old: {params: {days: 3}}\n",
            "days is not a parameter of this rule (it has max_age_days)",
        ),
        (
            "rules:\n  - id: guest-no-backup\n    description: x\n    condition: 'true'\n",
            "taken by a built-in rule",
        ),
        (
            "waivers:\n  - {rule: nope, resource: '*', reason: r, expires: 2030-01-01}\n",
            "waivers[0].rule: no rule nope",
        ),
    ],
)
def test_a_mistake_in_the_policy_is_named(
    lab: Lab, cli: CLI, policy: Callable[[str], None], text: str, message: str
) -> None:
    policy(text)
    result = cli("check", "-C", str(lab.root))
    assert result.code == 1
    assert result.err.startswith(f"proxstate: error: {lab.root / 'policy.yaml'}: ")
    assert message in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_an_informational_rule_is_reported_and_never_fails(
    lab: Lab, cli: CLI, policy: Callable[[str], None]
) -> None:
    policy(
        f"builtin:\n{OTHERS_OFF}\n  guest-no-backup: {{severity: info}}\n"
        "rules:\n  - id: web-guests\n    description: Guests tagged web\n    severity: info\n"
        "    applies_to: {tags: [web]}\n    condition: '`true`'\n"
    )
    result = cli("check", "-C", str(lab.root), "--at", lab.commits[1])
    assert result.code == 0, result.out
    assert "INFO web-guests: Guests tagged web (1)\n  qemu/101" in result.out
    assert "INFO guest-no-backup" in result.out
    listed = cli("check", "-C", str(lab.root), "--list", "--format", "markdown")
    assert "| `web-guests` | info | everything | policy.yaml | Guests tagged web |" in listed.out
