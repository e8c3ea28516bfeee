"""The screenshots of docs/site.md: the demo's record (`proxstate demo`: two snapshots of the
built-in demo cluster), its static site (`proxstate site`), and two of its pages as Debian's
chromium shows them at 1280x800, taken through Playwright (the `dev` extra):

- docs/images/site-cluster.png: the cluster page (nodes and guests, each with its last change);
- docs/images/site-resource.png: a VM whose memory alice@pve!ci changed, with its history.

Run from the repository's root: `.venv/bin/python scripts/site_screenshots.py` (needs
/usr/bin/chromium: `apt-get install chromium`). Chromium's own PNG encoding is as small as zlib's
highest level makes it (about 100 KiB a page at this size): nothing is re-encoded.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# As tests/helpers/browser.py: what chromium needs on a closed machine (no sandbox as root, no GPU,
# no background traffic to Google's hosts).
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# (file name, page of the demo's site)
SHOTS = (
    ("site-cluster.png", "clusters/demo/index.html"),
    ("site-resource.png", "clusters/demo/qemu/104.html"),
)


def build_demo_site(work: Path) -> Path:
    """The demo's record in work/record and its site in work/public."""
    from proxstate.cli.main import main
    from proxstate.demo.run import demo_session

    record = work / "record"
    with demo_session(record, step=lambda text: print(f"demo: {text}", file=sys.stderr)):
        pass
    site = work / "public"
    try:
        main(["site", "-C", str(record), "--out", str(site)])
    except SystemExit as exc:
        if exc.code:
            raise SystemExit(f"proxstate site exited {exc.code}") from exc
    return site


def shoot(site: Path, out: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS))
        page = browser.new_page(viewport={"width": 1280, "height": 800}, device_scale_factor=1)
        for name, path in SHOTS:
            page.goto((site / path).as_uri(), wait_until="load")
            target = out / name
            page.screenshot(path=str(target), type="png")
            written.append(target)
        browser.close()
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images", help="where the PNGs go")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="proxstate-site-") as work:
        site = build_demo_site(Path(work))
        for path in shoot(site, args.out):
            print(f"{path}: {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
