"""The benchmark's PVE: fakepve with N generated guests over a few nodes, run as its own process.

    python benchmarks/fakeserver.py --guests 1000 --nodes 5 --latency 0.005 --cert C --key K --token-file F

It listens on 127.0.0.1 (a free port, printed as `listening on https://127.0.0.1:PORT`) and adds to
fakepve a counter of the requests it answers: `GET /_bench/stats` returns the number of API requests
by method, the most that were in flight at once, the GET paths seen and the server's own CPU time;
`POST /_bench/reset` starts a new count. These two never count as requests and need no login.

The cluster is generated from N alone, so every run and every size sees the same kind of guests:
80 % VMs and 20 % containers, half of them running, 1 VM in 20 with a snapshot, each with a config
of the size an administrator's guest has (disks, a NIC, a description, tags).

The capacity model (`--workers K --service S`, instead of `--latency`): as PVE serves its API with a
few worker processes on each node, each node serves at most K requests at once and spends S seconds
on each; a request for `/nodes/X/...` is served by X, a cluster-wide one by the node the client talks
to (the one /cluster/status marks `local`, pve1). A request waits for a free worker of its node. The
stats then also give the requests each node served and the most it had in flight at once, from which
the benchmark computes the limit of a sync: the busiest node's requests x S / K.

A storage that is not shared (local-lvm) lists on each node the volumes of that node's guests, as
PVE does; fakepve itself lists every volume on every node, which would make the content five
times what a real cluster of this size holds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import resource
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiohttp import web
from fakepve.server import FakePve

from proxstate.demo.clusterlog import log_as_pve
from proxstate.demo.realms import answer_realms_as_pve

TOKEN_ID = "root@pam!bench"
LOOPBACK = ("127.0.0.1", "::1", "localhost")


def node_name(index: int) -> str:
    return f"pve{index + 1}"


def mac(vmid: int, nic: int = 0) -> str:
    return f"BC:24:11:{(vmid >> 8) & 0xFF:02X}:{vmid & 0xFF:02X}:{nic:02X}"


def qemu_config(vmid: int, name: str, index: int) -> dict[str, Any]:
    return {
        "name": name,
        "memory": str(1024 * (1 + index % 8)),
        "cores": 1 + index % 4,
        "sockets": 1,
        "cpu": "x86-64-v2-AES",
        "ostype": "l26",
        "scsihw": "virtio-scsi-single",
        "scsi0": f"local-lvm:vm-{vmid}-disk-0,iothread=1,size={16 + 16 * (index % 4)}G",
        "ide2": "none,media=cdrom",
        "net0": f"virtio={mac(vmid)},bridge=vmbr0,firewall=1",
        "boot": "order=scsi0;ide2;net0",
        "agent": "1",
        "onboot": index % 3 == 0,
        "numa": 0,
        "tags": "bench;" + ("web" if index % 2 else "db"),
        "description": f"Generated guest {vmid}\nowner: team-{index % 7}\n",
        "smbios1": f"uuid=00000000-0000-4000-8000-{vmid:012d}",
        "vmgenid": f"00000000-0000-4000-9000-{vmid:012d}",
    }


def lxc_config(vmid: int, name: str, index: int) -> dict[str, Any]:
    return {
        "hostname": name,
        "memory": 512 * (1 + index % 4),
        "swap": 512,
        "cores": 1 + index % 2,
        "arch": "amd64",
        "ostype": "debian",
        "rootfs": f"local-lvm:vm-{vmid}-disk-0,size={4 + 4 * (index % 3)}G",
        "net0": f"name=eth0,bridge=vmbr0,hwaddr={mac(vmid)},ip=dhcp,type=veth",
        "onboot": 1 if index % 3 == 0 else 0,
        "unprivileged": 1,
        "features": "nesting=1",
        "tags": "bench;ct",
        "description": f"Generated container {vmid}\n",
    }


def guests(count: int, nodes: int) -> list[dict[str, Any]]:
    """The generated guests, as fakepve's guests.json lists them; vmids 100, 101, ..."""
    out = []
    for index in range(count):
        vmid = 100 + index
        kind = "lxc" if index % 5 == 4 else "qemu"
        name = f"{'ct' if kind == 'lxc' else 'vm'}-{vmid}"
        config = lxc_config(vmid, name, index) if kind == "lxc" else qemu_config(vmid, name, index)
        out.append(
            {
                "vmid": vmid,
                "name": name,
                "type": kind,
                # Containers are every fifth guest; shifting by index // 5 spreads them over all nodes.
                "node": node_name((index + index // 5) % nodes),
                "status": "running" if index % 2 == 0 else "stopped",
                "config": config,
                "snapshot": kind == "qemu" and index % 20 == 1,
            }
        )
    return out


class BenchPve(FakePve):  # type: ignore[misc]  # fakepve ships no type hints: FakePve is Any
    """FakePve that counts what it answers."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._node_workers: dict[str, asyncio.Semaphore] = {}
        self.reset_counts()

    # The capacity model: workers per node and the seconds each request takes; None: off.
    node_workers: int | None = None
    service: float = 0.0
    home = "pve1"  # the node the client talks to: fakepve marks the first node `local`

    def reset_counts(self) -> None:
        self.by_node: dict[str, int] = {}
        self.node_in_flight: dict[str, int] = {}
        self.max_node_in_flight: dict[str, int] = {}
        self.count: dict[str, int] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self.paths: list[str] = []
        self.cpu_mark = _cpu()

    @web.middleware
    async def _count(
        self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        if request.path.startswith("/_bench/"):
            answer: web.StreamResponse = await request.match_info.handler(request)
            return answer
        self.count[request.method] = self.count.get(request.method, 0) + 1
        if request.method == "GET":
            self.paths.append(request.path_qs)
        node = node_of(request.path) or self.home
        self.by_node[node] = self.by_node.get(node, 0) + 1
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        on_node = self.node_in_flight[node] = self.node_in_flight.get(node, 0) + 1
        self.max_node_in_flight[node] = max(self.max_node_in_flight.get(node, 0), on_node)
        try:
            if self.node_workers is None:
                return await handler(request)
            async with self._workers(node):
                await asyncio.sleep(self.service)
                return await handler(request)
        finally:
            self.in_flight -= 1
            self.node_in_flight[node] -= 1

    def _workers(self, node: str) -> asyncio.Semaphore:
        if node not in self._node_workers:
            self._node_workers[node] = asyncio.Semaphore(self.node_workers or 1)
        return self._node_workers[node]

    async def _content_list(self, v: dict[str, Any], user: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = await super()._content_list(v, user)
        if self.storages[v["storage"]].get("shared"):
            return items
        node_of = {guest.vmid: guest.node for guest in [*self.vms, *self.cts]}
        return [
            item for item in items if item.get("vmid") is None or node_of.get(int(item["vmid"])) == v["node"]
        ]

    async def _stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                "requests": sum(self.count.values()),
                "by_method": self.count,
                "max_in_flight": self.max_in_flight,
                "in_flight": self.in_flight,
                "by_node": self.by_node,
                "max_node_in_flight": self.max_node_in_flight,
                "server_cpu": round(_cpu() - self.cpu_mark, 3),
                "paths": self.paths if request.query.get("paths") else None,
            }
        )

    async def _reset(self, request: web.Request) -> web.Response:
        self.reset_counts()
        return web.json_response({"ok": 1})

    def _build_app(self) -> web.Application:
        app: web.Application = super()._build_app()
        app.middlewares.insert(0, self._count)
        app.router.add_get("/_bench/stats", self._stats)
        app.router.add_post("/_bench/reset", self._reset)
        return app


def add_finished_tasks(pve: BenchPve, node: str, count: int) -> None:
    """`count` backup tasks that ended well on `node`, as its task list shows them after a night."""
    for index in range(count):
        upid, pid, start = pve._upid(node, "vzdump", str(100 + index), "root@pam")
        record = {
            "upid": upid,
            "node": node,
            "pid": pid,
            "pstart": pid * 7,
            "starttime": start,
            "type": "vzdump",
            "id": str(100 + index),
            "user": "root@pam",
            "status": "stopped",
            "exitstatus": "OK",
            "endtime": start + 30,
            "log": ["INFO: backup finished", "TASK OK"],
        }
        pve.tasks[upid] = record
        pve.tasklog.append(record)


def node_of(path: str) -> str | None:
    """The node that serves a request path (`/api2/json/nodes/pve2/...`), None for a cluster-wide one."""
    parts = path.split("/")
    if len(parts) > 4 and parts[1] == "api2" and parts[3] == "nodes" and parts[4]:
        return parts[4]
    return None


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build(
    count: int,
    nodes: int,
    latency: float,
    token_secret: str,
    *,
    node_workers: int | None = None,
    service: float = 0.0,
    tasks: int = 0,
    cluster_log: bool = False,
) -> BenchPve:
    pve = BenchPve(host="127.0.0.1", port=0)
    pve.node_workers = node_workers
    pve.service = service
    answer_realms_as_pve(pve)  # as PVE answers a realm's GET, not fakepve's `null`
    if cluster_log:  # the cluster log as PVE keeps it (fakepve answers `[{}]`): for the watch benchmark
        log_as_pve(pve)
    # Latency is in PVE seconds, scaled by time_scale: 1 makes it real seconds.
    pve.time_scale = 1.0
    pve.slow_network(latency)
    pve.max_requests = 100  # fakepve's own log; the counter above is what the benchmark reads
    pve.apitokens[TOKEN_ID] = token_secret
    for index in range(nodes):
        pve.add_node(node_name(index))
    snaptime = int(time.time()) - 86400
    for index in range(nodes):
        add_finished_tasks(pve, node_name(index), tasks)
    for guest in guests(count, nodes):
        if guest["type"] == "lxc":
            pve.add_ct(
                guest["vmid"],
                guest["name"],
                node=guest["node"],
                status=guest["status"],
                config=guest["config"],
            )
            continue
        vm = pve.add_vm(
            guest["vmid"], guest["name"], node=guest["node"], status=guest["status"], config=guest["config"]
        )
        if guest["snapshot"]:
            kept = {k: v for k, v in vm.config.items() if k not in ("description", "parent")}
            vm.snapshots["before-upgrade"] = {
                **kept,
                "snaptime": snaptime,
                "description": "before the upgrade",
            }
            vm.config["parent"] = "before-upgrade"
    return pve


async def serve(args: argparse.Namespace) -> None:
    secret = Path(args.token_file).read_text(encoding="utf-8").strip()
    latency = 0.0 if args.workers else args.latency
    pve = build(
        args.guests,
        args.nodes,
        latency,
        secret,
        node_workers=args.workers,
        service=args.service / 1000,
        tasks=args.tasks,
        cluster_log=args.cluster_log,
    )
    await pve.start(args.cert, args.key)
    print(f"listening on {pve.url}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guests", type=int, required=True)
    parser.add_argument("--nodes", type=int, default=5)
    parser.add_argument("--latency", type=float, default=0.005, help="seconds added to every answer")
    parser.add_argument("--workers", type=int, help="capacity model: requests each node serves at once")
    parser.add_argument(
        "--service", type=float, default=20.0, help="capacity model: milliseconds each request takes"
    )
    parser.add_argument("--tasks", type=int, default=0, help="finished tasks on each node")
    parser.add_argument(
        "--cluster-log", action="store_true", help="keep and answer a cluster log as PVE does (watch_bench)"
    )
    parser.add_argument("--cert", required=True)
    parser.add_argument("--key", required=True)
    parser.add_argument(
        "--token-file", required=True, help="file holding the secret of API token root@pam!bench"
    )
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))


if __name__ == "__main__":
    main()
