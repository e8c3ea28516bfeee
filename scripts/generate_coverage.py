"""Write docs/coverage.md from the official schema's endpoint list and proxstate's catalog.

Usage: python scripts/generate_coverage.py [--source DIR] [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from endpoint_audit import render_audit
from pve_coverage import compute, render

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "pve-api"
TARGET = ROOT / "docs" / "coverage.md"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    tsv_text = (args.source / "get-endpoints.tsv").read_text(encoding="utf-8")
    coverage = compute(tsv_text)
    text = render(coverage) + "\n" + "\n".join(render_audit(tsv_text)) + "\n"
    if args.check:
        if TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"{len(coverage.recorded)} of {len(coverage.config_endpoints)} recorded ({coverage.share:.1%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
