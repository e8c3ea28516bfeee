"""The static site of a record, opened in a real headless browser (Debian's chromium through
Playwright, tests/helpers/browser.py) as its readers open it: served over HTTP by a plain static
host, and from disk by file://.

The record (tests/helpers/sitelab.py): three snapshots on three days of a fake cluster, the last
one a memory change of app01 (qemu/103) by alice's token, which PVE's cluster log names. The page
paths and selectors are the site's contract (docs/site.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

import pytest

from tests.helpers.browser import Tab, chromium, require_browser, serve
from tests.helpers.clusterlog import ALICE
from tests.helpers.sitelab import (
    CLUSTER,
    DB_PASSWORD,
    FORGE_COMMITS,
    SECRETS,
    WEB01_IP,
    WEB01_MAC,
    SiteLab,
    site_lab,
)

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

# With pytest-xdist (`--dist loadgroup`), the tests of this module run on one worker: one record,
# one site and one browser for all of them.
pytestmark = pytest.mark.xdist_group("site-browser")

CLUSTER_PAGE = f"clusters/{CLUSTER}/index.html"
GUESTS = {
    "qemu/101": 2048,
    "qemu/102": 8192,
    "qemu/103": 4096,
    "qemu/9000": 1024,
    "lxc/200": 512,
    "lxc/201": 256,
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory, _fakepve_pki: Any) -> Iterator[SiteLab]:
    with site_lab(tmp_path_factory, _fakepve_pki) as made:
        yield made


@pytest.fixture(scope="module")
def site(lab: SiteLab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "public"
    lab.build_site(out)
    return out


@pytest.fixture(scope="module")
def base(site: Path) -> Iterator[str]:
    with serve(site) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    require_browser()
    with chromium() as running:
        yield running


@pytest.fixture
def tab(browser: Browser) -> Iterator[Tab]:
    opened = Tab(browser)
    yield opened
    opened.close()


def pages(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))


def test_every_page_loads_without_errors_or_requests_outside_the_site(
    site: Path, base: str, tab: Tab, lab: SiteLab
) -> None:
    found = pages(site)
    expected = {
        "index.html",
        "timeline.html",
        "drift.html",
        "policy.html",
        f"clusters/{CLUSTER}/index.html",
        f"clusters/{CLUSTER}/qemu/101.html",
        f"clusters/{CLUSTER}/lxc/200.html",
        f"clusters/{CLUSTER}/nodes/pve1.html",
        *(f"snapshots/{commit}.html" for commit in lab.commits),
    }
    assert expected <= set(found), sorted(expected - set(found))
    trouble = {}
    for path in found:
        tab.go(base + path)
        if problems := tab.trouble(base):
            trouble[path] = problems
    assert trouble == {}


def test_a_page_opened_from_disk_works_and_reads_nothing_else(site: Path, tab: Tab) -> None:
    page = tab.go((site / CLUSTER_PAGE).as_uri())
    assert tab.trouble(site.as_uri() + "/") == []
    assert any(url.endswith("/static/site.css") for url in tab.requests)
    assert any(url.endswith("/search-index.js") for url in tab.requests)
    page.fill("#search", "db01")
    link = page.locator("#search-results li a", has_text="db01").first
    link.click()
    page.wait_for_url("**/qemu/102.html")
    assert "name: db01" in page.inner_text("pre#document")


def _search(page: Page, text: str) -> list[tuple[str, str]]:
    page.fill("#search", text)
    results = page.locator("#search-results li a")
    results.first.wait_for()
    return [
        (results.nth(i).inner_text(), results.nth(i).get_attribute("href") or "")
        for i in range(results.count())
    ]


@pytest.mark.parametrize("typed", ["web01", WEB01_MAC.lower(), WEB01_MAC, WEB01_IP])
def test_search_finds_a_guest_by_name_by_mac_and_by_ip(typed: str, base: str, tab: Tab) -> None:
    page = tab.go(base + "index.html")
    results = _search(page, typed)
    assert [href.rsplit("/", 2)[-2:] for _, href in results] == [["qemu", "101.html"]], results
    page.locator("#search-results li a[href$='qemu/101.html']").first.click()
    page.wait_for_url(f"{base}clusters/{CLUSTER}/qemu/101.html")
    assert "name: web01" in page.inner_text("pre#document")
    assert tab.trouble(base) == []


def test_a_resource_page_shows_the_memory_change_and_who_made_it(base: str, tab: Tab, lab: SiteLab) -> None:
    page = tab.go(f"{base}clusters/{CLUSTER}/qemu/103.html")
    assert "memory: 4096" in page.inner_text("pre#document")
    newest = page.locator("section#history li.change").first
    memory = newest.locator(".field-change", has=page.locator(".path", has_text="memory"))
    assert memory.count() == 1, newest.inner_html()
    assert (memory.locator(".old").inner_text().strip(), memory.locator(".new").inner_text().strip()) == (
        "2048",
        "4096",
    )
    assert ALICE in newest.locator(".actor").inner_text()
    assert newest.locator("a.commit").get_attribute("href") == FORGE_COMMITS + lab.commits[-1]
    when = newest.locator("a.when, .when a")
    assert (when.get_attribute("href") or "").endswith(f"snapshots/{lab.commits[-1]}.html")

    page = tab.go(f"{base}clusters/{CLUSTER}/qemu/102.html")  # changed on the host: no one named
    newest = page.locator("section#history li.change").first
    assert newest.locator(".field-change .path", has_text="cores").count() == 1
    assert newest.locator(".actor").inner_text().strip() == "unattributed"


def test_the_timeline_has_one_bar_per_day(base: str, tab: Tab, lab: SiteLab) -> None:
    page = tab.go(base + "timeline.html")
    bars = page.locator("svg#changes-per-day g.bar")
    days = sorted(bars.nth(i).get_attribute("data-day") or "" for i in range(bars.count()))
    dates = [_day(lab, commit) for commit in lab.commits]
    assert days == sorted(set(dates)) and len(days) == 3
    for i in range(bars.count()):
        assert bars.nth(i).locator("rect[data-class]").count() >= 1
        assert bars.nth(i).locator("title").count() == 1
    snapshots = page.locator("a.snapshot")
    hrefs = [snapshots.nth(i).get_attribute("href") or "" for i in range(snapshots.count())]
    assert [h.rsplit("/", 1)[-1] for h in hrefs] == [f"{c}.html" for c in reversed(lab.commits)]
    snapshots.first.click()
    page.wait_for_url(f"**/snapshots/{lab.commits[-1]}.html")
    assert "qemu/103" in page.inner_text("body")
    assert tab.trouble(base) == []


def _day(lab: SiteLab, commit: str) -> str:
    stamp = lab.git("show", "-s", "--format=%ct", commit)
    return datetime.fromtimestamp(int(stamp), UTC).date().isoformat()


def test_the_drift_page_shows_how_the_live_cluster_differs(
    lab: SiteLab, browser: Browser, tmp_path: Path
) -> None:
    vm, ct = lab.pve.vm(101), lab.pve.ct(200)
    memory, env = vm.config["memory"], ct.config["env"]
    vm.config["memory"] = "3072"
    ct.config["env"] = "DB_PASSWORD=db-pw-Live-Gecko-7\0DB_HOST=db01"
    try:
        drift = lab.drift_report(tmp_path / "drift.json")
        assert drift.code == 2, drift.err  # drift found
    finally:
        vm.config["memory"], ct.config["env"] = memory, env
    site = tmp_path / "public"
    lab.build_site(site, "--drift-report", str(tmp_path / "drift.json"))
    tab = Tab(browser)
    try:
        page = tab.go((site / "drift.html").as_uri())
        assert tab.trouble(site.as_uri() + "/") == []
        text = page.inner_text("main")
    finally:
        tab.close()
    assert "qemu/101" in text and "3072" in text and "lxc/200" in text
    html = (site / "drift.html").read_text(encoding="utf-8")
    for secret in (*SECRETS, "db-pw-Live-Gecko-7", DB_PASSWORD[1]):
        assert secret not in html


def _rows(page: Page) -> list[str]:
    rows = page.locator("table#guests tbody tr[data-resource]:not([hidden])")
    return [rows.nth(i).get_attribute("data-resource") or "" for i in range(rows.count())]


def test_sorting_the_guests_by_memory_orders_the_rows(base: str, tab: Tab) -> None:
    page = tab.go(base + CLUSTER_PAGE)
    assert sorted(_rows(page)) == sorted(GUESTS)
    header = page.locator("table#guests th[data-sort]", has_text=re.compile("memory", re.I))
    ascending = sorted(GUESTS, key=GUESTS.__getitem__)
    header.click()
    first = _rows(page)
    assert first in (ascending, ascending[::-1]), first
    header.click()
    assert _rows(page) == first[::-1]


def test_the_filter_hides_the_rows_that_do_not_match(base: str, tab: Tab) -> None:
    page = tab.go(base + CLUSTER_PAGE)
    page.fill("#guest-filter", "db01")
    assert _rows(page) == ["qemu/102"]
    hidden = page.locator("table#guests tbody tr[data-resource][hidden]")
    assert hidden.count() == len(GUESTS) - 1
    page.fill("#guest-filter", "")
    assert sorted(_rows(page)) == sorted(GUESTS)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [value for name, value in attrs if name in ("href", "src", "action") and value]


def test_no_page_holds_a_secret_or_links_outside_the_site(site: Path) -> None:
    files = [p for p in site.rglob("*") if p.is_file()]
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace")
        for secret in SECRETS:
            assert secret not in text, f"{secret} in {path.relative_to(site)}"
    forge = []
    for page in pages(site):
        parser = _Links()
        parser.feed((site / page).read_text(encoding="utf-8"))
        for link in parser.links:
            if link.startswith(FORGE_COMMITS):
                forge.append(link)
                continue
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, f"{page} links outside the site: {link}"
            if not parts.path:
                continue  # a fragment of the page itself
            target = ((site / page).parent / unquote(parts.path)).resolve()
            assert target.is_relative_to(site.resolve()), f"{page} links outside the site: {link}"
            assert target.is_file(), f"{page} links to a page that is not there: {link}"
    assert forge, "no commit links to the forge"
