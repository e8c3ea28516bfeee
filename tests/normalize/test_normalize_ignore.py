"""Ignore rules: globs over resource ids, dotted field paths with a glob per segment."""

from __future__ import annotations

from typing import Any

from proxstate.normalize import IgnoreRule, apply_ignore_rules


def document() -> dict[str, Any]:
    return {
        "kind": "qemu",
        "vmid": 101,
        "config": {"net0": {"bridge": "vmbr0", "rate": 10}, "net1": {"rate": 5}, "cores": 2},
        "snapshots": {"a": {"snaptime": 1, "description": "x"}, "b": {"snaptime": 2}},
        "tags": ["a", "b"],
    }


def test_globs_per_segment_and_empty_containers_pruned() -> None:
    doc = document()
    apply_ignore_rules("qemu/101", doc, (IgnoreRule("qemu/*", "config.net*.rate", "tuned"),))
    assert doc["config"] == {"net0": {"bridge": "vmbr0"}, "cores": 2}


def test_rule_for_other_resources_does_nothing() -> None:
    doc = document()
    apply_ignore_rules("lxc/101", doc, (IgnoreRule("qemu/*", "config", ""),))
    assert doc == document()


def test_star_over_mappings_and_lists() -> None:
    doc = document()
    rules = (IgnoreRule("*", "snapshots.*.snaptime", ""), IgnoreRule("*", "tags.0", ""))
    apply_ignore_rules("qemu/101", doc, rules)
    assert doc["snapshots"] == {"a": {"description": "x"}}
    assert doc["tags"] == ["b"]


def test_keys_with_dots() -> None:
    doc: dict[str, Any] = {"kind": "content", "volumes": {"local:iso/a.iso": {"size": 1, "notes": "n"}}}
    apply_ignore_rules(
        "content/pve1/local", doc, (IgnoreRule("content/*", "volumes.local:iso/a.iso.notes", ""),)
    )
    assert doc["volumes"] == {"local:iso/a.iso": {"size": 1}}
    apply_ignore_rules("content/pve1/local", doc, (IgnoreRule("content/*", "volumes.*", ""),))
    assert "volumes" not in doc


def test_kind_is_never_removed() -> None:
    doc = document()
    apply_ignore_rules("qemu/101", doc, (IgnoreRule("*", "*", "everything"),))
    assert doc == {"kind": "qemu"}
