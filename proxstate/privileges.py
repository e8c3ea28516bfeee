"""What a login may not see: PVE leaves out of its lists what the user or token may not audit.

`/cluster/resources` lists only the guests a login holds VM.Audit on, and only the storages it holds
Datastore.Audit (or Datastore.AllocateSpace) on; a storage's content only the volumes of guests it
may audit; a node's task list only the login's own tasks without Sys.Audit; `/pools` only the pools
it holds Pool.Audit on. A guest missing from the list may therefore be gone, or only hidden.
Discovery asks PVE for the login's effective privileges (`GET /access/permissions`) and, where one
is missing on the root of a kind's ACL tree, records a failure that keeps what was not seen: the
guests the token can see are recorded, the others keep their last state, and the output names the
privilege.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proxstate.catalog import ENTRIES
from proxstate.inventory import ReadFailure

PERMISSIONS_PATH = "/access/permissions"

# (kinds, ACL path, any one of these privileges, what a login without them does not see)
REQUIRED: tuple[tuple[tuple[str, ...], str, tuple[str, ...], str], ...] = (
    (("qemu", "lxc"), "/vms", ("VM.Audit",), "the guests it may not audit"),
    (
        ("storage", "content"),
        "/storage",
        ("Datastore.Audit", "Datastore.AllocateSpace"),
        "the storages it may not audit",
    ),
    (("tasks",), "/nodes", ("Sys.Audit",), "the tasks of other users"),
    (("pool",), "/pool", ("Pool.Audit",), "the pools it may not audit"),
)

Permissions = dict[str, frozenset[str]]


def parse_permissions(data: Any) -> Permissions | None:
    """`{path: {privilege: 1}}` as PVE answers it, as sets; None for any other shape."""
    if not isinstance(data, Mapping):
        return None
    out: Permissions = {}
    for path, privileges in data.items():
        if isinstance(privileges, Mapping):
            out[str(path)] = frozenset(str(name) for name, value in privileges.items() if value)
    return out


def holds(permissions: Permissions, path: str, privileges: tuple[str, ...]) -> bool:
    """Whether any of `privileges` is effective on `path`: the nearest path PVE lists decides."""
    probe = path
    while probe not in permissions:
        if probe == "/":
            return False
        probe = probe.rsplit("/", 1)[0] or "/"
    return any(name in permissions[probe] for name in privileges)


def hidden_failures(permissions: Permissions, kinds: frozenset[str], *, user: str) -> list[ReadFailure]:
    """Failures for what the login may only partly see; each keeps what was not seen.

    The declarative documents of a guest (its firewall, ...) are read only for the guests listed,
    so they are kept the same way when guests may be hidden. A storage's content lists only the
    volumes of guests the login may audit: then the content keeps its last state as a whole.
    """
    failures = []
    for wanted, path, privileges, hidden in REQUIRED:
        if holds(permissions, path, privileges):
            continue
        lacks = f"{user} lacks {' or '.join(privileges)} on {path}"
        reason = f"{lacks}, so PVE does not list {hidden}; what it does not list keeps its last state"
        patterns = [kind for kind in wanted if kind in kinds]
        if "qemu" in wanted:
            patterns += sorted(
                {entry.kind for entry in ENTRIES if entry.scope == "guest" and entry.kind in kinds}
            )
            if "content" in kinds:
                failures.append(
                    ReadFailure(
                        resource_id="content/*",
                        reason=f"{lacks}, so PVE lists only the volumes of the guests it may audit",
                    )
                )
        failures += [
            ReadFailure(resource_id=f"{kind}/*", reason=reason, unseen_only=True) for kind in patterns
        ]
    return failures


__all__ = ["PERMISSIONS_PATH", "hidden_failures", "holds", "parse_permissions"]
