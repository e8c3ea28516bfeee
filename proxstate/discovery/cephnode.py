"""Which node Ceph's cluster-wide configuration is read through.

Every Ceph endpoint of PVE answers only on a node where Ceph is installed and initialized
(pve-manager PVE/Ceph/Tools.pm check_ceph_inited): elsewhere it is `500 binary not installed:
/usr/bin/ceph-mon` or `pveceph configuration not initialized`. Such an answer says nothing about
the cluster, only about that node, so the nodes are asked one after the other until one lists the
monitors (GET /nodes/{node}/ceph/mon, PVE's listmon); the configuration is then read through a node
that runs a monitor, preferably the one that answered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any
from urllib.parse import quote

from proxstate.errors import ApiError, AuthenticationError, NotFound

MONITORS = "/nodes/{node}/ceph/mon"


def node_without_ceph(error: ApiError) -> bool:
    """PVE's ways of saying that Ceph is not there on the node asked."""
    if isinstance(error, NotFound) or error.status == 501:
        return True
    text = error.message.lower()
    return error.status in (400, 500) and ("not installed" in text or "not initialized" in text)


def _monitor_hosts(answer: Any) -> list[str]:
    hosts = []
    for monitor in answer if isinstance(answer, list) else []:
        if isinstance(monitor, dict):
            host = monitor.get("host") or monitor.get("name")  # the id is usually the host name
            if isinstance(host, str) and host:
                hosts.append(host)
    return hosts


async def find_ceph_node(get: Callable[[str], Awaitable[Any]], nodes: Sequence[str]) -> str | None:
    """The node to read Ceph through, or None when every node says Ceph is not installed there.

    Raises the first ApiError that was not "not installed" when no node answered (a 403, a
    timeout): then nobody can tell whether the cluster has Ceph.
    """
    failure: ApiError | None = None
    for node in nodes:
        try:
            answer = await get(MONITORS.format(node=quote(node, safe="")))
        except AuthenticationError:
            raise
        except ApiError as error:
            if not node_without_ceph(error) and failure is None:
                failure = error
            continue
        hosts = _monitor_hosts(answer)
        if node in hosts or not hosts:
            return node
        return next((host for host in hosts if host in nodes), node)
    if failure is not None:
        raise failure
    return None
