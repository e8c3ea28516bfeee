"""What holds nothing configured is not written (normalize/unset.py), and a version-1 document read
as version 2 writes it (normalize/upgrade.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxstate import yamlio
from proxstate.normalize.unset import holds_nothing
from proxstate.normalize.upgrade import upgrade_document
from proxstate.store.layout import resource_of_path

V1_RECORD = Path(__file__).resolve().parent.parent / "migration" / "v1-record"


def options(rid: str, config: dict[str, object]) -> dict[str, object]:
    kind, _, rest = rid.partition("/")
    return {"kind": kind, **({"id": rest} if rest else {}), "config": config}


@pytest.mark.parametrize(
    ("rid", "config", "nothing"),
    [
        ("guest-firewall/qemu/101/options", {}, True),
        # The schema's defaults of a guest's firewall: enable 0, macfilter 1, ndp 1, dhcp 0.
        ("guest-firewall/qemu/101/options", {"enable": False, "macfilter": True, "ndp": True}, True),
        ("guest-firewall/lxc/200/options", {"enable": True}, False),
        # No default in the schema: set on purpose, even to what PVE does without it.
        ("guest-firewall/qemu/101/options", {"policy_in": "DROP"}, False),
        # A node's firewall is on by default: `enable: 0` there is configuration.
        ("firewall/node/pve1/options", {"enable": True}, True),
        ("firewall/node/pve1/options", {"enable": False}, False),
        ("firewall/cluster/options", {"enable": 0, "ebtables": True}, True),
        ("vzdump-defaults/pve1", {"mode": "snapshot", "prune-backups": {"keep-all": True}}, True),
        ("vzdump-defaults/pve1", {"mode": "stop"}, False),
        ("cluster-options", {}, True),
        ("cluster-options", {"keyboard": "de"}, False),
    ],
)
def test_options_that_hold_only_the_schema_defaults_hold_nothing(
    rid: str, config: dict[str, object], nothing: bool
) -> None:
    assert holds_nothing(rid, options(rid, config)) is nothing


def test_empty_sections_hold_nothing_but_objects_that_exist_are_written() -> None:
    assert holds_nothing("guest-firewall/qemu/101/rules", {"kind": "guest-firewall", "entries": []})
    assert holds_nothing("firewall/cluster/aliases", {"kind": "firewall", "entries": {}})
    assert holds_nothing("access/tokens/root@pam", {"kind": "access", "entries": {}})
    assert holds_nothing("content/pve1/local", {"kind": "content", "storage": "local", "volumes": {}})
    assert not holds_nothing("guest-firewall/qemu/101/rules", {"kind": "guest-firewall", "entries": [{}]})
    # An IP set, a security group, a pool, a job: created by someone, recorded even when empty.
    assert not holds_nothing(
        "guest-firewall/qemu/101/ipset/trusted", {"kind": "guest-firewall", "entries": {}}
    )
    assert not holds_nothing("firewall/cluster/group/web", {"kind": "firewall", "entries": []})
    assert not holds_nothing("pool/prod", {"kind": "pool", "id": "prod", "config": {}})
    assert not holds_nothing("metric-server/influx", {"kind": "metric-server", "id": "influx", "config": {}})
    # Pending network changes, a comment beside the entries: something.
    assert not holds_nothing("network/pve1", {"kind": "network", "pending": {"entries": {}}})
    assert not holds_nothing("qemu/101", {"kind": "qemu", "vmid": 101})


def test_a_v1_guest_keeps_its_configured_values_under_config_only() -> None:
    v1 = {
        "kind": "qemu",
        "vmid": 101,
        "name": "web",
        "node": "pve1",
        "template": False,
        "tags": ["a"],
        "config": {"name": "web", "tags": ["a"]},
    }
    assert upgrade_document("qemu/101", v1) == {
        "kind": "qemu",
        "vmid": 101,
        "node": "pve1",
        "config": {"name": "web", "tags": ["a"]},
    }


def _v1_documents() -> list[tuple[str, dict[str, object]]]:
    out = []
    for path in sorted(V1_RECORD.rglob("*.yaml")):
        rel = str(path.relative_to(V1_RECORD))
        located = resource_of_path(rel)
        if located is not None:
            out.append((located[1], yamlio.load(path.read_text(encoding="utf-8"))))
    return out


def test_upgrading_twice_is_upgrading_once_for_every_document_of_the_first_release() -> None:
    documents = _v1_documents()
    assert len(documents) == 97
    upgraded = {rid: upgrade_document(rid, doc) for rid, doc in documents}
    for rid, document in upgraded.items():
        if document is not None:
            assert upgrade_document(rid, document) == document, rid
    gone = sorted(rid for rid, document in upgraded.items() if document is None)
    assert "guest-firewall/qemu/102/options" in gone and "guest-firewall/qemu/101/options" not in gone
    assert "guest-firewall/lxc/200/ipset/trusted" not in gone and "pool/prod" not in gone
    rules = upgraded["guest-firewall/qemu/101/rules"]
    assert rules is not None and [rule.get("pos") for rule in rules["entries"]] == [None, None]
