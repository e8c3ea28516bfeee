"""Node status answered with the facts of a real node, on a fakepve server.

fakepve fills `GET /nodes/{node}/status` from the official schema, whose example values are
"fake" and 0, so the demo's nodes would show a PVE version "fake" and 0 bytes of memory. PVE's
handler (pve-manager, PVE::API2::Nodes::Nodeinfo `status`) answers the node's uptime and gauges
beside `pveversion`, `kversion`, `current-kernel`, `boot-info`, `cpuinfo` and the totals of
`memory`, `swap` and `rootfs`; the demo answers those facts as a small three-node cluster of
identical servers would.
"""

from __future__ import annotations

import json
from typing import Any

_GIB = 1024**3
_RELEASE = "6.8.12-4-pve"
_STATUS: dict[str, Any] = {
    "pveversion": "pve-manager/8.3.0/c1689ccb1065a83b",
    "kversion": f"Linux {_RELEASE} #1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z)",
    "current-kernel": {
        "sysname": "Linux",
        "release": _RELEASE,
        "version": "#1 SMP PREEMPT_DYNAMIC PMX 6.8.12-4 (2024-11-06T15:04Z)",
        "machine": "x86_64",
    },
    "boot-info": {"mode": "efi", "secureboot": 0},
    "cpuinfo": {
        "model": "AMD EPYC 7313P 16-Core Processor",
        "sockets": 1,
        "cores": 16,
        "cpus": 32,
        "mhz": "3000.000",
        "hvm": "1",
        "user_hz": 100,
    },
}
_TOTALS = {"memory": 128 * _GIB, "swap": 8 * _GIB, "rootfs": 94 * _GIB}


def answer_node_status_as_pve(pve: Any) -> None:
    """Wrap the FakePve `pve` so that a node's status carries a real node's facts."""
    from aiohttp import web

    original = pve._answer

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        response = await original(request, handler, generic, path_node)
        parts = request.path.split("/")
        if request.method != "GET" or len(parts) != 6 or parts[:4] != ["", "api2", "json", "nodes"]:
            return response
        if parts[5] != "status" or response.status != 200:
            return response
        data = json.loads(response.text).get("data")
        if not isinstance(data, dict):
            return response
        data.update(json.loads(json.dumps(_STATUS)))
        for section, total in _TOTALS.items():
            part = data.get(section)
            used = part.get("used", 0) if isinstance(part, dict) else 0
            used = used if isinstance(used, int) and 0 <= used <= total else total // 4
            data[section] = {"total": total, "used": used, "free": total - used}
        return web.json_response({"data": data})

    pve._answer = answer
