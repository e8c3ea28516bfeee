"""Typed models of the PVE API payloads that proxstate reads."""

from proxstate.models.base import PveModel, parse_model, parse_models, parse_payloads
from proxstate.models.cluster import ClusterResource, ClusterStatusEntry, NodeStatus, VersionInfo
from proxstate.models.guest import ContainerConfig, PendingEntry, Snapshot, pending_payloads
from proxstate.models.storage import StorageContent, StorageDefinition, StorageInfo
from proxstate.models.task import TaskInfo, TaskLogLine, TaskStatus, Upid, decode_upid
from proxstate.models.types import PveBool, PveFloat, PveInt

__all__ = [
    "ClusterResource",
    "ClusterStatusEntry",
    "ContainerConfig",
    "NodeStatus",
    "PendingEntry",
    "PveBool",
    "PveFloat",
    "PveInt",
    "PveModel",
    "Snapshot",
    "StorageContent",
    "StorageDefinition",
    "StorageInfo",
    "TaskInfo",
    "TaskLogLine",
    "TaskStatus",
    "Upid",
    "VersionInfo",
    "decode_upid",
    "parse_model",
    "parse_models",
    "parse_payloads",
    "pending_payloads",
]
