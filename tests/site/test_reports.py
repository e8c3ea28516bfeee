"""The timeline, drift and policy pages of `proxstate site`, on the demo's record.

The drift report is the one a user makes: `proxstate drift --format json` against the demo cluster
while it still serves (the demo changed web01's tags after its last snapshot)."""

from __future__ import annotations

import contextlib
import io
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from proxstate.cli.main import main
from proxstate.demo.run import MASK_KEY, demo_session
from tests.helpers.html import Element, parse
from tests.helpers.isolation import isolate
from tests.helpers.repo import git


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The demo's record and its drift report, made once for the module."""
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, tmp_path_factory.mktemp("demo-home"))
        folder = tmp_path_factory.mktemp("demo")
        root = folder / "record"
        with demo_session(root, step=lambda text: None) as (server, _):
            patch.setenv("PROXSTATE_TOKEN", server.token)
            patch.setenv("PROXSTATE_MASK_KEY", MASK_KEY)
            out = io.StringIO()
            with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as done:
                main(["drift", "-C", str(root), "--format", "json", "--no-notify"])
            assert done.value.code == 2  # drift found
        report = folder / "drift.json"
        report.write_text(out.getvalue(), encoding="utf-8")
        yield root, report


@pytest.fixture
def record(demo: tuple[Path, Path], tmp_path: Path) -> Path:
    copy = tmp_path / "record"
    shutil.copytree(demo[0], copy, symlinks=True)
    return copy


@pytest.fixture
def drift_report(demo: tuple[Path, Path]) -> Path:
    return demo[1]


def build(cli: Any, record: Path, *args: str) -> Path:
    out = record.parent / "public"
    result = cli("site", "-C", str(record), "--out", str(out), *args)
    assert result.code == 0, result.err
    return out


def main_of(page: Path) -> Element:
    return parse(page).find("main")


def test_the_timeline_has_a_bar_per_day_and_every_snapshot_newest_first(cli: Any, record: Path) -> None:
    out = build(cli, record)
    page = main_of(out / "timeline.html")
    chart = page.find("svg", id="changes-per-day")
    snapshots = [parse(p) for p in sorted((out / "snapshots").iterdir())]
    days = sorted({s.find("p", cls="muted").text[:10] for s in snapshots})
    bars = chart.find_all("g", cls="bar")
    assert [bar.attrs["data-day"] for bar in bars] == days
    # The bar stacks what the snapshot pages count, class by class.
    counted: dict[str, int] = {}
    for snapshot in snapshots:
        for badge in snapshot.find("p", cls="classes").find_all("span", cls="class"):
            name, count = badge.text.rsplit(" ", 1)
            counted[name] = counted.get(name, 0) + int(count)
    drawn = {rect.attrs["data-class"]: int(rect.attrs["data-count"]) for rect in bars[0].find_all("rect")}
    assert drawn == counted
    assert bars[0].find("title").text.startswith(f"{days[0]}: 2 snapshots, {sum(counted.values())} changes")
    links = [a.attrs["href"] for a in page.find("section", id="snapshots").find_all("a", cls="snapshot")]
    assert len(links) == 2 and all((out / link).is_file() for link in links)
    shas = [link.removeprefix("snapshots/").removesuffix(".html") for link in links]
    assert shas == git(record, "log", "--format=%H", "-2", "--", "clusters").split()  # newest first
    legend = [li.attrs["data-class"] for li in page.find("ul", cls="legend").find_all("li")]
    assert legend == list(drawn)


def test_without_a_drift_report_the_drift_page_says_how_to_make_one(cli: Any, record: Path) -> None:
    page = main_of(build(cli, record) / "drift.html")
    assert "proxstate drift --format json > drift.json" in page.find("p", cls="no-report").text
    assert page.find_all("li", cls="change") == []


def test_the_drift_page_shows_the_given_drift_report(cli: Any, record: Path, drift_report: Path) -> None:
    page = main_of(build(cli, record, "--drift-report", str(drift_report)) / "drift.html")
    assert "0 added, 1 modified, 0 removed" in page.find("p", cls="muted").text
    change = page.find("li", cls="change", data_resource="qemu/101")
    assert change.find("a", cls="resource").attrs["href"] == "clusters/demo/qemu/101.html"
    row = change.find("tr", cls="field-change")
    assert [row.find("td", cls=c).text for c in ("path", "old", "new")] == [
        "config.tags",
        "[prod, web]",
        "[frontend, prod, web]",
    ]
    # The node the demo took offline: its documents' drift is unknown, and said so.
    assert "node pve3 is unreachable" in page.find("section", id="unknown").text
    assert "~ config.tags: [prod, web] -> [frontend, prod, web]" in page.find("pre", cls="report").text


def test_a_report_of_a_cluster_the_site_does_not_show_is_not_called_no_drift(
    cli: Any, record: Path, drift_report: Path
) -> None:
    # `proxstate drift` without --cluster, where proxstate.yaml names none, reports under PVE's
    # own cluster name: the site must not tell its reader there is no drift.
    document = json.loads(drift_report.read_text(encoding="utf-8"))
    for resource in document["resources"]:
        resource["cluster"] = "fakecluster"
    for item in document.get("unreadable", []):
        item["cluster"] = "fakecluster"
    given = record.parent / "foreign-drift.json"
    given.write_text(json.dumps(document), encoding="utf-8")
    page = main_of(build(cli, record, "--drift-report", str(given)) / "drift.html")
    assert "fakecluster (" in page.find("p", cls="elsewhere").text
    assert page.find("p", cls="no-drift").text == "No drift in the clusters shown here."
    assert page.find_all("li", cls="change") == []


def test_a_secret_in_a_drift_report_stays_masked(cli: Any, record: Path, drift_report: Path) -> None:
    document = json.loads(drift_report.read_text(encoding="utf-8"))
    document["resources"][0]["changes"].append(
        {
            "path": "config.cipassword",
            "action": "changed",
            "class": "config",
            "old": None,
            "new": None,
            "secret": True,
        }
    )
    given = record.parent / "secret-drift.json"
    given.write_text(json.dumps(document), encoding="utf-8")
    page = main_of(build(cli, record, "--drift-report", str(given)) / "drift.html")
    rows = {
        row.find("td", cls="path").text: (row.find("td", cls="old").text, row.find("td", cls="new").text)
        for row in page.find_all("tr", cls="field-change")
    }
    assert rows["config.cipassword"] == ("(secret changed)", "(secret changed)")
    assert "masked" not in page.text


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ("not json {", "is not a drift report (not JSON"),
        (
            '{"format_version": 2, "resources": "everything"}',
            "is not a drift report of proxstate (resources is not a list)",
        ),
        ("[]", "is not a drift report of proxstate (no format_version 1 or 2)"),
    ],
)
def test_a_file_that_is_not_a_drift_report_is_refused(
    cli: Any, record: Path, content: str, said: str
) -> None:
    given = record.parent / "given.json"
    given.write_text(content, encoding="utf-8")
    result = cli(
        "site", "-C", str(record), "--out", str(record.parent / "public"), "--drift-report", str(given)
    )
    assert result.code == 1
    assert said in result.err and "proxstate drift --format json > drift.json" in result.err
    assert "Traceback" not in result.err


def test_a_change_report_between_commits_is_not_taken_for_drift(cli: Any, record: Path) -> None:
    changes = cli("show-changes", "-C", str(record), "--format", "json")
    assert changes.code == 0, changes.err
    given = record.parent / "changes.json"
    given.write_text(changes.out, encoding="utf-8")
    result = cli(
        "site", "-C", str(record), "--out", str(record.parent / "public"), "--drift-report", str(given)
    )
    assert result.code == 1
    assert "compares two commits (a show-changes report)" in result.err


def test_the_policy_page_lists_the_findings_per_rule(cli: Any, record: Path) -> None:
    checked = cli("check", "-C", str(record), "--format", "json")
    expected: dict[str, list[str]] = {}
    for violation in json.loads(checked.out)["violations"]:
        expected.setdefault(violation["rule"], []).append(violation["resource"])
    page = main_of(build(cli, record) / "policy.html")
    shown = {
        rule.attrs["data-rule"]: [tr.find("td").text for tr in rule.find_all("tr", cls="finding")]
        for rule in page.find("section", id="rules").find_all("section", cls="rule")
    }
    assert shown == expected
    assert "qemu/101" in shown["firewall-off-nic"]
    link = page.find("section", id="rule-firewall-off-nic").find(
        "a", cls="resource", href="clusters/demo/qemu/101.html"
    )
    assert link.text == "qemu/101"
    passed = [li.attrs["data-rule"] for li in page.find("ul", cls="rules-passed").find_all("li")]
    assert passed and not set(passed) & set(shown)


def test_a_waiver_of_policy_yaml_shows_beside_its_finding(cli: Any, record: Path) -> None:
    (record / "policy.yaml").write_text(
        "waivers:\n"
        "  - rule: firewall-off-nic\n"
        "    resource: qemu/101\n"
        "    reason: behind the edge firewall\n"
        "    expires: 2999-01-01\n",
        encoding="utf-8",
    )
    page = main_of(build(cli, record) / "policy.html")
    finding = next(
        tr
        for tr in page.find("section", id="rule-firewall-off-nic").find_all("tr", cls="finding")
        if tr.find("td").text == "qemu/101"
    )
    assert "waived" in finding.classes
    assert finding.find_all("td")[-1].text == "waived until 2999-01-01: behind the edge firewall"


def test_a_broken_policy_yaml_is_said_on_its_page_and_the_site_is_still_built(cli: Any, record: Path) -> None:
    (record / "policy.yaml").write_text("rules: [unclosed\n", encoding="utf-8")
    page = main_of(build(cli, record) / "policy.html")
    assert page.find("p", cls="error").text.startswith("The policy could not be read")


def test_a_second_build_rewrites_none_of_these_pages(cli: Any, record: Path, drift_report: Path) -> None:
    out = build(cli, record, "--drift-report", str(drift_report))
    before = {
        name: (out / name).stat().st_mtime_ns for name in ("timeline.html", "drift.html", "policy.html")
    }
    result = cli("site", "-C", str(record), "--out", str(out), "--drift-report", str(drift_report))
    assert result.code == 0 and "(0 written," in result.out
    assert {name: (out / name).stat().st_mtime_ns for name in before} == before


def test_a_rebuild_after_one_more_snapshot_writes_only_the_pages_it_changed(cli: Any, record: Path) -> None:
    newest = git(record, "rev-parse", "HEAD").strip()
    git(record, "reset", "-q", "--hard", "HEAD~1")  # the record as it was before the demo's second sync
    out = build(cli, record)
    before = {page: page.stat().st_mtime_ns for page in (out / "clusters").rglob("*.html")}
    git(record, "reset", "-q", "--hard", newest)  # the second sync's snapshot arrives
    result = cli("site", "-C", str(record), "--out", str(out))
    assert result.code == 0, result.err
    changed = git(record, "diff", "--name-only", "HEAD~1", "HEAD", "--", "clusters").split()
    written = int(re.search(r"\((\d+) written", result.out).group(1))  # type: ignore[union-attr]
    # Each changed resource's page, the new snapshot's page and the one before it (its `next`
    # link), the cluster's page, the front page, the timeline, the policy page, the search index.
    assert written <= len(changed) + 7
    # The page of every resource the snapshot did not change is left as it was.
    kept = {
        page: mtime
        for page, mtime in before.items()
        if page.name != "index.html" and str(page.relative_to(out).with_suffix(".yaml")) not in changed
    }
    assert len(kept) > 50
    assert {page: page.stat().st_mtime_ns for page in kept} == kept
