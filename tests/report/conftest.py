"""Changesets for the report tests: a realistic one and one full of hostile values."""

from __future__ import annotations

from typing import Literal

import pytest

from proxstate.diff import (
    Attribution,
    ChangeClass,
    ChangeSet,
    CommitRef,
    FieldChange,
    ResourceChange,
    Unreadable,
)

BASE = CommitRef("a" * 40, "aaaaaaa", "2026-11-24T10:00:00Z", "sync: 3 resources changed")
TARGET = CommitRef("b" * 40, "bbbbbbb", "2026-11-25T10:00:00Z", "sync: qemu/101 web01: memory")
MASKED_OLD = "<masked:3f2a9c0d>"
MASKED_NEW = "<masked:77aa0b1e>"

HOSTILE_VALUES = [
    "a|b||c",
    "`",
    "``double`` and ```triple```",
    "`starts and ends`",
    "</details><details><summary>pwned</summary>",
    "<script>alert(1)</script>",
    "&amp; &lt; & <b>bold</b>",
    "line1\nline2\r\n\nline4",
    "nul\x00bell\x07esc\x1b[31mred",
    "rtl\u202eevil\u2066iso\u2069 zw\u200bsp line\u2028sep",
    "emoji \U0001f680 and \uff57\uff49\uff44\uff45 and e\u0301",
    "*bold* _em_ [link](https://example.invalid) ![img](x)",
    "back\\slash\\|pipe\\",
    "  padded  ",
    "",
    "<!-- comment",
    "| --- | --- |",
    "x" * 500,
]


def _field(
    path: str, old: object, new: object, action: Literal["added", "removed", "changed"] = "changed"
) -> FieldChange:
    return FieldChange(path, action, old, new, ChangeClass.CONFIG)


@pytest.fixture
def changeset() -> ChangeSet:
    """qemu/101 modified (with a secret and an attribution), lxc/200 added, qemu/105 removed."""
    web = ResourceChange(
        cluster="prod",
        resource_id="qemu/101",
        action="modified",
        name="web01",
        fields=(
            FieldChange("config.cipassword", "changed", MASKED_OLD, MASKED_NEW, ChangeClass.CONFIG),
            FieldChange("config.memory", "changed", 2048, 4096, ChangeClass.HARDWARE),
            FieldChange("config.net0.bridge", "changed", "vmbr0", "vmbr1", ChangeClass.NETWORK),
            FieldChange("config.net1", "removed", {"bridge": "vmbr9"}, None, ChangeClass.NETWORK),
            FieldChange("node", "changed", "pve1", "pve2", ChangeClass.MIGRATED),
            FieldChange(
                "snapshots.pre-upgrade", "added", None, {"snaptime": 1764000000}, ChangeClass.SNAPSHOT
            ),
            FieldChange("tags", "changed", ["prod", "web"], ["prod"], ChangeClass.TAGS),
        ),
        classes=(
            ChangeClass.MIGRATED,
            ChangeClass.HARDWARE,
            ChangeClass.NETWORK,
            ChangeClass.SNAPSHOT,
            ChangeClass.TAGS,
            ChangeClass.CONFIG,
        ),
        attribution=(
            Attribution(
                "alice@pve", "qmigrate", "2026-11-25T10:02:00Z", "UPID:pve1:1:2:3:qmigrate:101:alice@pve:"
            ),
        ),
    )
    added = ResourceChange("prod", "lxc/200", "added", "ct1", (), (ChangeClass.ADDED,))
    removed = ResourceChange("prod", "qemu/105", "removed", "old", (), (ChangeClass.REMOVED,))
    return ChangeSet(BASE, TARGET, (removed, added, web))


@pytest.fixture
def hostile() -> ChangeSet:
    """Hostile text in values, paths, names, clusters, users and reasons; drift (target None)."""
    fields = tuple(
        _field(f"config.description{index}", value, value[::-1]) for index, value in enumerate(HOSTILE_VALUES)
    )
    fields += (
        _field("config.added|path`x", None, "<i>", "added"),
        _field("config.removed\npath", "</details>", None, "removed"),
        _field("config.nested", {"a|b": ["`", "</summary>"]}, {"k": "\n"}),
    )
    weird = ResourceChange(
        cluster="lab|`x`",
        resource_id="storage/we|rd`</summary>",
        action="modified",
        name="<b>n|ame</b>\n`",
        fields=fields,
        classes=(ChangeClass.CONFIG,),
        attribution=(Attribution("@everyone|`<x>`", "qm|config", "not a time", "UPID:x"),),
    )
    plain = ResourceChange(
        "prod", "qemu/9", "modified", None, (_field("name", "a", "b"),), (ChangeClass.CONFIG,)
    )
    unreadable = (Unreadable("lab|`x`", "qemu/7", "node unreachable | </details> `x`\nsecond line"),)
    return ChangeSet(BASE, None, (weird, plain), unreadable)
