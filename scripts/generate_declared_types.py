"""Generate proxstate/normalize/data/declared-types.json: value types and defaults of the catalog's endpoints.

For every entry of proxstate.resources.catalog, the integer, number and boolean fields its answer can hold,
from the official schema: the `returns` of the GET (the items of a list), and the parameters of the
methods that write the same object (PUT/POST on the path, or on the per-item path of a list). At
run time normalization turns `"1"`/`1` into `true` for a boolean field and `"8"` into `8` for an
integer one, exactly as for guest configs.

The same sources give each field's `default` where the schema declares one: a document of a section
(options, rules) that holds nothing but such defaults is not written (proxstate/normalize/unset.py).

Usage: python scripts/generate_declared_types.py [--source DIR] [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from proxstate.resources.catalog import ENTRIES

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "pve-api"
OUTPUT = ROOT / "proxstate" / "normalize" / "data" / "declared-types.json"
TYPED = frozenset({"integer", "number", "boolean"})


def index(tree: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    stack = list(tree)
    while stack:
        node = stack.pop()
        out[node["path"]] = node
        stack.extend(node.get("children") or [])
    return out


def _props(schema: dict[str, Any] | None) -> dict[str, Any]:
    if not schema:
        return {}
    if schema.get("type") == "array":
        schema = schema.get("items") or {}
    return dict(schema.get("properties") or {})


def types_of(paths: dict[str, dict[str, Any]], template: str) -> dict[str, str]:
    """Field -> type for one catalog path (with {type} read as qemu)."""
    concrete = template.replace("{type}", "qemu")
    found: dict[str, str] = {}
    candidates = [concrete]
    siblings = [p for p in paths if p.startswith(concrete + "/{") and p.count("/") == concrete.count("/") + 1]
    candidates += siblings
    for path in candidates:
        info = paths.get(path, {}).get("info", {})
        sources = [_props(info.get("GET", {}).get("returns"))]
        for method in ("PUT", "POST"):
            sources.append(_props(info.get(method, {}).get("parameters")))
        for props in sources:
            for name, spec in props.items():
                kind = spec.get("type") if isinstance(spec, dict) else None
                if kind in TYPED and name not in found:
                    found[name] = kind
    return dict(sorted(found.items()))


def defaults_of(paths: dict[str, dict[str, Any]], template: str) -> dict[str, Any]:
    """Field -> the default the schema declares for it, for one catalog path (answer first)."""
    info = paths.get(template.replace("{type}", "qemu"), {}).get("info", {})
    found: dict[str, Any] = {}
    sources = [_props(info.get("GET", {}).get("returns"))]
    sources += [_props(info.get(method, {}).get("parameters")) for method in ("PUT", "POST")]
    for props in sources:
        for name, spec in props.items():
            if isinstance(spec, dict) and "default" in spec and name not in found:
                found[name] = spec["default"]
    return dict(sorted(found.items()))


def build(source: Path) -> dict[str, Any]:
    tree = json.loads((source / "apidoc.json").read_text(encoding="utf-8"))
    paths = index(tree)
    entries = sorted(ENTRIES, key=lambda e: e.path)
    return {
        "schema_version": 2,
        "types": {e.path: types_of(paths, e.path) for e in entries},
        "defaults": {e.path: found for e in entries if (found := defaults_of(paths, e.path))},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    text = json.dumps(build(args.source), sort_keys=True, separators=(",", ":")) + "\n"
    if args.check:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is out of date: run {Path(__file__).name}", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
