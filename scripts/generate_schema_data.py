"""Generate proxstate/normalize/data/pve-schema.json from the official PVE API schema.

Reads the API schema of PVE 9.1 (`apidoc.json`), merges config keys and property-string keys that
only exist in PVE 8.4 and 7.4, resolves named property-string formats from `formats-pve9.1.json`,
and writes the compact, deterministic data file that proxstate.normalize reads at run time:

    {"formats": {name: {"default_key", "keys", "aliases", "key_aliases"}},
     "kinds": {"qemu" | "lxc" | "storage": {"keys": {...}, "indexed": {...}}},
     "schema_version": 1, "sources": {...}}

A key spec is {"type": "string|integer|number|boolean", "format"?: name of a property-string
format, "list"?: "list|alist", "enum"?: [...]}. Indexed keys (`net[n]` in the schema) are listed
under "indexed" by their base name ("net").

Usage: python scripts/generate_schema_data.py [--source DIR] [--output FILE] [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = ROOT.parent / "shared" / "pve-api"
DEFAULT_OUTPUT = ROOT / "proxstate" / "normalize" / "data" / "pve-schema.json"

# The newest schema first: a key is taken from the first schema that defines it.
APIDOCS = (("9.1", "apidoc.json"), ("8.4", "apidoc-pve8.4.json"), ("7.4", "apidoc-pve7.4.json"))
FORMATS_FILE = "formats-pve9.1.json"

# Where each kind's config keys are described: the parameters of the methods that write them.
ENDPOINTS: dict[str, tuple[tuple[str, str], ...]] = {
    "qemu": (("/nodes/{node}/qemu/{vmid}/config", "POST"),),
    "lxc": (("/nodes/{node}/lxc/{vmid}/config", "PUT"),),
    "storage": (("/storage", "POST"), ("/storage/{storage}", "PUT")),
}

# Parameters of those methods that are request options, not config keys.
NOT_CONFIG = frozenset(
    {"node", "vmid", "digest", "delete", "revert", "skiplock", "force", "background_delay"}
)

# `pve-startup-order` is checked by code in PVE; the schema describes it only by its typetext.
# Its keys are spelled out here and the typetext is asserted, so a change upstream is noticed.
STARTUP_TYPETEXT = "[[order=]\\d+] [,up=\\d+] [,down=\\d+] "
STARTUP_FORMAT: dict[str, Any] = {
    "aliases": {},
    "default_key": "order",
    "key_aliases": {},
    "keys": {"down": {"type": "integer"}, "order": {"type": "integer"}, "up": {"type": "integer"}},
    "required": [],
}

SCALAR_TYPES = frozenset({"string", "integer", "number", "boolean"})


def find_path(tree: list[dict[str, Any]], path: str) -> dict[str, Any]:
    """The node of the apidoc tree with this path."""
    for node in tree:
        if node["path"] == path:
            return node
        if path.startswith(node["path"] + "/") and node.get("children"):
            try:
                return find_path(node["children"], path)
            except KeyError:
                continue
    raise KeyError(path)


def parameters(doc: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    """The config-key parameters of one kind in one apidoc, first method wins."""
    merged: dict[str, dict[str, Any]] = {}
    for path, method in ENDPOINTS[kind]:
        props = find_path(doc, path)["info"][method]["parameters"]["properties"]
        for key, spec in props.items():
            if key not in NOT_CONFIG:
                merged.setdefault(key, spec)
    return merged


def list_kind(format_name: str) -> tuple[str, str] | None:
    """('list' | 'alist', element format) for PVE's `<format>-list` and `<format>-alist`."""
    for suffix in ("-alist", "-list"):
        if format_name.endswith(suffix):
            return suffix[1:], format_name[: -len(suffix)]
    return None


def scalar_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """Type, list marker and enum of one key or sub-key."""
    out: dict[str, Any] = {"type": spec.get("type", "string")}
    if out["type"] not in SCALAR_TYPES:
        out["type"] = "string"
    named = spec.get("format")
    if isinstance(named, str) and (listed := list_kind(named)):
        out["list"] = listed[0]
    if "enum" in spec:
        out["enum"] = [str(value) for value in spec["enum"]]
    return out


def format_entry(keys: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """A property-string format: canonical keys, default key, aliases, key aliases."""
    entry: dict[str, Any] = {
        "aliases": {},
        "default_key": None,
        "key_aliases": {},
        "keys": {},
        "required": [],
    }
    for name, spec in keys.items():
        if "alias" in spec:
            entry["aliases"][name] = spec["alias"]
            if "keyAlias" in spec:
                entry["key_aliases"][name] = spec["keyAlias"]
            continue
        entry["keys"][name] = scalar_spec(spec)
        if spec.get("default_key"):
            entry["default_key"] = name
        elif not spec.get("optional"):
            # print_property_string writes these right after the default key (`name=eth0,bridge=...`).
            entry["required"].append(name)
    entry["required"].sort()
    return entry


def merge_format(newer: dict[str, Any], older: dict[str, Any]) -> dict[str, Any]:
    """Add the sub-keys only an older PVE knows (e.g. the drive geometry `cyls`, `heads`)."""
    merged = dict(newer)
    for name, spec in older.items():
        merged.setdefault(name, spec)
    return merged


class Generator:
    def __init__(self, source: Path) -> None:
        self.docs = [(version, json.loads((source / name).read_text())) for version, name in APIDOCS]
        self.named = json.loads((source / FORMATS_FILE).read_text())
        self.formats: dict[str, dict[str, Any]] = {}

    def named_format(self, name: str, typetext: str | None) -> str | None:
        """Register a named format that has keys; None for formats checked by code only."""
        if name == "pve-startup-order":
            if typetext != STARTUP_TYPETEXT:
                raise SystemExit(f"pve-startup-order changed upstream: {typetext!r}")
            self.formats[name] = STARTUP_FORMAT
            return name
        body = self.named.get(name)
        if not isinstance(body, dict) or "__tag__" in body:
            return None
        self.formats[name] = format_entry(body)
        return name

    def key_spec(self, kind: str, key: str, versions: list[dict[str, Any]]) -> dict[str, Any]:
        spec = versions[0]
        out = scalar_spec(spec)
        fmt = spec.get("format")
        if isinstance(fmt, dict):
            keys = fmt
            for older in versions[1:]:
                if isinstance(older.get("format"), dict):
                    keys = merge_format(keys, older["format"])
            name = f"{kind}:{key}"
            self.formats[name] = format_entry(keys)
            out["format"] = name
        elif isinstance(fmt, str) and not list_kind(fmt):
            named = self.named_format(fmt, spec.get("typetext"))
            if named:
                out["format"] = named
        return out

    def kind(self, kind: str) -> dict[str, Any]:
        per_version = [parameters(doc, kind) for _, doc in self.docs]
        keys: dict[str, Any] = {}
        indexed: dict[str, Any] = {}
        for key in sorted(set().union(*per_version)):
            versions = [params[key] for params in per_version if key in params]
            spec = self.key_spec(kind, key, versions)
            if key.endswith("[n]"):
                indexed[key[: -len("[n]")]] = spec
            else:
                keys[key] = spec
        return {"indexed": indexed, "keys": keys}

    def build(self) -> dict[str, Any]:
        kinds = {kind: self.kind(kind) for kind in ENDPOINTS}
        return {
            "formats": self.formats,
            "kinds": kinds,
            "schema_version": 1,
            "sources": {
                "apidoc": [f"PVE {version}" for version, _ in APIDOCS],
                "formats": FORMATS_FILE,
                "licence": "AGPL-3.0-or-later (Proxmox VE API schema)",
            },
        }


def render(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--check", action="store_true", help="fail if the output file is not up to date")
    args = parser.parse_args(argv)
    text = render(Generator(args.source).build())
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            sys.stderr.write(f"{args.output} is out of date; run {Path(__file__).name}\n")
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
