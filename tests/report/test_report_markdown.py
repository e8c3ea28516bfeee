"""render_markdown: structure (parsed as GFM) and escaping of hostile values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest

from proxstate.diff import ChangeSet, Unreadable
from proxstate.report import render_markdown
from proxstate.report.markdown import CELL_LIMIT
from proxstate.report.values import display, shorten

markdown_it = pytest.importorskip("markdown_it")

ALLOWED_SUMMARY_TAGS = {"details", "summary", "/summary", "code", "/code"}


@dataclass
class Parsed:
    tables: list[list[list[Any]]] = field(default_factory=list)  # table -> rows -> cell inline tokens
    html_blocks: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    html_inline: list[str] = field(default_factory=list)
    list_items: list[str] = field(default_factory=list)


def _parse(text: str) -> Parsed:
    parser = markdown_it.MarkdownIt("commonmark").enable("table")
    parsed = Parsed()
    in_cell = in_heading = in_item = False
    for token in parser.parse(text):
        if token.type == "table_open":
            parsed.tables.append([])
        elif token.type == "tr_open":
            parsed.tables[-1].append([])
        elif token.type in ("th_open", "td_open"):
            in_cell = True
        elif token.type in ("th_close", "td_close"):
            in_cell = False
        elif token.type == "heading_open":
            in_heading = True
        elif token.type == "list_item_open":
            in_item = True
        elif token.type == "list_item_close":
            in_item = False
        elif token.type == "html_block":
            parsed.html_blocks.append(token.content)
        elif token.type == "inline":
            if in_cell:
                parsed.tables[-1][-1].append(token)
            elif in_heading:
                parsed.headings.append(_plain(token))
                in_heading = False
            elif in_item:
                parsed.list_items.append(_plain(token))
            parsed.html_inline.extend(
                child.content for child in token.children or [] if child.type == "html_inline"
            )
    return parsed


def _plain(token: Any) -> str:
    return "".join(child.content for child in token.children or [])


def _codes(cell: Any) -> list[str]:
    return [child.content for child in cell.children or [] if child.type == "code_inline"]


def test_summary_table_and_details_per_resource(changeset: ChangeSet) -> None:
    text = render_markdown(changeset)
    parsed = _parse(text)
    assert parsed.headings[0] == "proxstate: changes"
    summary, *field_tables = parsed.tables
    assert [_plain(cell) for cell in summary[0]] == ["Resource", "Change", "Classes"]
    assert [[_plain(cell) for cell in row] for row in summary[1:]] == [
        ["qemu/101 web01", "modified", "migrated, hardware, network, snapshot, tags, config"],
        ["qemu/105 old", "removed", "removed"],
        ["lxc/200 ct1", "added", "added"],
    ]
    opened = [block for block in parsed.html_blocks if block.startswith("<details><summary>")]
    closed = [block for block in parsed.html_blocks if block.strip() == "</details>"]
    assert len(opened) == len(closed) == 3
    assert "<code>qemu/101</code> web01: modified" in opened[0]
    (web,) = field_tables  # added and removed resources have no field table
    assert [_plain(cell) for cell in web[0]] == ["Path", "Old", "New"]
    rows = {_plain(row[0]): [_plain(cell) for cell in row[1:]] for row in web[1:]}
    assert rows["config.memory"] == ["2048", "4096"]
    # A mapping that went or came is shown field by field; a time in seconds as a date.
    assert rows["config.net1.bridge"] == ["vmbr9", ""]
    assert rows["snapshots.pre-upgrade.snaptime"] == ["", "2025-11-24 16:00 UTC"]
    assert rows["config.cipassword"] == ["(secret)", "(secret changed)"]
    assert "likely by alice@pve (qmigrate, 2026-11-25 10:02 UTC; best effort)" in parsed.list_items
    assert "PVE logs no author for some edits" in text.splitlines()[-1]
    assert "masked" not in text and "3f2a9c0d" not in text


def test_custom_title_and_empty_changeset() -> None:
    empty = render_markdown(ChangeSet(None, None, ()), title="Nightly | `drift` <b>")
    parsed = _parse(empty)
    assert parsed.headings == ["Nightly | `drift` <b>"]
    assert "No changes." in empty
    assert parsed.tables == [] and parsed.html_blocks == [] and parsed.html_inline == []


def test_unreadable_section() -> None:
    changeset = ChangeSet(None, None, (), (Unreadable("prod", "qemu/107", "node pve3 unreachable"),))
    parsed = _parse(render_markdown(changeset))
    assert "Could not be read, drift unknown" in parsed.headings
    assert parsed.list_items == ["prod qemu/107: node pve3 unreachable"]


def test_hostile_values_do_not_break_the_structure(hostile: ChangeSet) -> None:
    text = render_markdown(hostile)
    parsed = _parse(text)
    assert parsed.headings[0] == "proxstate: drift"
    summary, weird, plain = parsed.tables
    assert all(len(row) == 3 for table in parsed.tables for row in table)
    assert len(summary) == 1 + 2
    weird_resource = hostile.resources[0]
    assert len(weird) == 1 + len(weird_resource.fields)
    assert len(plain) == 2
    # Only our own tags: two per resource, two per value too long for its cell (shown whole in a
    # collapsible block), and the <sub> of the footer.
    long_values = sum(
        1
        for change in weird_resource.fields
        if not change.secret
        and any(len(display(v)) > CELL_LIMIT for v in (change.old, change.new) if v is not None)
    )
    assert long_values >= 1
    assert len(parsed.html_blocks) == 4 + 2 * long_values
    assert parsed.html_inline == ["<sub>", "</sub>"]
    for block in parsed.html_blocks:
        tags = set(re.findall(r"<(/?[a-z]+)", block))
        assert tags <= ALLOWED_SUMMARY_TAGS | {"/details"}, block
    # Each value cell shows exactly the (shortened) one-line form of the value.
    for row, change in zip(weird[1:], weird_resource.fields, strict=True):
        assert _codes(row[0]) == [change.path.replace("\n", "\\n")]
        if change.action != "added":
            assert _codes(row[1]) == [shorten(display(change.old), CELL_LIMIT)]
        if change.action != "removed":
            assert _codes(row[2]) == [shorten(display(change.new), CELL_LIMIT)]
    assert _plain(summary[1][0]).startswith("lab|`x` storage/we|rd`</summary> <b>n|ame</b>\\n`")
    assert parsed.list_items[0] == "likely by @everyone|`<x>` (qm|config, not a time; best effort)"
    assert parsed.list_items[-1] == "lab|`x` qemu/7: node unreachable | </details> `x`\\nsecond line"


def test_long_field_lists_are_folded_then_capped() -> None:
    from proxstate.diff import ChangeClass, FieldChange, ResourceChange

    fields = tuple(FieldChange(f"config.net{i}", "added", None, "x", ChangeClass.NETWORK) for i in range(70))
    resource = ResourceChange("prod", "qemu/1", "modified", None, fields, (ChangeClass.NETWORK,))
    parsed = _parse(render_markdown(ChangeSet(None, None, (resource,))))
    (_, table, folded) = parsed.tables
    assert len(table) == 1 + 50 and len(folded) == 1 + 20  # the rest folded, nothing left out
    assert "<details><summary>20 more changes</summary>" in parsed.html_blocks[1]
    many = tuple(FieldChange(f"config.net{i}", "added", None, "x", ChangeClass.NETWORK) for i in range(520))
    big = ResourceChange("prod", "qemu/1", "modified", None, many, (ChangeClass.NETWORK,))
    (_, _, last) = _parse(render_markdown(ChangeSet(None, None, (big,)))).tables
    assert len(last) == 1 + 450 + 1
    assert _plain(last[-1][0]) == "\u2026 and 20 more"
