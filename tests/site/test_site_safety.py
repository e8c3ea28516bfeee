"""The record is untrusted input to the site: names that hold HTML or `..`, links in the output
folder, an output folder inside the record or the git folder."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from proxstate.store.layout import document_path
from tests.helpers.html import parse
from tests.helpers.repo import assert_untouched, git

SCRIPT = '<script>alert("x")</script>'


def _snapshot(record: Path, files: dict[str, bytes], message: str = "sync demo: hand-made") -> None:
    """One more commit of the record, as a sync would leave it."""
    for path, content in files.items():
        (record / path).parent.mkdir(parents=True, exist_ok=True)
        (record / path).write_bytes(content)
    git(record, "add", "-A", "clusters")
    git(record, "commit", "-q", "-m", message)


def _site(cli: Any, record: Path, out: Path | None = None) -> Any:
    return cli("site", "-C", str(record), "--out", str(out or record / "public"))


def test_a_guest_named_like_html_is_shown_as_text(cli: Any, record: Path) -> None:
    path = "clusters/demo/qemu/101.yaml"
    text = (record / path).read_text().replace("  name: web01\n", f"  name: '{SCRIPT}'\n")
    _snapshot(record, {path: text.encode()})
    assert _site(cli, record).code == 0
    out = record / "public"
    for page in ("clusters/demo/index.html", "clusters/demo/qemu/101.html", "index.html"):
        assert "<script>alert" not in (out / page).read_text()
    row = parse(out / "clusters/demo/index.html").find("tr", data_resource="qemu/101")
    assert row.find("td", cls="name").text == SCRIPT
    change = parse(out / "clusters/demo/qemu/101.html").find("li", cls="change")
    assert change.find("td", cls="new").text == f'"{SCRIPT}"' or SCRIPT in change.find("td", cls="new").text
    index = (out / "search-index.js").read_text()
    assert "<script" not in index and "\\u003cscript\\u003e" in index


def test_an_id_with_dot_dot_stays_inside_the_site(cli: Any, record: Path, tmp_path: Path) -> None:
    path = str(document_path("demo", "storage/.."))
    assert ".." not in Path(path).parts
    _snapshot(record, {path: b"kind: storage\nstorage: ..\ntype: dir\n"})
    out = tmp_path / "site"
    assert _site(cli, record, out).code == 0
    page = out / path.removesuffix(".yaml")
    assert page.with_suffix(".html").is_file()
    assert parse(page.with_suffix(".html")).find("h1").text == "storage/.."
    assert sorted(p.name for p in tmp_path.iterdir()) == ["record", "site"]


def test_a_link_inside_the_output_folder_is_refused(cli: Any, record: Path, outside: Path) -> None:
    out = record / "public"
    assert _site(cli, record).code == 0
    page = out / "clusters/demo/qemu/101.html"
    page.unlink()
    page.symlink_to(outside / "victim")
    result = _site(cli, record)
    assert result.code == 1
    assert f"refusing to write {page}: it is a symbolic link" in result.err
    assert_untouched(outside)


def test_a_linked_folder_inside_the_output_folder_is_refused(cli: Any, record: Path, outside: Path) -> None:
    out = record / "public"
    (out / "clusters").mkdir(parents=True)
    (out / "clusters/demo").symlink_to(outside)
    result = _site(cli, record)
    assert result.code == 1 and "it is a symbolic link" in result.err
    assert_untouched(outside)
    assert sorted(p.name for p in outside.iterdir()) == ["victim"]


def test_an_output_folder_in_the_record_or_git_folder_is_refused(cli: Any, record: Path) -> None:
    for inside, what in (
        ("clusters/site", "the record (clusters/)"),
        (".git/site", "the git folder"),
        (".", ""),
    ):
        result = _site(cli, record, record / inside)
        assert result.code == 1, inside
        assert "refusing to write the site into" in result.err and what in result.err
    assert not (record / "clusters/site").exists() and not (record / ".git/site").exists()


def test_a_manifest_naming_paths_outside_the_folder_removes_nothing_there(
    cli: Any, record: Path, outside: Path
) -> None:
    out = record / "public"
    assert _site(cli, record).code == 0
    manifest = out / ".proxstate-site.json"
    data = json.loads(manifest.read_text())
    data["pages"][str(Path("..") / ".." / outside.name / "victim")] = "0" * 64
    manifest.write_text(json.dumps(data))
    result = _site(cli, record)
    assert result.code == 1 and re.search("not a plain relative path", result.err)
    assert_untouched(outside)
