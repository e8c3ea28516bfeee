"""Documents of the configs guest snapshots hold (`snapshot-config/<kind>/<vmid>/<snapshot>`).

A snapshot's config is the guest's config as it was, plus a few keys of the snapshot itself. PVE's
handlers (`get_snapshot_config` in qemu-server's API2/Qemu.pm and pve-container's
API2/LXC/Snapshot.pm) return it as stored: unlike GET .../config, which answers `cipassword` as
`**********` (qemu) and leaves out `env` without VM.Config.Options (lxc), the snapshot's config holds
both in clear, readable with VM.Audit. So it goes through exactly the typing and masking of the guest
config: same schema, same secret keys, same `mask_keys`.

The snapshot's own `description`, `parent` and `snaptime` are recorded once, in the guest's document
(`snapshots`), and left out here.
"""

from __future__ import annotations

from typing import Any

from proxstate.normalize.config import normalize_config
from proxstate.normalize.ignore import apply_ignore_rules
from proxstate.normalize.options import NormalizeOptions
from proxstate.normalize.values import plain
from proxstate.resources.ids import ResourceId
from proxstate.resources.inventory import RawDeclared
from proxstate.resources.kinds import GUEST_KINDS

ENTRY = "/nodes/{node}/{type}/{vmid}/snapshot/{snapname}/config"
# Recorded in the guest's document under `snapshots.<name>`, from the guest's snapshot list.
IN_GUEST_DOCUMENT = frozenset({"description", "parent", "snaptime"})


def normalize_snapshot_config(raw: RawDeclared, *, options: NormalizeOptions) -> dict[str, Any]:
    """`kind`, `id` (`<kind>/<vmid>/<snapshot>`), then the typed and masked `config`."""
    rid = ResourceId.parse(raw.resource_id)
    guest_kind = rid.parts[0] if rid.parts else ""
    document: dict[str, Any] = {"kind": rid.kind, "id": rid.tail}
    data = raw.data
    if isinstance(data, dict) and guest_kind in GUEST_KINDS:
        config = normalize_config(
            guest_kind, {k: v for k, v in data.items() if k not in IN_GUEST_DOCUMENT}, options=options
        )
        # The keys of the snapshot itself that remain are text, kept as sent: `vmstate` (a volume
        # here, a flag in the snapshot list), `snapstate`, `runningmachine`, `runningcpu`.
        document["config"] = config
    else:
        document["value"] = plain(data)
    apply_ignore_rules(raw.resource_id, document, options.ignore)
    return document
