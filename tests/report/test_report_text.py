"""render_text: layout, colour, secrets, unreadable resources, hostile values."""

from __future__ import annotations

import re

from proxstate.diff import ChangeSet, Unreadable
from proxstate.report import render_text

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_plain_report_layout(changeset: ChangeSet) -> None:
    text = render_text(changeset, color=False)
    lines = text.splitlines()
    assert lines[0] == "Changes: 1 added, 1 modified, 1 removed"
    assert "aaaaaaa (2026-11-24T10:00:00Z, sync: 3 resources changed)" in lines[1]
    assert "bbbbbbb" in lines[2]
    assert "prod" in lines
    body = [line.strip() for line in lines]
    assert "~ qemu/101 web01  [migrated, hardware, network, snapshot, tags, config]" in body
    assert "~ config.memory: 2048 -> 4096" in body
    assert "~ config.net0.bridge: vmbr0 -> vmbr1" in body
    assert "- config.net1.bridge (was vmbr9)" in body
    assert "+ snapshots.pre-upgrade.snaptime: 2025-11-24 16:00 UTC" in body
    assert "~ tags: [prod, web] -> [prod]" in body
    assert "likely by alice@pve (qmigrate, 2026-11-25 10:02 UTC; best effort)" in body
    assert "+ lxc/200 ct1  [added]" in body
    assert "- qemu/105 old  [removed]" in body
    assert text.endswith("\n")
    assert "\x1b" not in text


def test_resources_follow_changeset_order(changeset: ChangeSet) -> None:
    text = render_text(changeset, color=False)
    assert text.index("qemu/101") < text.index("qemu/105") < text.index("lxc/200")


def test_secrets_are_never_printed(changeset: ChangeSet) -> None:
    text = render_text(changeset, color=True)
    assert "masked" not in text and "3f2a9c0d" not in text and "77aa0b1e" not in text
    assert "config.cipassword: (secret changed)" in text


def test_colour_marks_actions(changeset: ChangeSet) -> None:
    text = render_text(changeset, color=True)
    lines = text.splitlines()
    added = next(line for line in lines if "+ lxc/200" in line)
    removed = next(line for line in lines if "- qemu/105" in line)
    modified = next(line for line in lines if "~ qemu/101" in line)
    assert added.startswith("\x1b[32m") and added.endswith("\x1b[0m")
    assert removed.startswith("\x1b[31m")
    assert modified.startswith("\x1b[33m")
    assert ANSI.sub("", text) == render_text(changeset, color=False)


def test_empty_changeset() -> None:
    assert render_text(ChangeSet(None, None, ()), color=True) == "No changes.\n"


def test_unreadable_resources_come_last() -> None:
    changeset = ChangeSet(None, None, (), (Unreadable("prod", "qemu/107", "node pve3 unreachable"),))
    text = render_text(changeset, color=False)
    assert text.startswith("No changes.")
    assert text.rstrip().endswith("? prod qemu/107: node pve3 unreachable")
    assert "could not be read, drift unknown" in text.lower()


def test_drift_header(hostile: ChangeSet) -> None:
    first = render_text(hostile, color=False).splitlines()[0]
    assert first == "Drift against the live cluster: 0 added, 2 modified, 0 removed"


def test_hostile_values_stay_on_their_line_and_cannot_drive_the_terminal(hostile: ChangeSet) -> None:
    text = render_text(hostile, color=False)
    assert "\x1b" not in text and "\x00" not in text and "\r" not in text
    assert "\u202e" not in text and "\u2028" not in text
    field_lines = [line for line in text.splitlines() if "config.description" in line]
    assert len(field_lines) == 18
    assert all(len(line) < 200 for line in field_lines)
    assert "line1\\nline2\\r\\n\\nline4" in text
    assert "config.removed\\npath" in text
    colored = render_text(hostile, color=True)
    for line in colored.splitlines():
        inner = re.sub(r"^\x1b\[\d+m(.*)\x1b\[0m$", r"\1", line)
        assert "\x1b" not in inner, line
