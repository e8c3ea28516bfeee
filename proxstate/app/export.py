"""`proxstate show RESOURCE --format conf|pvesh`: a recorded resource as PVE's own text."""

from __future__ import annotations

from proxstate.app.record import document_of, documents_at
from proxstate.errors import RevisionError
from proxstate.export.calls import render
from proxstate.export.conf import ExportError, guest_conf
from proxstate.export.pvesh import create_calls
from proxstate.resources.kinds import GUEST_KINDS, SNAPSHOT_CONFIG
from proxstate.store import StateRepo

EXPORT_FORMATS = ("conf", "pvesh")


def export_resource(
    repo: StateRepo, resource_id: str, *, fmt: str, rev: str | None, cluster: str | None
) -> str:
    """The resource recorded at rev as the text of the format asked for."""
    recorded = document_of(repo, resource_id, rev=rev, cluster=cluster)
    kind = resource_id.partition("/")[0]
    if fmt == "pvesh":

        def node_of(guest: str) -> str | None:
            try:
                node = document_of(repo, guest, rev=rev, cluster=recorded.cluster).document.get("node")
            except RevisionError:
                return None
            return node if isinstance(node, str) else None

        calls = create_calls(recorded.resource_id, recorded.document, node_of=node_of)
        return render(calls)
    if kind not in GUEST_KINDS:
        raise ExportError(f"--format conf is for VMs and containers (qemu/<vmid>, lxc/<vmid>), not {kind}")
    pattern = f"{SNAPSHOT_CONFIG}/{resource_id}/*"
    snapshots = documents_at(repo, rev, cluster=recorded.cluster, pattern=pattern)
    configs = {snap.resource_id.rsplit("/", 1)[-1]: snap.document.get("config") or {} for snap in snapshots}
    return guest_conf(recorded.document, configs)
