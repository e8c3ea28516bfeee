"""PVE's cluster log on a fakepve server, kept and answered the way PVE keeps and answers it.

fakepve answers `[{}]` for GET /cluster/log. This wrapper keeps a log as pmxcfs does (pve-cluster
data/src/logger.c: entries `uid` (a counter per node), `time`, `pri`, `tag`, `pid`, `node`, `user`,
`msg`, in a ring buffer) and writes to it what PVE's handlers write:

- qemu-server PVE/API2/Qemu.pm `update_vm_api`: `update VM {vmid}: -key value ...`, the parameters
  but `digest`, `background_delay` and `skip_cloud_init` sorted by name, `-cipassword <hidden>`;
- qemu-server and pve-container `resize_vm`: `update VM|CT {vmid}: resize --disk D --size S`;
- PVE::RESTEnvironment `fork_worker`: `starting task UPID:...` under the task's user;
- nothing for a container's config update (pve-container PVE/API2/LXC/Config.pm logs none).

GET /cluster/log answers as pve-manager PVE/API2/Cluster.pm `log` does: newest first, the newest 50
without `max` (pve-cluster data/src/server.c), each with `id` `<uid>:<node>`, and to a login without
Sys.Syslog on `/` only the entries it wrote itself.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

_CONFIG = re.compile(r"/api2/json/nodes/([^/]+)/qemu/([0-9]+)/config")
_RESIZE = re.compile(r"/api2/json/nodes/([^/]+)/(qemu|lxc)/([0-9]+)/resize")
_NOT_LOGGED = frozenset({"digest", "background_delay", "skip_cloud_init"})
DEFAULT_MAX = 50


@dataclass
class ClusterLog:
    """The log of one fake cluster; `capacity` entries are kept, as pmxcfs's ring buffer keeps some."""

    capacity: int = 2000
    entries: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    uids: dict[str, int] = field(default_factory=dict)

    def add(
        self, node: str, user: str, msg: str, *, when: float | None = None, tag: str = "pvedaemon"
    ) -> None:
        """One entry, as PVE::Cluster::log_msg('info', user, msg) writes it on `node`."""
        self.uids[node] = self.uids.get(node, 0) + 1
        entry = {
            "uid": self.uids[node],
            "time": int(time.time() if when is None else when),
            "pri": 6,
            "tag": tag,
            "pid": 4000 + self.uids[node],
            "node": node,
            "user": user,
            "msg": msg,
        }
        self.entries.append(entry)
        del self.entries[: max(len(self.entries) - self.capacity, 0)]

    def answer(self, user: str, *, syslog: bool, max_entries: int) -> list[dict[str, Any]]:
        """GET /cluster/log for `user`; `syslog`: the login holds Sys.Syslog on `/`."""
        shown = [e for e in reversed(self.entries) if syslog or e["user"] == user][:max_entries]
        return [{**e, "id": f"{e['uid']}:{e['node']}"} for e in shown]


def update_message(vmid: str, params: dict[str, Any]) -> str:
    """`update VM {vmid}: ...` as qemu-server's update_vm_api logs a config update."""
    parts = [f"update VM {vmid}:"]
    for key in sorted(params):
        if key not in _NOT_LOGGED:
            parts += [f"-{key}", "<hidden>" if key == "cipassword" else str(params[key])]
    return " ".join(parts)


def log_as_pve(pve: Any) -> ClusterLog:
    """Wrap the FakePve `pve` so that it keeps and answers a cluster log; returns the log."""
    from aiohttp import web
    from fakepve.server import USER, params

    log = ClusterLog()
    original_answer = pve._answer
    original_task = pve.task

    async def task(node: str, ttype: str, tid: Any, user: str, body: Any, *args: Any, **kwargs: Any) -> Any:
        upid = await original_task(node, ttype, tid, user, body, *args, **kwargs)
        log.add(node, user, f"starting task {upid}")
        return upid

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        path, user = request.path, request.get(USER) or "root@pam"
        if request.method == "GET" and path == "/api2/json/cluster/log":
            values = await params(request)
            held = await pve._permissions({}, user)
            syslog = "Sys.Syslog" in held.get("/", {})
            wanted = int(values.get("max") or DEFAULT_MAX)
            return web.json_response({"data": log.answer(user, syslog=syslog, max_entries=wanted)})
        response = await original_answer(request, handler, generic, path_node)
        if response.status != 200 or request.method not in ("PUT", "POST"):
            return response
        if (config := _CONFIG.fullmatch(path)) is not None:
            log.add(config.group(1), user, update_message(config.group(2), await params(request)))
        elif (resize := _RESIZE.fullmatch(path)) is not None:
            values = await params(request)
            what = "VM" if resize.group(2) == "qemu" else "CT"
            disk, size = values.get("disk"), values.get("size")
            message = f"update {what} {resize.group(3)}: resize --disk {disk} --size {size}"
            log.add(resize.group(1), user, message)
        return response

    pve._answer = answer
    pve.task = task
    pve.cluster_log = log
    return log
