"""What happens on the demo cluster between two snapshots: the changes an administrator makes.

Made through the PVE HTTP API where the fake models the endpoint (config, resize, migrate of a
container, power, create, destroy, snapshot); a VM's live migration and a node failure through the
fake's own scenario methods, which stand in for what a real cluster does by itself.
"""

from __future__ import annotations

from proxstate.api.client import PveClient
from proxstate.demo.server import DemoServer

# The cluster firewall's rules before the first snapshot, in their order.
FIREWALL_RULES = (
    {"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "22", "comment": "ssh"},
    {"type": "in", "action": "ACCEPT", "proto": "tcp", "dport": "8006", "comment": "web UI"},
    {"type": "in", "action": "ACCEPT", "macro": "Ping"},
)


async def history(client: PveClient, server: DemoServer) -> None:
    """What happened before the first snapshot: a backup, a reboot, a start that failed, and the
    cluster firewall's rules."""
    server.call(server.pve.backup(103, secs=0))
    await client.post("/nodes/pve1/qemu/105/status/reboot")
    server.pve.vm(109).start_error = "TASK ERROR: volume 'local-lvm:vm-109-disk-0' does not exist"
    await client.post("/nodes/pve3/qemu/109/status/start")
    for position, rule in enumerate(FIREWALL_RULES):
        await client.post("/cluster/firewall/rules", data={**rule, "enable": "1", "pos": str(position)})


CHANGES = (
    "db01 (103): memory 16 GiB -> 24 GiB, pending until the next restart",
    "win-build (104): memory 8 GiB -> 16 GiB",
    "proxy (202): root disk grown by 4 GiB",
    "grafana (203): migrated pve2 -> pve1",
    "web02 (102): live-migrated pve1 -> pve2",
    "monitoring (105): stopped",
    "api01 (111): new VM, whose first start fails",
    "old-wiki (204): container deleted",
    "web01 (101): snapshot pre-upgrade",
    "cluster firewall: a DROP rule for a scanner's network, in front of the three rules",
    "node pve3: went offline",
)


async def changes(client: PveClient, server: DemoServer) -> None:
    """The changes listed in CHANGES, in that order."""
    await client.put("/nodes/pve2/qemu/103/config", data={"memory": "24576"})
    await client.put("/nodes/pve2/qemu/104/config", data={"memory": "16384"})
    await client.put("/nodes/pve1/lxc/202/resize", data={"disk": "rootfs", "size": "+4G"})
    await client.post("/nodes/pve2/lxc/203/migrate", data={"target": "pve1", "restart": "1"})
    server.call(server.pve.migrate(102, "pve2", secs=0))
    await client.post("/nodes/pve1/qemu/105/status/stop")
    await client.post(
        "/nodes/pve1/qemu",
        data={
            "vmid": "111",
            "name": "api01",
            "cores": "2",
            "memory": "4096",
            "net0": "virtio,bridge=vmbr0,firewall=1",
            "scsi0": "local-lvm:32,iothread=1",
            "scsihw": "virtio-scsi-single",
            "ostype": "l26",
            "tags": "prod;api",
        },
    )
    server.pve.vm(111).start_error = "TASK ERROR: unable to find configuration file for VM 111 on node 'pve1'"
    await client.post("/nodes/pve1/qemu/111/status/start")
    await client.delete("/nodes/pve1/lxc/204")
    await client.post(
        "/nodes/pve1/qemu/101/snapshot",
        data={"snapname": "pre-upgrade", "description": "before the kernel upgrade"},
    )
    await client.post(
        "/cluster/firewall/rules",
        data={
            "type": "in",
            "action": "DROP",
            "source": "203.0.113.0/24",
            "enable": "1",
            "comment": "block scanner",
            "pos": "0",
        },
    )
    server.pve.set_node_offline("pve3")


async def drift_change(client: PveClient) -> None:
    """A change nobody recorded yet, for the drift report."""
    await client.put("/nodes/pve1/qemu/101/config", data={"tags": "prod;web;frontend"})
