"""ChangeSet ordering, counts and emptiness; summaries for commit messages."""

from __future__ import annotations

from typing import Literal

from proxstate.diff import (
    ChangeClass,
    ChangeSet,
    FieldChange,
    ResourceChange,
    Unreadable,
    is_masked,
    summarize,
    summarize_changeset,
)


def _resource(
    resource_id: str, action: Literal["added", "removed", "modified"] = "modified", cluster: str = "prod"
) -> ResourceChange:
    return ResourceChange(cluster, resource_id, action, None, (), ())


def test_resources_are_sorted_by_cluster_kind_and_natural_id() -> None:
    ids = [
        "tasks/pve1/2026-11-25",
        "qemu/10",
        "lxc/5",
        "cluster",
        "qemu/9",
        "storage/local",
        "node/pve10",
        "node/pve2",
        "content/pve1/local",
        "zzz/1",
    ]
    changeset = ChangeSet(
        None, None, (*tuple(_resource(rid) for rid in ids), _resource("qemu/1", cluster="a"))
    )
    assert [(r.cluster, r.resource_id) for r in changeset.resources] == [
        ("a", "qemu/1"),
        ("prod", "cluster"),
        ("prod", "node/pve2"),
        ("prod", "node/pve10"),
        ("prod", "qemu/9"),
        ("prod", "qemu/10"),
        ("prod", "lxc/5"),
        ("prod", "storage/local"),
        ("prod", "content/pve1/local"),
        ("prod", "tasks/pve1/2026-11-25"),
        ("prod", "zzz/1"),
    ]


def test_counts_and_emptiness() -> None:
    changeset = ChangeSet(
        None,
        None,
        (
            _resource("qemu/1", "added"),
            _resource("qemu/2"),
            _resource("qemu/3"),
            _resource("lxc/4", "removed"),
        ),
    )
    assert changeset.counts == (1, 2, 1)
    assert changeset.counts.modified == 2
    assert not changeset.is_empty
    only_unreadable = ChangeSet(None, None, (), (Unreadable("prod", "qemu/7", "node pve3 unreachable"),))
    assert only_unreadable.is_empty
    assert only_unreadable.counts == (0, 0, 0)


def test_masked_values() -> None:
    assert is_masked("<masked>")
    assert is_masked("<masked:3f2a9c>")
    assert not is_masked("masked")
    assert not is_masked("<masked:xyz> trailing")
    assert is_masked(["a", {"b": "<masked>"}])
    assert not is_masked(42)


def _modified(paths: list[str], name: str | None = "web01") -> ResourceChange:
    fields = tuple(FieldChange(path, "changed", 1, 2, ChangeClass.CONFIG) for path in paths)
    return ResourceChange("prod", "qemu/101", "modified", name, fields, (ChangeClass.CONFIG,))


def test_summarize_modified_strips_config_prefix() -> None:
    assert (
        summarize(_modified(["config.memory", "config.net0.bridge"])) == "qemu/101 web01: memory, net0.bridge"
    )
    assert summarize(_modified(["status"], name=None)) == "qemu/101: status"


def test_summarize_added_and_removed() -> None:
    added = ResourceChange("prod", "lxc/200", "added", "ct1", (), (ChangeClass.ADDED,))
    removed = ResourceChange("prod", "qemu/105", "removed", "old", (), (ChangeClass.REMOVED,))
    assert summarize(added) == "lxc/200 ct1: added"
    assert summarize(removed) == "qemu/105 old: removed"


def test_summarize_abbreviates_long_lists() -> None:
    paths = [f"config.net{index}" for index in range(18)]
    assert summarize(_modified(paths)) == (
        "qemu/101 web01: net0, net1, net2, net3, net4, net5 ... and 12 more"
    )
    assert summarize(_modified(paths), limit=2).endswith("net0, net1 ... and 16 more")


def test_summarize_changeset_prefixes_clusters_only_when_several() -> None:
    one = ChangeSet(None, None, (_modified(["config.cores"]),))
    assert summarize_changeset(one) == ["qemu/101 web01: cores"]
    other = ResourceChange("lab", "lxc/7", "added", None, (), (ChangeClass.ADDED,))
    two = ChangeSet(None, None, (_modified(["config.cores"]), other))
    assert summarize_changeset(two) == ["lab: lxc/7: added", "prod: qemu/101 web01: cores"]
