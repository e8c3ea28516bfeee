"""A real browser for the tests of the static site: Debian's chromium, driven by Playwright.

Playwright brings its own driver (a node program in the wheel) but no browser here: it starts the
system's /usr/bin/chromium (`.ci/run` installs Debian's package; nothing is downloaded at run
time). It reports what a page does: console messages, uncaught errors and every request, which
the tests hold against the site's rules (no error, nothing fetched from outside the site).

Without chromium (or Playwright) the browser tests skip with the reason; under CI=true they fail
instead, so that CI never passes by skipping them.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Page, Request

# Read once, when the tests are collected: the autouse isolation of each test drops CI and every
# PROXSTATE_* variable from the environment.
CHROMIUM = Path(os.environ.get("PROXSTATE_TEST_CHROMIUM", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() == "true"
# What chromium needs on a closed CI machine: no sandbox (CI runs as root in a container), no GPU,
# and none of the background traffic a fresh profile makes to Google's hosts (component updates,
# sync, QUIC probes). Playwright adds --headless and a new empty --user-data-dir itself.
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def missing() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        return f"no chromium at {CHROMIUM} (Debian: apt-get install chromium; .ci/run installs it)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed (pip install -e '.[dev]')"
    return None


def require_browser() -> None:
    """Skip the calling test when the browser is missing; fail it under CI=true."""
    reason = missing()
    if reason is None:
        return
    if IN_CI:
        pytest.fail(f"the browser tests must run in CI (CI=true): {reason}", pytrace=False)
    pytest.skip(reason)


@contextmanager
def chromium() -> Iterator[Browser]:
    """A headless chromium for as long as the block runs."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=list(FLAGS))
        try:
            yield browser
        finally:
            browser.close()


class Tab:
    """One page of the browser (its own context: no cache or storage shared with other tabs) and
    what it did since it last went to an address: console errors and warnings, uncaught errors,
    every request, and the requests that failed or got an error status."""

    def __init__(self, browser: Browser) -> None:
        self.page: Page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        self.console: list[str] = []
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.failed: list[str] = []
        page = self.page
        page.set_default_timeout(5000)  # a missing element fails the test in seconds, not half a minute
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: self.failed.append(f"{r.url}: {r.status}") if r.status >= 400 else None)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in _LOUD:
            self.console.append(f"{message.type}: {message.text} ({message.location.get('url')})")

    def _failed(self, request: Request) -> None:
        # ERR_ABORTED: the browser dropped a request of the page it was leaving (the icon it asks
        # for after `load`) when the test went on to the next one; an error status or a missing
        # file is reported otherwise (a response of 400 or more, ERR_FILE_NOT_FOUND).
        if request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.url}: {request.failure}")

    def go(self, url: str) -> Page:
        """Load `url` (until its `load` event), forgetting what earlier pages did."""
        for record in (self.console, self.errors, self.requests, self.failed):
            record.clear()
        self.page.goto(url, wait_until="load")
        return self.page

    def foreign(self, *allowed: str) -> list[str]:
        """The requests since the last `go` whose URL starts with none of the `allowed` prefixes."""
        return [url for url in self.requests if not url.startswith(allowed)]

    def trouble(self, *allowed: str) -> list[str]:
        """Everything the last page did wrong: errors, failed and foreign requests."""
        return [
            *self.console,
            *(f"page error: {e}" for e in self.errors),
            *(f"failed: {f}" for f in self.failed),
            *(f"outside the site: {url}" for url in self.foreign(*allowed)),
        ]

    def close(self) -> None:
        self.page.context.close()


_LOUD = frozenset({"error", "warning"})


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # the test's output stays readable
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """`folder` over HTTP on 127.0.0.1 (a port the system picks) as a static host serves it; yields
    the base URL, ending with a slash."""
    handler = functools.partial(_Quiet, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
