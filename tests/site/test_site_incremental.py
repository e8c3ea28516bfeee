"""Rebuilding the site after one more snapshot: only the pages whose content changed are written,
one report is computed (the others come from the cache), and --since narrows the history."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from proxstate.site.build import build_site
from proxstate.store import StateRepo
from tests.helpers.html import parse
from tests.helpers.repo import git


def _files(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}


def _more_memory(record: Path) -> None:
    path = record / "clusters/demo/qemu/105.yaml"
    path.write_text(path.read_text().replace("  memory: 2048\n", "  memory: 3072\n"))
    git(record, "commit", "-q", "-am", "sync demo: 0 added, 1 changed, 0 removed")


def test_one_more_snapshot_writes_only_the_pages_it_changed(record: Path) -> None:
    repo = StateRepo.open(record)
    out = record / "public"
    first = build_site(repo=repo, out=out)
    assert (first.written, first.computed, first.snapshots) == (first.pages, 2, 2)
    before = _files(out)
    _more_memory(record)
    second = build_site(repo=repo, out=out)
    after = _files(out)
    changed = {path for path in after if before.get(path) != after[path]} - {".proxstate-site.json"}
    assert second.computed == 1 and second.snapshots == 3
    assert second.written == len(changed) and second.pages == first.pages + 1
    new_snapshot = f"snapshots/{git(record, 'rev-parse', 'HEAD').strip()}.html"
    # The guest's page, its row, the new snapshot, the link to it from the one before, the front page.
    assert {"clusters/demo/qemu/105.html", "clusters/demo/index.html", new_snapshot, "index.html"} <= changed
    assert "clusters/demo/qemu/104.html" not in changed and "search-index.js" not in changed
    assert len(changed) <= 8, sorted(changed)
    history = parse(out / "clusters/demo/qemu/105.html").find("section", id="history")
    row = history.find("li", cls="change").find("tr", cls="field-change")
    assert [row.find(cls=c).text for c in ("path", "old", "new")] == ["config.memory", "2048", "3072"]


def test_a_page_the_site_no_longer_has_is_removed(cli: Any, record: Path) -> None:
    out = record / "public"
    assert cli("site", "-C", str(record), "--out", str(out)).code == 0
    (out / "notes.txt").write_text("mine\n")
    git(record, "rm", "-q", "clusters/demo/qemu/105.yaml")
    git(record, "commit", "-q", "-m", "sync demo: 0 added, 0 changed, 1 removed")
    result = cli("site", "-C", str(record), "--out", str(out))
    assert re.search(r"\(\d+ written, \d+ unchanged, 1 removed\)", result.out)
    assert not (out / "clusters/demo/qemu/105.html").exists()
    assert (out / "notes.txt").read_text() == "mine\n"  # not the site's: left alone


def test_since_a_commit_or_a_date_narrows_the_history(cli: Any, record: Path, tmp_path: Path) -> None:
    out = tmp_path / "since"
    assert cli("site", "-C", str(record), "--out", str(out), "--since", "HEAD~1").code == 0
    assert len(list((out / "snapshots").iterdir())) == 1
    page = parse(out / "clusters/demo/qemu/106.html")  # not changed by the last snapshot
    assert page.find("section", id="history").find_all("li", cls="change") == []
    assert "since HEAD~1" in page.find("section", id="history").text
    later = tmp_path / "later"
    assert cli("site", "-C", str(record), "--out", str(later), "--since", "2099-01-01").code == 0
    assert not (later / "snapshots").exists()
    wrong = cli("site", "-C", str(record), "--out", str(later), "--since", "not-a-date")
    assert wrong.code == 64 and "neither a date nor a commit" in wrong.err


def test_a_snapshot_page_holds_the_report_of_show_changes(cli: Any, record: Path) -> None:
    out = record / "public"
    assert cli("site", "-C", str(record), "--out", str(out)).code == 0
    head = git(record, "rev-parse", "HEAD").strip()
    report = cli("show-changes", "-C", str(record), head).out
    page = parse(out / f"snapshots/{head}.html")
    assert page.find("pre", cls="report").text == " ".join(report.split())
    linked = [a.text for a in page.find_all("a", cls="resource")]
    assert "qemu/104" in linked
    # lxc/204 was removed: the record no longer holds it, so it has no page to link to.
    assert "lxc/204" not in linked and "lxc/204" in [e.text for e in page.find_all("span", cls="resource")]
