"""`proxstate query` over the record of tests/policy/conftest.py: by bridge, MAC and tag, now, at
a date, and over a range of snapshots."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.helpers.cli import Result
from tests.helpers.policylab import Lab

CLI = Callable[..., Result]
ON_VMBR1 = "contains(facts.nics[].bridge, 'vmbr1') && {name: facts.name, node: doc.node}"


def test_by_bridge_now_and_at_a_date(lab: Lab, once: CLI) -> None:
    now = once("query", ON_VMBR1, "-C", str(lab.root), "--format", "json")
    assert (now.code, json.loads(now.out)) == (0, [])
    then = once("query", ON_VMBR1, "-C", str(lab.root), "--at", "60 days ago", "--format", "json")
    assert json.loads(then.out) == [
        {"cluster": "lab", "resource": "qemu/102", "name": "db01", "node": "pve2"}
    ]


def test_by_mac_address(lab: Lab, once: CLI) -> None:
    result = once(
        "query", "contains(facts.nics[].mac, 'BC:24:11:00:01:02')", "-C", str(lab.root), "--format", "csv"
    )
    assert result.out.splitlines() == ["cluster,resource", "lab,qemu/102"]


def test_by_tag_as_a_table(lab: Lab, once: CLI) -> None:
    result = once("query", "contains(facts.tags, 'prod') && facts.name", "-C", str(lab.root))
    assert result.code == 0
    lines = [line.split() for line in result.out.splitlines()]
    assert lines == [
        ["CLUSTER", "RESOURCE", "VALUE"],
        ["lab", "lxc/200", "dns01"],
        ["lab", "qemu/101", "web01"],
    ]


def test_over_a_range_gives_the_snapshots_where_the_matches_changed(lab: Lab, once: CLI) -> None:
    result = once(
        "query", ON_VMBR1, "-C", str(lab.root), "--over", f"{lab.commits[0]}..HEAD", "--format", "json"
    )
    steps = [(row["commit"], row["change"], row["resource"]) for row in json.loads(result.out)]
    assert steps == [(lab.commits[0][:7], "matches", "qemu/102"), (lab.commits[3][:7], "gone", "qemu/102")]


def test_a_field_that_only_some_documents_have_is_no_error(lab: Lab, once: CLI) -> None:
    result = once("query", "doc.config.protection", "-C", str(lab.root), "--format", "yaml")
    assert result.code == 0, result.err
    assert "resource: qemu/101" in result.out


def test_an_expression_that_fails_everywhere_is_an_error(lab: Lab, cli: CLI) -> None:
    result = cli("query", "contains(`1`, 'x')", "-C", str(lab.root))
    assert result.code == 1
    assert result.err.startswith("proxstate: error: the query: In function contains(), invalid type")
    broken = cli("query", "doc.[", "-C", str(lab.root))
    assert (broken.code, "not a valid JMESPath expression" in broken.err) == (1, True)


def test_over_needs_a_range(lab: Lab, cli: CLI) -> None:
    result = cli("query", "doc", "-C", str(lab.root), "--over", "HEAD")
    assert result.code == 64
    assert "is not a range" in result.err


@pytest.mark.parametrize(
    ("expression", "now", "then"),
    [
        ("contains(facts.nics[].bridge, 'vmbr1')", [], ["qemu/102"]),
        ("contains(facts.nics[].mac, 'BC:24:11:00:01:01')", ["qemu/101"], ["qemu/101"]),
        ("contains(facts.tags, 'web')", ["qemu/101"], ["qemu/101"]),
        ("doc.pending", [], ["qemu/102"]),
    ],
)
def test_by_bridge_mac_and_tag_now_and_at_a_date(
    lab: Lab, once: CLI, expression: str, now: list[str], then: list[str]
) -> None:
    today = once("query", expression, "-C", str(lab.root), "--format", "json")
    before = once("query", expression, "-C", str(lab.root), "--at", "60 days ago", "--format", "json")
    assert [row["resource"] for row in json.loads(today.out)] == now
    assert [row["resource"] for row in json.loads(before.out)] == then
