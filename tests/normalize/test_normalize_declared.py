"""Documents of the declarative configuration: typed, sorted, masked, volatile fields dropped."""

from __future__ import annotations

from typing import Any

from proxstate.discovery.catalog_paths import fill, is_absent
from proxstate.errors import NotFound, PermissionDenied, ServerError
from proxstate.normalize import NormalizeOptions
from proxstate.normalize.declared import normalize_declared
from proxstate.resources.inventory import RawDeclared
from proxstate.store.layout import document_path, resource_of_path


def _doc(rid: str, entry: str, data: object, **options: Any) -> dict[str, Any]:
    raw = RawDeclared(resource_id=rid, entry=entry, data=data)
    return normalize_declared(raw, options=NormalizeOptions(**options))


def test_an_item_is_typed_and_loses_its_key_and_volatile_fields() -> None:
    doc = _doc(
        "backup-job/daily",
        "/cluster/backup",
        {
            "id": "daily",
            "enabled": "1",
            "all": 0,
            "next-run": 1767232800,
            "schedule": "02:00",
            "digest": "ab",
        },
    )
    assert doc == {
        "kind": "backup-job",
        "id": "daily",
        "config": {"all": False, "enabled": True, "schedule": "02:00"},
    }


def test_firewall_rules_keep_their_order() -> None:
    rules = [
        {"pos": 1, "action": "DROP", "type": "in"},
        {"pos": 0, "action": "ACCEPT", "type": "in", "dport": "22"},
    ]
    doc = _doc("firewall/cluster/rules", "/cluster/firewall/rules", rules)
    assert [r["action"] for r in doc["entries"]] == ["ACCEPT", "DROP"]


def test_keyed_lists_are_sorted_by_key() -> None:
    interfaces = [{"iface": "vmbr10", "type": "bridge"}, {"iface": "vmbr2", "type": "bridge", "active": 1}]
    doc = _doc("network/pve1", "/nodes/{node}/network", interfaces)
    assert list(doc["entries"]) == ["vmbr2", "vmbr10"]
    assert doc["entries"]["vmbr2"] == {"active": True, "type": "bridge"}


def test_secrets_are_masked_with_the_keyed_hash() -> None:
    plugin = {"plugin": "cf", "type": "dns", "api": "cf", "data": "CF_Token=s3cr3t"}
    doc = _doc("acme/plugin/cf", "/cluster/acme/plugins", plugin, mask_secret=b"k")
    data = doc["config"]["data"]
    assert data.startswith("<masked:") and "s3cr3t" not in str(doc)
    other = _doc(
        "acme/plugin/cf", "/cluster/acme/plugins", {**plugin, "data": "CF_Token=other"}, mask_secret=b"k"
    )
    assert other["config"]["data"] != data


def test_tfa_records_presence_only() -> None:
    tfa = [
        {"userid": "alice@pve", "entries": [{"type": "totp", "id": "t1", "created": 1, "secret": "JBSWY3DP"}]}
    ]
    doc = _doc("access/tfa", "/access/tfa", tfa)
    assert doc["entries"] == {"alice@pve": {"entries": [{"created": 1, "id": "t1", "type": "totp"}]}}


def test_text_answers_are_kept_whole() -> None:
    doc = _doc("ceph/config", "/nodes/{node}/ceph/cfg/raw", "[global]\n  fsid = x\n")
    assert doc == {"kind": "ceph", "id": "config", "text": "[global]\n  fsid = x\n"}


def test_ignore_rules_apply() -> None:
    from proxstate.normalize import IgnoreRule

    rule = IgnoreRule(resource="backup-job/*", field="config.schedule", reason="rotated by automation")
    doc = _doc("backup-job/daily", "/cluster/backup", {"id": "daily", "schedule": "02:00"}, ignore=(rule,))
    assert "schedule" not in str(doc) and doc["kind"] == "backup-job"


def test_fill_escapes_values_for_paths_and_globs_the_unknown() -> None:
    assert (
        fill("/access/users/{userid}/token", {"userid": "a/b@pve"}, escape=True)
        == "/access/users/a%2Fb%40pve/token"
    )
    assert fill("pool/{poolid}", {}, escape=False) == "pool/*"


def test_what_counts_as_an_absent_feature() -> None:
    assert is_absent(NotFound("gone", status=404))
    assert is_absent(ServerError("binary not installed: /usr/bin/ceph-mon", status=500))
    assert not is_absent(ServerError("got timeout", status=500))
    assert not is_absent(PermissionDenied("Permission check failed (/, Sys.Audit)"))


def test_declared_ids_round_trip_through_paths() -> None:
    for rid in (
        "cluster-options",
        "ha/resource/vm:100",
        "guest-firewall/qemu/101/ipset/../x",
        "access/user/a b@pve",
    ):
        path = document_path("lab", rid)
        assert str(path).startswith("clusters/lab/")
        assert ".." not in path.parts
        assert resource_of_path(path) == ("lab", rid)


def test_a_vague_server_error_is_a_failure_not_an_absent_feature() -> None:
    assert not is_absent(ServerError("unknown error while reading the file", status=500))
    assert not is_absent(ServerError("service not available right now", status=500))
