"""The create calls of each declarative kind, from documents shaped as proxstate records them."""

from __future__ import annotations

from typing import Any

import pytest

from proxstate.export.calls import render
from proxstate.export.conf import ExportError
from proxstate.export.pvesh import create_calls

CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    (
        "backup-job/nightly",
        {"config": {"enabled": True, "schedule": "02:00", "storage": "local", "all": True, "type": "vzdump"}},
        ["pvesh create /cluster/backup --id nightly --enabled 1 --schedule 02:00 --storage local --all 1"],
    ),
    (
        "ha/resource/vm:101",
        {"config": {"state": "started", "group": "prefer-pve1"}},
        ["pvesh create /cluster/ha/resources --sid vm:101 --state started --group prefer-pve1"],
    ),
    (
        "access/role/Ops",
        {"config": {"privs": "VM.Audit,VM.PowerMgmt"}},
        ["pvesh create /access/roles --roleid Ops --privs VM.Audit,VM.PowerMgmt"],
    ),
    (
        "access/user/alice@pve",
        {"config": {"email": "alice@example.org", "enable": True, "groups": ["ops"]}},
        ["pvesh create /access/users --userid alice@pve --email alice@example.org --enable 1 --groups ops"],
    ),
    (
        "access/acl",
        {
            "entries": [
                {"path": "/vms/101", "roleid": "PVEVMUser", "type": "group", "ugid": "ops", "propagate": True}
            ]
        },
        ["pvesh set /access/acl --path /vms/101 --roles PVEVMUser --groups ops --propagate 1"],
    ),
    (
        "firewall/cluster/options",
        {"config": {"enable": True, "policy_in": "DROP"}},
        ["pvesh set /cluster/firewall/options --enable 1 --policy_in DROP"],
    ),
    (
        "firewall/cluster/aliases",
        {"entries": [{"name": "nas", "cidr": "192.0.2.50", "ipversion": 4}]},
        ["pvesh create /cluster/firewall/aliases --name nas --cidr 192.0.2.50"],
    ),
    (
        "firewall/cluster/ipset/mgmt",
        {"comment": "admins", "entries": [{"cidr": "10.0.0.0/24"}, {"cidr": "10.0.9.9", "nomatch": True}]},
        [
            "pvesh create /cluster/firewall/ipset --name mgmt --comment admins",
            "pvesh create /cluster/firewall/ipset/mgmt --cidr 10.0.0.0/24",
            "pvesh create /cluster/firewall/ipset/mgmt --cidr 10.0.9.9 --nomatch 1",
        ],
    ),
    (
        "storage/nas",
        {"type": "nfs", "config": {"server": "192.0.2.50", "export": "/export", "password": "<masked>"}},
        [
            "pvesh create /storage --storage nas --type nfs --server 192.0.2.50 --export /export "
            "--password '<SECRET: fill in password>'"
        ],
    ),
]


@pytest.mark.parametrize(("resource_id", "document", "lines"), CASES, ids=[case[0] for case in CASES])
def test_create_calls_of_each_kind(resource_id: str, document: dict[str, Any], lines: list[str]) -> None:
    text = render(create_calls(resource_id, document, node_of=lambda guest: None))
    assert [line for line in text.splitlines() if line.startswith("pvesh")] == lines


def test_guest_firewall_rules_go_to_the_guests_node() -> None:
    document = {"entries": [{"type": "in", "action": "ACCEPT", "dport": "443", "proto": "tcp", "pos": 0}]}
    text = render(create_calls("guest-firewall/qemu/101/rules", document, node_of=lambda guest: "pve2"))
    path = "/nodes/pve2/qemu/101/firewall/rules"
    assert text == f"pvesh create {path} --type in --action ACCEPT --dport 443 --proto tcp\n"


def test_a_kind_without_a_create_call_is_refused() -> None:
    with pytest.raises(ExportError, match="no pvesh form for corosync/totem"):
        create_calls("corosync/totem", {"config": {}}, node_of=lambda guest: None)
