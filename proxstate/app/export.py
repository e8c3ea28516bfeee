"""`proxstate show RESOURCE --format conf`: a recorded resource as PVE's own text."""

from __future__ import annotations

from proxstate.app.record import document_of, documents_at
from proxstate.export.conf import ExportError, guest_conf
from proxstate.resources.kinds import GUEST_KINDS, SNAPSHOT_CONFIG
from proxstate.store import StateRepo

EXPORT_FORMATS = ("conf",)


def export_resource(
    repo: StateRepo, resource_id: str, *, fmt: str, rev: str | None, cluster: str | None
) -> str:
    """The resource recorded at rev as the text of the format asked for."""
    recorded = document_of(repo, resource_id, rev=rev, cluster=cluster)
    kind = resource_id.partition("/")[0]
    if kind not in GUEST_KINDS:
        raise ExportError(f"--format conf is for VMs and containers (qemu/<vmid>, lxc/<vmid>), not {kind}")
    pattern = f"{SNAPSHOT_CONFIG}/{resource_id}/*"
    snapshots = documents_at(repo, rev, cluster=recorded.cluster, pattern=pattern)
    configs = {snap.resource_id.rsplit("/", 1)[-1]: snap.document.get("config") or {} for snap in snapshots}
    return guest_conf(recorded.document, configs)
