"""The demo cluster: three nodes, a score of guests with realistic configs, storages, a pool, tasks."""

from __future__ import annotations

from typing import Any

MIB = 1024**2


def _mac(vmid: int, index: int = 0) -> str:
    return f"BC:24:11:{vmid // 256 % 256:02X}:{vmid % 256:02X}:{index:02X}"


def _vm_config(
    vmid: int,
    *,
    cores: int,
    memory: int,
    disk: int,
    tags: str,
    bridge: str = "vmbr0",
    vlan: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    net = f"virtio={_mac(vmid)},bridge={bridge},firewall=1" + (f",tag={vlan}" if vlan else "")
    config: dict[str, Any] = {
        "agent": "1",
        "boot": "order=scsi0;ide2;net0",
        "cores": cores,
        "cpu": "x86-64-v2-AES",
        "ide2": "none,media=cdrom",
        "memory": str(memory),
        "net0": net,
        "numa": 0,
        "onboot": 1,
        "ostype": "l26",
        "scsi0": f"local-lvm:vm-{vmid}-disk-0,iothread=1,size={disk}G",
        "scsihw": "virtio-scsi-single",
        "smbios1": f"uuid=6f1e2b3c-0000-4000-8000-{vmid:012d}",
        "sockets": 1,
        "tags": tags,
        "vmgenid": f"a1b2c3d4-0000-4000-8000-{vmid:012d}",
    }
    config.update(extra)
    return config


VMS: list[dict[str, Any]] = [
    {
        "vmid": 101,
        "name": "web01",
        "node": "pve1",
        "status": "running",
        "pool": "production",
        "config": _vm_config(
            101,
            cores=2,
            memory=4096,
            disk=32,
            tags="prod;web",
            description="Public web front end.\nOwner: web team",
        ),
    },
    {
        "vmid": 102,
        "name": "web02",
        "node": "pve1",
        "status": "running",
        "pool": "production",
        "config": _vm_config(102, cores=2, memory=4096, disk=32, tags="prod;web"),
    },
    {
        "vmid": 103,
        "name": "db01",
        "node": "pve2",
        "status": "running",
        "pool": "production",
        "config": _vm_config(
            103,
            cores=8,
            memory=16384,
            disk=200,
            tags="prod;db",
            vlan=20,
            scsi1="local-lvm:vm-103-disk-1,iothread=1,size=500G,backup=0",
        ),
    },
    {
        "vmid": 104,
        "name": "win-build",
        "node": "pve2",
        "status": "stopped",
        "config": _vm_config(
            104,
            cores=4,
            memory=8192,
            disk=120,
            tags="ci;windows",
            ostype="win11",
            bios="ovmf",
            machine="pc-q35-9.0",
            efidisk0="local-lvm:vm-104-disk-1,efitype=4m,pre-enrolled-keys=1,size=4M",
            tpmstate0="local-lvm:vm-104-disk-2,size=4M,version=v2.0",
        ),
    },
    {
        "vmid": 105,
        "name": "monitoring",
        "node": "pve1",
        "status": "running",
        "config": _vm_config(105, cores=2, memory=2048, disk=64, tags="ops"),
    },
    {
        "vmid": 106,
        "name": "gitlab-runner",
        "node": "pve2",
        "status": "running",
        "config": _vm_config(106, cores=4, memory=8192, disk=100, tags="ci", vlan=30),
    },
    {
        "vmid": 107,
        "name": "vpn-gw",
        "node": "pve1",
        "status": "running",
        "config": _vm_config(
            107,
            cores=1,
            memory=1024,
            disk=16,
            tags="net;prod",
            bridge="vmbr1",
            net1=f"virtio={_mac(107, 1)},bridge=vmbr0,firewall=1",
        ),
    },
    {
        "vmid": 108,
        "name": "staging-app",
        "node": "pve3",
        "status": "running",
        "config": _vm_config(108, cores=2, memory=4096, disk=40, tags="staging"),
    },
    {
        "vmid": 109,
        "name": "staging-db",
        "node": "pve3",
        "status": "stopped",
        "config": _vm_config(109, cores=2, memory=4096, disk=80, tags="staging;db"),
    },
    {
        "vmid": 110,
        "name": "backup-proxy",
        "node": "pve2",
        "status": "running",
        "config": _vm_config(
            110,
            cores=2,
            memory=2048,
            disk=32,
            tags="ops",
            cipassword="correct horse battery staple",
            ciuser="admin",
            ipconfig0="ip=192.0.2.110/24,gw=192.0.2.1",
        ),
    },
    {
        "vmid": 9000,
        "name": "debian12-template",
        "node": "pve1",
        "status": "stopped",
        "template": True,
        "config": _vm_config(9000, cores=2, memory=2048, disk=8, tags="template", template=1),
    },
]

CONTAINERS: list[dict[str, Any]] = [
    {
        "vmid": 200,
        "name": "dns01",
        "node": "pve1",
        "status": "running",
        "pool": "production",
        "config": {
            "arch": "amd64",
            "cores": 1,
            "memory": 512,
            "swap": 512,
            "ostype": "debian",
            "onboot": 1,
            "net0": f"name=eth0,bridge=vmbr0,firewall=1,hwaddr={_mac(200)},"
            "ip=192.0.2.53/24,gw=192.0.2.1,type=veth",
            "rootfs": "local-lvm:vm-200-disk-0,size=8G",
            "features": "nesting=1",
            "unprivileged": 1,
            "tags": "prod;dns",
            "description": "Resolver für das Büro-Netz",
        },
    },
    {
        "vmid": 201,
        "name": "dns02",
        "node": "pve2",
        "status": "running",
        "pool": "production",
        "config": {
            "arch": "amd64",
            "cores": 1,
            "memory": 512,
            "swap": 512,
            "ostype": "debian",
            "onboot": 1,
            "net0": f"name=eth0,bridge=vmbr0,firewall=1,hwaddr={_mac(201)},"
            "ip=192.0.2.54/24,gw=192.0.2.1,type=veth",
            "rootfs": "local-lvm:vm-201-disk-0,size=8G",
            "features": "nesting=1",
            "unprivileged": 1,
            "tags": "prod;dns",
        },
    },
    {
        "vmid": 202,
        "name": "proxy",
        "node": "pve1",
        "status": "running",
        "config": {
            "arch": "amd64",
            "cores": 2,
            "memory": 1024,
            "swap": 512,
            "ostype": "alpine",
            "net0": f"name=eth0,bridge=vmbr0,hwaddr={_mac(202)},ip=dhcp,type=veth",
            "rootfs": "local-lvm:vm-202-disk-0,size=4G",
            "mp0": "local-lvm:vm-202-disk-1,mp=/var/cache,size=16G",
            "unprivileged": 1,
            "tags": "net",
        },
    },
    {
        "vmid": 203,
        "name": "grafana",
        "node": "pve2",
        "status": "running",
        "config": {
            "arch": "amd64",
            "cores": 2,
            "memory": 2048,
            "swap": 0,
            "ostype": "debian",
            "net0": f"name=eth0,bridge=vmbr0,hwaddr={_mac(203)},ip=dhcp,type=veth",
            "rootfs": "local-lvm:vm-203-disk-0,size=16G",
            "unprivileged": 1,
            "tags": "ops",
        },
    },
    {
        "vmid": 204,
        "name": "old-wiki",
        "node": "pve1",
        "status": "stopped",
        "config": {
            "arch": "amd64",
            "cores": 1,
            "memory": 512,
            "swap": 512,
            "ostype": "debian",
            "net0": f"name=eth0,bridge=vmbr0,hwaddr={_mac(204)},ip=dhcp,type=veth",
            "rootfs": "local-lvm:vm-204-disk-0,size=8G",
            "unprivileged": 1,
            "tags": "legacy",
        },
    },
    {
        "vmid": 205,
        "name": "mqtt",
        "node": "pve2",
        "status": "running",
        "config": {
            "arch": "amd64",
            "cores": 1,
            "memory": 256,
            "swap": 256,
            "ostype": "alpine",
            "net0": f"name=eth0,bridge=vmbr0,hwaddr={_mac(205)},ip=dhcp,type=veth",
            "rootfs": "local-lvm:vm-205-disk-0,size=2G",
            "unprivileged": 1,
            "tags": "iot",
        },
    },
    {
        "vmid": 206,
        "name": "staging-cache",
        "node": "pve3",
        "status": "running",
        "config": {
            "arch": "amd64",
            "cores": 1,
            "memory": 1024,
            "swap": 0,
            "ostype": "debian",
            "net0": f"name=eth0,bridge=vmbr0,hwaddr={_mac(206)},ip=dhcp,type=veth",
            "rootfs": "local-lvm:vm-206-disk-0,size=8G",
            "unprivileged": 1,
            "tags": "staging",
        },
    },
]


def build_demo_cluster() -> Any:
    """A FakePve holding the demo cluster (not started)."""
    from fakepve import FakePve

    from proxstate.demo.clusterlog import log_as_pve
    from proxstate.demo.nodestatus import answer_node_status_as_pve
    from proxstate.demo.realms import answer_realms_as_pve

    pve = FakePve(user="root@pam", password="demo-password-not-used")  # noqa: S106 - the demo logs in with a token
    pve.cluster_name = "demo"
    answer_realms_as_pve(pve)
    answer_node_status_as_pve(pve)
    log_as_pve(pve)  # so that the changes the demo makes name their author, as PVE's log does
    for node in ("pve1", "pve2", "pve3"):
        pve.add_node(node)
    for vm in VMS:
        pve.add_vm(
            vm["vmid"],
            vm["name"],
            node=vm["node"],
            status=vm["status"],
            config=dict(vm["config"]),
            template=vm.get("template", False),
            pool=vm.get("pool"),
        )
    for ct in CONTAINERS:
        pve.add_ct(
            ct["vmid"],
            ct["name"],
            node=ct["node"],
            status=ct["status"],
            config=dict(ct["config"]),
            pool=ct.get("pool"),
        )
    pve.storages["nas-backup"] = {
        "type": "nfs",
        "server": "192.0.2.50",
        "export": "/export/pve",
        "path": "/mnt/pve/nas-backup",
        "content": "backup,iso",
        "shared": 1,
        "active": 1,
        "files": set(),
        "options": "vers=4.2",
        "prune-backups": "keep-daily=7,keep-weekly=4",
    }
    pve.store_file("local", "debian-12.7.0-amd64-netinst.iso", 631 * MIB)
    pve.store_file("local", "debian-12-standard_12.7-1_amd64.tar.zst", 120 * MIB, content="vztmpl")
    pve.store_file(
        "nas-backup", "vzdump-qemu-103-2026_11_20-01_00_02.vma.zst", 9 * 1024 * MIB, content="backup"
    )
    return pve
