"""proxstate.discovery.needs agrees with the permissions blocks of the official schema (PVE 7.4, 8.4, 9.1)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from endpoint_audit import NOTES

from proxstate.app.tokencheck import BUILTIN_READS
from proxstate.discovery.cephnode import MONITORS
from proxstate.discovery.needs import AUDITOR, NEEDS, Need
from proxstate.discovery.privileges import entry_paths
from proxstate.resources.catalog import ENTRIES

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = {
    "9.1": ROOT.parent / "shared" / "pve-api" / "apidoc.json",
    "8.4": ROOT.parent / "shared" / "pve-api" / "apidoc-pve8.4.json",
    "7.4": ROOT.parent / "shared" / "pve-api" / "apidoc-pve7.4.json",
}
needs_schema = pytest.mark.skipif(
    not all(path.exists() for path in SCHEMAS.values()),
    reason="the official schema is not beside the checkout",
)


@cache
def get_methods(version: str) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def walk(node: dict[str, Any]) -> None:
        if "GET" in (node.get("info") or {}):
            out[node["path"]] = node["info"]["GET"]
        for child in node.get("children") or []:
            walk(child)

    for node in json.loads(SCHEMAS[version].read_text(encoding="utf-8")):
        walk(node)
    return out


def read_paths() -> set[str]:
    paths = {path for reads in BUILTIN_READS.values() for path in reads} | {MONITORS}
    for entry in ENTRIES:
        paths.update(entry_paths(entry))
        paths.add(entry.path)
    return paths


def rule_privileges(check: list[Any]) -> tuple[str, set[str]]:
    """(ACL path template, privileges) of a schema `check` rule; `or` rules are flattened."""
    if check[0] == "perm":
        return check[1], set(check[2])
    if check[0] == "userid-group":
        return "/access/groups", set(check[1])
    if check[0] == "or":
        found = [rule_privileges(sub) for sub in check[1:] if sub[0] != "userid-param"]
        return found[0][0], set().union(*(privileges for _, privileges in found))
    raise AssertionError(f"unknown rule {check}")


# `user => 'all'` in the schema, and a check in the handler's code.
HANDLER_CHECKS = {
    # pve-manager API2/VZDump.pm defaults: check_any(Datastore.Audit, Datastore.AllocateSpace) on
    # /storage/<the default storage>
    "/nodes/{node}/vzdump/defaults",
    # pve-firewall API2/Firewall/Helpers.pm check_vnet_access: check_any(SDN.Audit, SDN.Allocate) on
    # /sdn/zones/<zone>/<vnet>
    "/cluster/sdn/vnets/{vnet}/firewall/options",
    "/cluster/sdn/vnets/{vnet}/firewall/rules",
}


def test_every_read_has_its_need() -> None:
    assert read_paths() - set(NEEDS) == set()


@needs_schema
@pytest.mark.parametrize("version", sorted(SCHEMAS))
def test_needs_follow_the_schema(version: str) -> None:
    methods = get_methods(version)
    for path, need in NEEDS.items():
        forms = [path.replace("{type}", kind) for kind in ("qemu", "lxc")] if "{type}" in path else [path]
        for form in forms:
            if form not in methods:
                continue  # not in this version (ha/rules before 9, mappings before 8, ...)
            permissions = methods[form].get("permissions")
            if permissions is None:
                assert need.root, form  # no rule: root@pam only
            elif "check" in permissions:
                acl, privileges = rule_privileges(permissions["check"])
                assert set(need.any_of) <= privileges and need.any_of, form
                assert acl.split("{", 1)[0].rstrip("/").startswith(need.acl.rstrip("/")), form
            else:
                assert permissions.get("user") in ("all", "world"), form
                assert bool(need.any_of) == (path in HANDLER_CHECKS), form


def test_what_an_auditor_may_not_read() -> None:
    read = {path for reads in BUILTIN_READS.values() for path in reads}
    read |= {path for entry in ENTRIES for path in entry_paths(entry)}
    extras = sorted(path for path in read if NEEDS[path].extra)
    assert extras == ["/cluster/acme/account/{name}", "/cluster/acme/plugins"]
    assert Need(any_of=("VM.Audit", "VM.Snapshot")).extra is False
    assert "Sys.Modify" not in AUDITOR


def test_the_audit_notes_name_endpoints_proxstate_reads() -> None:
    assert set(NOTES) - set(NEEDS) == set()
