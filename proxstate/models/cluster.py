"""Models of the cluster-wide answers: version, cluster status, resources, node status.

Only identity fields are required; the rest is optional because PVE leaves fields out (an offline
node has no usage figures, a guest on an offline node may have no name) and the versions differ.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from proxstate.models.base import PveModel
from proxstate.models.types import PveBool, PveFloat, PveInt


class VersionInfo(PveModel):
    """GET /version."""

    version: str
    release: str | None = None
    repoid: str | None = None
    console: str | None = None


class ClusterStatusEntry(PveModel):
    """One entry of GET /cluster/status: the cluster itself (type "cluster") or a node.

    `online` is left undeclared (an extra field): a node has 0/1, but the cluster entry may carry
    the count of online nodes.
    """

    type: str
    id: str
    name: str | None = None
    nodes: PveInt | None = None
    quorate: PveBool | None = None
    version: PveInt | None = None
    nodeid: PveInt | None = None
    ip: str | None = None
    local: PveBool | None = None
    level: str | None = None


class ClusterResource(PveModel):
    """One entry of GET /cluster/resources (node, qemu, lxc, storage, pool, sdn, ...)."""

    id: str
    type: str
    node: str | None = None
    name: str | None = None
    vmid: PveInt | None = None
    status: str | None = None
    template: PveBool | None = None
    tags: str | None = None
    pool: str | None = None
    lock: str | None = None
    hastate: str | None = None
    storage: str | None = None
    plugintype: str | None = None
    content: str | None = None
    shared: PveBool | None = None
    level: str | None = None
    maxcpu: PveFloat | None = None
    maxmem: PveInt | None = None
    maxdisk: PveInt | None = None


class NodeStatus(PveModel):
    """GET /nodes/{node}/status. PVE 7.4 declares none of its fields, so all are optional."""

    pveversion: str | None = None
    kversion: str | None = None
    uptime: PveInt | None = None
    cpuinfo: dict[str, Any] | None = None
    memory: dict[str, Any] | None = None
    current_kernel: dict[str, Any] | None = Field(default=None, alias="current-kernel")
    boot_info: dict[str, Any] | None = Field(default=None, alias="boot-info")


__all__ = ["ClusterResource", "ClusterStatusEntry", "NodeStatus", "VersionInfo"]
