"""The share of PVE's declarative configuration that proxstate records, from the official schema."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pve_coverage import compute

from proxstate.resources.catalog import ENTRIES, KINDS
from proxstate.resources.kinds import BUILTIN_KINDS

ROOT = Path(__file__).resolve().parent.parent
TSV = ROOT.parent / "shared" / "pve-api" / "get-endpoints.tsv"
needs_schema = pytest.mark.skipif(not TSV.exists(), reason="the official schema is not beside the checkout")


@needs_schema
def test_at_least_90_percent_of_config_endpoints_are_recorded() -> None:
    coverage = compute(TSV.read_text(encoding="utf-8"))
    assert len(coverage.config_endpoints) > 100
    assert coverage.share >= 0.90, sorted(coverage.missing)


@needs_schema
def test_every_endpoint_not_recorded_has_a_reason() -> None:
    coverage = compute(TSV.read_text(encoding="utf-8"))
    assert {path: reason for path, reason in coverage.missing.items() if not reason} == {}


@needs_schema
def test_catalog_paths_exist_in_the_schema() -> None:
    listed = {line.split("\t", 1)[0] for line in TSV.read_text(encoding="utf-8").splitlines()[1:]}
    for entry in ENTRIES:
        for path in (entry.path, *entry.covers, *(source for source, _ in entry.sources.values())):
            forms = [path.replace("{type}", kind) for kind in ("qemu", "lxc")] if "{type}" in path else [path]
            for form in forms:
                assert form in listed, form


@needs_schema
def test_docs_coverage_is_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_coverage.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@needs_schema
def test_declared_types_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_declared_types.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_catalog_kinds_do_not_collide_with_builtin_kinds_or_folders() -> None:
    assert not set(KINDS) & set(BUILTIN_KINDS)
    assert not set(KINDS) & {"nodes", "clusters"}
