"""The element lines of list changes in the text and Markdown reports (proxstate.report.elements):
rules shifted by a removal, a field of a rule dropped, rules moved by different amounts."""

from __future__ import annotations

from typing import Any

from proxstate.diff import ChangeSet, CommitRef
from proxstate.diff.compare import compare
from proxstate.report import render_markdown
from proxstate.report.text import render_text

BASE = CommitRef("a" * 40, "aaaaaaa", "2026-11-24T10:00:00Z", "sync")
TARGET = CommitRef("b" * 40, "bbbbbbb", "2026-11-25T10:00:00Z", "sync")


def _rule(dport: str, comment: str | None = None) -> dict[str, Any]:
    rule: dict[str, Any] = {"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": dport, "enable": 1}
    if comment is not None:
        rule["comment"] = comment
    return rule


def _reports(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> tuple[str, str]:
    change = compare(
        cluster="lab",
        resource_id="firewall/cluster/rules",
        old={"kind": "firewall", "id": "cluster/rules", "entries": old},
        new={"kind": "firewall", "id": "cluster/rules", "entries": new},
    )
    assert change is not None
    changeset = ChangeSet(BASE, TARGET, (change,))
    return render_text(changeset, color=False), render_markdown(changeset)


def test_rules_shifted_by_a_removal_are_counted_on_one_line() -> None:
    rules = [_rule(str(port)) for port in (22, 80, 443, 8006)]
    text, markdown = _reports(rules, rules[1:])
    assert "- rule 1" in text
    assert "= 3 rules moved up by 1, their order kept" in text
    assert "3 rules moved up by 1, their order kept" in markdown


def test_a_field_dropped_from_a_rule_says_what_it_was() -> None:
    text, _ = _reports([_rule("22", "ssh from the office")], [_rule("2222")])
    assert "- comment removed (was ssh from the office)" in text
    assert '~ dport: "22" -> "2222"' in text


def test_rules_shifted_by_different_amounts_keep_their_order() -> None:
    a, b, c, d = (_rule(str(port)) for port in (22, 80, 443, 8006))
    x, y, z = (_rule(str(port)) for port in (25, 53, 123))
    text, _ = _reports([a, b, c, d], [x, a, b, y, z, c, d])
    assert "= 4 rules moved, their order kept" in text
    assert text.count("+ rule ") == 3
