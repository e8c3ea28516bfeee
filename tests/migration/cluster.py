"""The cluster of the migration tests: the same guests, firewall and snapshot in the record that the
first release (state format 1) made of it, and in the fake the tests serve.

Nothing in it depends on the clock (volume and snapshot times are fixed, no task is run), so the
record made once by the first release (v1-record/, written by make_v1_record.py) is what that release
would record of this cluster today. Only fakepve is used here: the generator imports this module
next to the first release's code.
"""

from __future__ import annotations

from typing import Any

CLUSTER = "lab"
FIXED_TIME = 1_700_000_000
V1_CONFIG = 'version: 1\nrecord:\n  exclude: ["tasks/*"]\n'


def build(pve: Any) -> Any:
    """Fill a started FakePve: two nodes, three VMs, two containers, one VM with a firewall rule and
    options, one container with an IP set, a pool, a snapshot and an ISO."""
    pve.cluster_name = CLUSTER
    pve.add_node("pve2")
    web = pve.add_vm(
        101,
        "web01",
        node="pve1",
        status="running",
        pool="prod",
        config={
            "memory": "2048",
            "cores": 2,
            "net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1",
            "scsi0": "local-lvm:vm-101-disk-0,iothread=1,size=32G",
            "tags": "web;prod",
            "description": "line one\nline two",
            "parent": "before-upgrade",
        },
    )
    web.snapshots["before-upgrade"] = {
        "memory": "2048",
        "cores": 2,
        "net0": "virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1",
        "scsi0": "local-lvm:vm-101-disk-0,iothread=1,size=32G",
        "name": "web01",
        "description": "before the kernel upgrade",
        "snaptime": FIXED_TIME + 100,
    }
    pve.add_vm(102, "db01", node="pve2", status="stopped", pool="prod", config={"memory": 4096, "cores": 4})
    pve.add_vm(9000, "tmpl", node="pve1", template=True, config={"memory": 1024, "template": 1})
    pve.add_ct(
        200,
        "ct1",
        node="pve1",
        status="running",
        config={
            "memory": 512,
            "net0": "name=eth0,bridge=vmbr0,ip=dhcp",
            "rootfs": "local-lvm:vm-200-disk-0,size=8G",
        },
    )
    pve.add_ct(
        201,
        "ct2",
        node="pve2",
        status="stopped",
        config={"memory": 256, "rootfs": "local-lvm:vm-201-disk-0,size=4G"},
    )
    firewall = pve.firewall_config("vm", vmid=101)
    firewall["options"] = {"enable": 1, "policy_in": "DROP"}
    firewall["rules"] = [
        {"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "443", "enable": 1, "comment": "https"},
        {"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "22", "enable": 0},
    ]
    # Set only to its default: nothing configured.
    pve.firewall_config("vm", vmid=102)["options"] = {"enable": 0}
    ipsets = pve.firewall_config("ct", vmid=200)
    ipsets["ipset"] = {"trusted": [{"cidr": "192.0.2.0/24"}]}
    ipsets["ipset_comments"] = {"trusted": "office"}
    pve.store_file("local", "debian.iso", 1000000)
    for store in pve.storages.values():
        for volume in store.get("volumes", {}).values():
            volume["ctime"] = FIXED_TIME
    return pve
