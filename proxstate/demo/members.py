"""Cluster members answered as PVE answers them, on a fakepve server.

fakepve numbers the members of /cluster/status by their sorted names each time it answers, so a
node that joins renumbers the others (and moves their addresses). In PVE a node id is written to
corosync.conf when the node joins and never changes (pve-cluster, PVE::Cluster::Setup), and
proxstate tells a cluster by its members' ids and addresses (proxstate/app/identity.py). The wrapper
keeps each member's first id and address for as long as the server lives.
"""

from __future__ import annotations

import json
from typing import Any


def answer_members_as_pve(pve: Any) -> None:
    """Wrap the FakePve `pve` so that a member keeps its node id and address."""
    from aiohttp import web

    original = pve._answer
    # name -> (node id, address), as first answered; kept on the server, so that wrapping it again
    # (after a test undid its own wrappers) keeps them.
    known: dict[str, tuple[int, str]] = pve.__dict__.setdefault("_members_as_pve", {})

    async def answer(request: Any, handler: Any, generic: Any, path_node: Any) -> Any:
        response = await original(request, handler, generic, path_node)
        if request.method != "GET" or request.path != "/api2/json/cluster/status" or response.status != 200:
            return response
        body = json.loads(response.text)
        for entry in body.get("data") or []:
            if isinstance(entry, dict) and entry.get("type") == "node" and "nodeid" in entry:
                nodeid = len(known) + 1
                # fakepve's own addresses (192.0.2.11, .12, ...) for the members it starts with.
                address = (
                    f"192.0.2.{10 + nodeid}" if nodeid < 240 else f"198.18.{nodeid // 250}.{nodeid % 250}"
                )
                entry["nodeid"], entry["ip"] = known.setdefault(str(entry["name"]), (nodeid, address))
        return web.json_response(body)

    pve._answer = answer
