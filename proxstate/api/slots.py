"""How many requests a client keeps in flight: in total, and on each node of the cluster.

PVE serves its API with a few worker processes on each node (pveproxy and pvedaemon, 3 each by
default). A request for `/nodes/X/...` is forwarded by the node the client talks to and served on
X; a cluster-wide one (`/cluster/...`, `/storage`, `/access/...`) is served where it arrives. So a
cluster of N nodes answers about 3N requests at once, and a client that keeps a few in flight in
total leaves most of them idle, while one that sends many to one node queues them behind its
workers and crowds out the administrators using the web UI.

`Slots` bounds both: at most `per_node` requests in flight for each node (the cluster-wide ones
count for the node the client talks to, once discovery has learned its name) and `total` over
all. A request takes its node's slot before a slot of the total, so a request that waits for a busy
node never holds a slot another node could use.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

NODES_PREFIX = "/nodes/"


def node_of_path(path: str) -> str | None:
    """The node that serves an API path (`/nodes/pve2/qemu` -> `pve2`); None for a cluster-wide one."""
    if not path.startswith(NODES_PREFIX):
        return None
    name = path[len(NODES_PREFIX) :].split("/", 1)[0].split("?", 1)[0]
    return name or None


class Slots:
    """The in-flight bounds of one client, and what it counts of them."""

    def __init__(self, *, total: int, per_node: int) -> None:
        self.total = total
        self.per_node = per_node
        # The node the client talks to (/cluster/status marks it `local`); it serves the
        # cluster-wide requests. None until discovery knows it: those requests count on their own.
        self.home: str | None = None
        self._total = asyncio.Semaphore(total)
        self._nodes: dict[str | None, asyncio.Semaphore] = {}
        self.in_flight = 0
        self.max_in_flight = 0
        self._node_in_flight: dict[str | None, int] = {}
        self.max_node_in_flight = 0  # the most in flight on one node at once

    def node_for(self, path: str) -> str | None:
        return node_of_path(path) or self.home

    @asynccontextmanager
    async def hold(self, path: str) -> AsyncIterator[None]:
        """A slot of the path's node and one of the total, for the time of one request."""
        node = self.node_for(path)
        node_slots = self._nodes.get(node)
        if node_slots is None:
            node_slots = self._nodes[node] = asyncio.Semaphore(self.per_node)
        async with node_slots, self._total:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
            on_node = self._node_in_flight[node] = self._node_in_flight.get(node, 0) + 1
            self.max_node_in_flight = max(self.max_node_in_flight, on_node)
            try:
                yield
            finally:
                self.in_flight -= 1
                self._node_in_flight[node] -= 1


__all__ = ["Slots", "node_of_path"]
