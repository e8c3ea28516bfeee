"""Typed endpoint methods of PveClient: one per PVE API call proxstate makes.

Each method builds the path with every component percent-encoded (names come from the API and
may hold anything), makes one raw call, and parses the `data` member into models (the pending
config of a guest, read for every guest, into checked plain dicts).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from proxstate.api.errors import display_path
from proxstate.errors import ProtocolError
from proxstate.models import (
    ClusterResource,
    ClusterStatusEntry,
    ContainerConfig,
    NodeStatus,
    Snapshot,
    StorageContent,
    StorageDefinition,
    StorageInfo,
    TaskInfo,
    TaskLogLine,
    TaskStatus,
    VersionInfo,
    parse_model,
    parse_models,
    parse_payloads,
    pending_payloads,
)
from proxstate.models.base import ModelT, PveModel, objects_of

TASK_LOG_PAGE = 500


def api_path(*segments: str | int) -> str:
    """`/a/b/c` with each segment percent-encoded, so no name can add or change a path segment."""
    return "".join("/" + quote(str(segment), safe="") for segment in segments)


class EndpointMethods:
    """The typed calls; the class that mixes this in provides `get`."""

    async def get(
        self, path: str, *, params: Mapping[str, Any] | None = None, data: Mapping[str, Any] | None = None
    ) -> Any:
        raise NotImplementedError

    async def _one(self, model: type[ModelT], path: str, params: Mapping[str, Any] | None = None) -> ModelT:
        return parse_model(model, await self.get(path, params=params), source=f"GET {display_path(path)}")

    async def _many(
        self, model: type[ModelT], path: str, params: Mapping[str, Any] | None = None
    ) -> list[ModelT]:
        return parse_models(model, await self.get(path, params=params), source=f"GET {display_path(path)}")

    async def _payloads(
        self, model: type[PveModel], path: str, params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        return parse_payloads(model, await self.get(path, params=params), source=f"GET {display_path(path)}")

    async def _pending(self, path: str) -> list[dict[str, Any]]:
        return pending_payloads(await self.get(path), source=f"GET {display_path(path)}")

    # ------------------------------------------------------------------ cluster and nodes

    async def version(self) -> VersionInfo:
        return await self._one(VersionInfo, "/version")

    async def cluster_status(self) -> list[ClusterStatusEntry]:
        return await self._many(ClusterStatusEntry, "/cluster/status")

    async def cluster_resources(self, type: str | None = None) -> list[ClusterResource]:
        """Every resource, or those of one type (vm, storage, node, sdn)."""
        return await self._many(ClusterResource, "/cluster/resources", {"type": type})

    async def cluster_resource_payloads(self) -> list[dict[str, Any]]:
        """Every resource, as the payloads of `cluster_resources()`, checked alike; each model is
        let go as soon as its payload is made (at 15,000 guests the models of the whole list would
        hold some 45 MiB at once, beside 7 MiB of payloads)."""
        return await self._payloads(ClusterResource, "/cluster/resources", {"type": None})

    async def cluster_log(self, max_entries: int) -> list[dict[str, Any]]:
        """The newest `max_entries` entries of PVE's cluster log, newest first (each an object)."""
        path = "/cluster/log"
        return [
            dict(entry)
            for entry in objects_of(await self.get(path, params={"max": max_entries}), source=f"GET {path}")
        ]

    async def node_status(self, node: str) -> NodeStatus:
        return await self._one(NodeStatus, api_path("nodes", node, "status"))

    # ------------------------------------------------------------------ VMs

    async def qemu_pending(self, node: str, vmid: int) -> list[dict[str, Any]]:
        """The config with pending changes, as PendingEntry payloads (checked, not modelled)."""
        return await self._pending(api_path("nodes", node, "qemu", vmid, "pending"))

    async def qemu_snapshots(self, node: str, vmid: int) -> list[Snapshot]:
        return await self._many(Snapshot, api_path("nodes", node, "qemu", vmid, "snapshot"))

    # ------------------------------------------------------------------ containers

    async def lxc_config(self, node: str, vmid: int) -> ContainerConfig:
        return await self._one(ContainerConfig, api_path("nodes", node, "lxc", vmid, "config"))

    async def lxc_pending(self, node: str, vmid: int) -> list[dict[str, Any]]:
        """The config with pending changes, as PendingEntry payloads (checked, not modelled)."""
        return await self._pending(api_path("nodes", node, "lxc", vmid, "pending"))

    async def lxc_snapshots(self, node: str, vmid: int) -> list[Snapshot]:
        return await self._many(Snapshot, api_path("nodes", node, "lxc", vmid, "snapshot"))

    # ------------------------------------------------------------------ storage

    async def storage_definitions(self) -> list[StorageDefinition]:
        """GET /storage: the storage.cfg sections."""
        return await self._many(StorageDefinition, "/storage")

    async def node_storage(self, node: str) -> list[StorageInfo]:
        return await self._many(StorageInfo, api_path("nodes", node, "storage"))

    async def storage_content(self, node: str, storage: str) -> list[StorageContent]:
        return await self._many(StorageContent, api_path("nodes", node, "storage", storage, "content"))

    async def storage_content_payloads(self, node: str, storage: str) -> list[dict[str, Any]]:
        """`storage_content()` as payloads, each model let go as soon as its payload is made: a
        node's local storage lists a volume or two per guest."""
        return await self._payloads(StorageContent, api_path("nodes", node, "storage", storage, "content"))

    # ------------------------------------------------------------------ tasks

    async def node_tasks(
        self,
        node: str,
        *,
        start: int | None = None,
        limit: int | None = None,
        since: int | None = None,
        until: int | None = None,
        typefilter: str | None = None,
        vmid: int | None = None,
        source: str | None = None,
        errors: bool | None = None,
    ) -> list[TaskInfo]:
        """Tasks of a node, newest first (PVE's default: the first 50 finished ones)."""
        params = {
            "start": start,
            "limit": limit,
            "since": since,
            "until": until,
            "typefilter": typefilter,
            "vmid": vmid,
            "source": source,
            "errors": errors,
        }
        return await self._many(TaskInfo, api_path("nodes", node, "tasks"), params)

    async def task_status(self, node: str, upid: str) -> TaskStatus:
        return await self._one(TaskStatus, api_path("nodes", node, "tasks", upid, "status"))

    async def task_log(self, node: str, upid: str, *, page_size: int = TASK_LOG_PAGE) -> list[TaskLogLine]:
        """The whole log of a task, read page by page until a page comes back short."""
        path = api_path("nodes", node, "tasks", upid, "log")
        lines: list[TaskLogLine] = []
        while True:
            page = await self._many(TaskLogLine, path, {"start": len(lines), "limit": page_size})
            if page and lines and page[0].n <= lines[-1].n:
                # A server that ignores `start` would make this loop for ever.
                raise ProtocolError(
                    f"PVE repeats lines of the task log at GET {display_path(path)}", path=path
                )
            lines.extend(page)
            if len(page) < page_size:
                return lines

    async def task_log_page(self, node: str, upid: str, *, start: int, limit: int) -> list[TaskLogLine]:
        """Lines `start + 1` to `start + limit` of a task's log (PVE numbers lines from 1)."""
        path = api_path("nodes", node, "tasks", upid, "log")
        return await self._many(TaskLogLine, path, {"start": start, "limit": limit})


__all__ = ["EndpointMethods", "api_path"]
