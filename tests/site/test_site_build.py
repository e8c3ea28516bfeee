"""`proxstate site` on the demo's record: the pages, what they show, and what a rebuild writes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tests.helpers.html import parse
from tests.helpers.repo import git


def _built(cli: Any, record: Path, *args: str) -> tuple[Path, str]:
    out = record / "public"
    result = cli("site", "-C", str(record), "--out", str(out), *args)
    assert result.code == 0, result.err
    return out, result.out


def test_the_site_has_a_page_per_cluster_resource_and_snapshot(cli: Any, record: Path) -> None:
    out, summary = _built(cli, record)
    assert re.fullmatch(
        rf"site: (\d+) pages \(\1 written, 0 unchanged, 0 removed\) in {re.escape(str(out))}\n", summary
    )
    front = parse(out / "index.html")
    assert [a.attrs["href"] for a in front.find_all("a", cls="cluster")] == ["clusters/demo/index.html"]
    nav = front.find("nav", id="site-nav")
    assert [a.attrs["href"] for a in nav.find_all("a")][1:] == ["timeline.html", "drift.html", "policy.html"]
    for page in (
        "clusters/demo/qemu/101.html",
        "clusters/demo/lxc/200.html",
        "clusters/demo/nodes/pve1.html",
    ):
        html = parse(out / page)
        assert html.find("input", id="search").attrs["type"] == "search"
        html.find("ul", id="search-results")
    subjects = sorted(p.name for p in (out / "snapshots").iterdir())
    assert len(subjects) == 2  # the demo's two syncs


def test_a_guest_row_holds_its_facts(cli: Any, record: Path) -> None:
    out, _ = _built(cli, record)
    table = parse(out / "clusters/demo/index.html").find("table", id="guests")
    row = table.find("tr", data_resource="qemu/104")
    cells = [cell.text for cell in row.find_all("td")]
    assert cells[:9] == [
        "win-build",
        "104",
        "pve2",
        "stopped",
        "4",
        "16384",
        "efidisk0 4M, scsi0 120G, tpmstate0 4M",
        "",
        "ci, windows",
    ]
    assert row.find("td", cls="actor").text == "alice@pve!ci"
    link = row.find("td", cls="changed").find("a").attrs["href"]
    assert (out / "clusters/demo" / link).resolve().parent == (out / "snapshots").resolve()


def test_a_memory_change_shows_old_new_and_its_actor(cli: Any, record: Path) -> None:
    out, _ = _built(cli, record)
    page = parse(out / "clusters/demo/qemu/104.html")
    newest = page.find("section", id="history").find_all("li", cls="change")[0]
    assert newest.find(cls="actor").text == "alice@pve!ci"
    row = newest.find("tr", cls="field-change")
    assert (row.find(cls="path").text, row.find(cls="old").text, row.find(cls="new").text) == (
        "config.memory",
        "8192",
        "16384",
    )
    assert "memory: 16384" in page.find("pre", id="document").text


def test_a_rebuild_without_a_new_snapshot_writes_nothing(cli: Any, record: Path) -> None:
    out, first = _built(cli, record)
    pages = int(first.split()[1])
    _, again = _built(cli, record)
    assert again == f"site: {pages} pages (0 written, {pages} unchanged, 0 removed) in {out}\n"


def test_an_out_folder_that_is_a_link_is_refused(cli: Any, record: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (record / "public").symlink_to(elsewhere)
    result = cli("site", "-C", str(record), "--out", str(record / "public"))
    assert result.code == 1
    assert "refusing to write the site into" in result.err and "symbolic link" in result.err
    assert list(elsewhere.iterdir()) == []


def _search_index(out: Path) -> list[dict[str, Any]]:
    text = (out / "search-index.js").read_text()
    prefix = "window.PROXSTATE_SEARCH_INDEX = "
    assert text.startswith(prefix) and text.endswith(";\n")
    entries: list[dict[str, Any]] = json.loads(text[len(prefix) : -2])
    return entries


def _found(entries: list[dict[str, Any]], query: str) -> list[str]:
    """What site.js lists for a query: the entries with a text that holds it, any case."""
    return [e["h"] for e in entries if any(query.lower() in t.lower() for t in e["t"])]


def test_the_search_index_finds_a_guest_by_name_mac_ip_tag_and_bridge(cli: Any, record: Path) -> None:
    out, _ = _built(cli, record)
    entries = _search_index(out)
    assert _found(entries, "WEB01") == ["clusters/demo/qemu/101.html"]
    assert _found(entries, "bc:24:11:00:65:00") == ["clusters/demo/qemu/101.html"]
    assert _found(entries, "192.0.2.53") == ["clusters/demo/lxc/200.html"]
    assert "clusters/demo/qemu/104.html" in _found(entries, "windows")
    assert "clusters/demo/qemu/101.html" in _found(entries, "vmbr0")
    for entry in entries:
        assert (out / entry["h"]).is_file()


def test_no_secret_and_no_keyed_hash_of_one_is_rendered(cli: Any, record: Path) -> None:
    recorded = (record / "clusters/demo/qemu/110.yaml").read_text()
    assert "cipassword: <masked:" in recorded
    out, _ = _built(cli, record)
    assert (
        "cipassword: <masked>" in parse(out / "clusters/demo/qemu/110.html").find("pre", id="document").text
    )
    for path in out.rglob("*"):
        if path.is_file():
            assert "masked:" not in path.read_text(), path


def test_a_list_change_is_shown_element_by_element(cli: Any, record: Path) -> None:
    out, _ = _built(cli, record)
    page = parse(out / "clusters/demo/firewall/cluster/rules.html")
    newest = page.find("section", id="history").find("li", cls="change")
    rows = [
        (r.find(cls="path").text, r.find(cls="old").text, r.find(cls="new").text)
        for r in newest.find_all("tr", cls="field-change")
    ]
    assert rows == [
        ("entries rule 1", "", 'IN DROP source 203.0.113.0/24 comment "block scanner"'),
        ("entries", "", "3 rules moved down by 1, their order kept"),
    ]


def test_a_commit_links_to_the_forge_when_the_remote_is_on_one(cli: Any, record: Path) -> None:
    git(record, "remote", "add", "origin", "git@github.com:ops/pve-state.git")
    out, _ = _built(cli, record)
    head = git(record, "rev-parse", "HEAD").strip()
    change = parse(out / "clusters/demo/qemu/104.html").find("li", cls="change")
    assert change.find("a", cls="commit").attrs["href"] == f"https://github.com/ops/pve-state/commit/{head}"
    assert change.find("a", cls="when").attrs["href"] == f"../../../snapshots/{head}.html"


def test_a_snapshot_whose_document_cannot_be_read_says_so(cli: Any, record: Path) -> None:
    (record / "clusters/demo/qemu/105.yaml").write_text("config: [unclosed\n")
    git(record, "commit", "-q", "-am", "sync demo: hand-broken")
    broken = git(record, "rev-parse", "HEAD").strip()
    (record / "clusters/demo/qemu/105.yaml").write_text("kind: qemu\nvmid: 105\n")
    git(record, "commit", "-q", "-am", "sync demo: mended")
    result = cli("site", "-C", str(record), "--out", str(record / "public"))
    assert result.code == 0, result.err
    warnings = result.err.splitlines()
    # That snapshot, and the next (whose old side it is), as show-changes of each would say.
    assert len(warnings) == 2 and all("clusters/demo/qemu/105.yaml" in line for line in warnings)
    assert warnings[0].startswith(f"proxstate: warning: the report of snapshot {broken[:7]}")
    page = parse(record / "public" / f"snapshots/{broken}.html")
    assert "could not be made" in page.find("p", cls="error").text
    assert "not a valid document" in page.find("p", cls="error").text
    assert page.find("section", id="changes").find_all("li", cls="change") == []


def test_cluster_narrows_the_site_to_one_cluster(cli: Any, record: Path) -> None:
    out, _ = _built(cli, record, "--cluster", "demo")
    assert [a.text for a in parse(out / "index.html").find_all("a", cls="cluster")] == ["demo"]
    wrong = cli("site", "-C", str(record), "--out", str(out), "--cluster", "dmeo")
    assert wrong.code == 64 and "demo" in wrong.err
