"""`proxstate check` on a record built by syncs of a fake cluster whose configuration breaks every
built-in rule in one snapshot and follows them all in a later one (tests/policy/conftest.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from tests.helpers.cli import Result
from tests.helpers.policylab import Lab

CLI = Callable[..., Result]
EVERY_RULE = {
    "guest-no-backup": ["lxc/200", "qemu/102"],
    "backup-job-no-retention": ["backup-job/nightly"],
    "ha-outside-group": ["ha/resource/vm:101"],
    "firewall-off-nic": ["qemu/101"],
    "firewall-off-production": ["lxc/200", "qemu/101"],
    "protection-off-protected-pool": ["qemu/101"],
    "node-missing-bridge": ["node/pve3"],
    "node-missing-storage": ["node/pve3"],
    "node-missing-repository": ["node/pve3"],
    "node-version-behind": ["node/pve3"],
    "token-no-privsep": ["access/tokens/root@pam"],
    "user-no-tfa": ["access/user/alice@pve"],
}
# Broken by age: the snapshot and the pending change are old only at the second broken snapshot.
BY_AGE = {"snapshot-too-old": ["qemu/101"], "pending-too-old": ["qemu/102"]}


def found(result: Result) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for violation in json.loads(result.out)["violations"]:
        out.setdefault(violation["rule"], []).append(violation["resource"])
    return {rule: sorted(ids) for rule, ids in out.items()}


def violations(result: Result, rule: str) -> list[dict[str, Any]]:
    return [v for v in json.loads(result.out)["violations"] if v["rule"] == rule]


def test_the_broken_snapshot_breaks_every_rule(lab: Lab, once: CLI) -> None:
    result = once("check", "-C", str(lab.root), "--at", lab.commits[1], "--format", "json")
    assert result.code == 2, result.err
    assert found(result) == EVERY_RULE


def test_old_snapshots_and_pending_changes_count_at_their_own_date(lab: Lab, once: CLI) -> None:
    result = once("check", "-C", str(lab.root), "--at", lab.commits[2], "--format", "json")
    assert result.code == 2, result.err
    assert found(result) == EVERY_RULE | BY_AGE
    [pending] = violations(result, "pending-too-old")
    assert pending["detail"] == {"pending_days": 40.0, "keys": ["memory"]}


@pytest.mark.parametrize("rule", sorted(EVERY_RULE | BY_AGE))
def test_each_rule_is_followed_once_fixed(lab: Lab, once: CLI, rule: str) -> None:
    before = once("check", "-C", str(lab.root), "--at", lab.commits[2], "--format", "json")
    assert rule in found(before)
    after = once("check", "-C", str(lab.root), "--format", "json")
    assert rule not in found(after)


def test_the_fixed_record_has_no_violation(lab: Lab, once: CLI) -> None:
    result = once("check", "-C", str(lab.root))
    assert result.code == 0, result.out + result.err
    assert "no violations (14 rules" in result.out


def test_a_node_missing_a_bridge_is_named_with_the_bridge(lab: Lab, once: CLI) -> None:
    result = once("check", "-C", str(lab.root), "--at", lab.commits[1], "--format", "json")
    [missing] = violations(result, "node-missing-bridge")
    assert (missing["resource"], missing["detail"]) == ("node/pve3", ["vmbr1"])


def test_a_past_date_finds_the_violation_and_the_snapshot_that_introduced_it(lab: Lab, once: CLI) -> None:
    # 60 days ago: the second snapshot (80 days ago) is the state then.
    result = once(
        "check", "-C", str(lab.root), "--at", "60 days ago", "--since", lab.commits[0], "--format", "json"
    )
    assert result.code == 2, result.err
    report = json.loads(result.out)
    assert report["commit"]["sha"] == lab.commits[1]
    [protection] = violations(result, "protection-off-protected-pool")
    assert protection["new"] is True
    assert protection["introduced"]["sha"] == lab.commits[1]


def test_since_names_who_made_the_change(lab: Lab, once: CLI) -> None:
    result = once(
        "check", "-C", str(lab.root), "--at", lab.commits[2], "--since", lab.commits[0], "--format", "json"
    )
    [snapshot] = violations(result, "snapshot-too-old")
    assert snapshot["introduced"]["sha"] == lab.commits[1]
    assert snapshot["introduced"]["actors"] == ["alice@pve"]
    text = once("check", "-C", str(lab.root), "--at", lab.commits[2], "--since", lab.commits[0])
    assert f"new in {lab.commits[1][:7]}" in text.out
    assert "by alice@pve" in text.out


def test_since_fails_on_new_violations_only(lab: Lab, once: CLI) -> None:
    result = once(
        "check", "-C", str(lab.root), "--at", lab.commits[2], "--since", lab.commits[1], "--format", "json"
    )
    assert result.code == 0, result.out
    report = json.loads(result.out)
    assert report["summary"]["new"] == 0
    assert report["summary"]["violations"] == 16
    assert {v["new"] for v in report["violations"]} == {False}


def test_markdown_puts_the_new_violations_first(lab: Lab, once: CLI) -> None:
    result = once(
        "check",
        "-C",
        str(lab.root),
        "--at",
        lab.commits[2],
        "--since",
        lab.commits[0],
        "--format",
        "markdown",
    )
    assert result.code == 2
    assert result.out.startswith("### proxstate check: 16 violations")
    assert "#### New violations (16)" in result.out
    assert "| ❌ | `firewall-off-nic` | `lab qemu/101` | `net0` |" in result.out


def test_a_date_that_is_not_one_is_a_usage_error(lab: Lab, cli: CLI) -> None:
    result = cli("check", "-C", str(lab.root), "--at", "the day before yesterday-ish")
    assert result.code == 64
    assert "neither a date nor a commit" in result.err


def test_a_damaged_cache_of_decoded_documents_is_read_around(lab: Lab, cli: CLI) -> None:
    first = cli("check", "-C", str(lab.root), "--at", lab.commits[1], "--format", "json")
    cache = lab.root / ".git" / "proxstate" / "documents.sqlite"
    assert cache.stat().st_size > 0
    cache.write_bytes(b"not a database" * 100)
    again = cli("check", "-C", str(lab.root), "--at", lab.commits[1], "--format", "json")
    assert (again.code, again.out) == (first.code, first.out)
    assert cache.read_bytes().startswith(b"SQLite format 3")  # started again
