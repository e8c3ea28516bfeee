"""The privilege each read of proxstate needs, as PVE's own handlers check it.

Taken from the permissions block of every GET proxstate makes (the official API schema) and from the
handler code where it checks more than the block says or filters its answer (docs/coverage.md has
the whole audit). The recommended token holds the PVEAuditor role on `/`; its privileges are the
`audit` privileges of each group in pve-access-control's AccessControl.pm. What needs more than
that is an extra: a token without it does not read that endpoint at all, by design.
"""

from __future__ import annotations

from dataclasses import dataclass

# PVEAuditor: VM.GuestAgent.Audit is PVE 9's, Mapping.Audit PVE 8's; the rest is in every version.
AUDITOR = frozenset(
    {
        "Datastore.Audit",
        "Mapping.Audit",
        "Pool.Audit",
        "SDN.Audit",
        "Sys.Audit",
        "VM.Audit",
        "VM.GuestAgent.Audit",
    }
)


@dataclass(frozen=True, kw_only=True)
class Need:
    """What PVE asks of a login before it answers one GET."""

    acl: str = "/"  # the ACL path PVE checks (the root of the tree for `/vms/<vmid>` and the like)
    any_of: tuple[str, ...] = ()  # one of these privileges; none: every login may ask
    # No permission rule in the handler: only the root@pam login with its password. PVE compares the
    # login with `root@pam` before anything else, so even root@pam's API tokens are refused.
    root: bool = False
    # The handler answers with only what the login may see instead of refusing (`filtered` names the
    # privilege and ACL path each item needs).
    filtered: tuple[str, tuple[str, ...]] | None = None
    since: int = 7  # the PVE major version that has the endpoint (and its privileges)

    @property
    def extra(self) -> bool:
        """Beyond PVEAuditor on `/`: an auditor token is refused by design."""
        return self.root or (bool(self.any_of) and not AUDITOR & set(self.any_of))

    def text(self) -> str:
        if self.root:
            return "the root@pam password login (no API token, not even root@pam's)"
        if not self.any_of:
            return "any login"
        return f"{' or '.join(self.any_of)} on {self.acl}"


_SYS = Need(any_of=("Sys.Audit",))
_NODE = Need(acl="/nodes", any_of=("Sys.Audit",))
_VM = Need(acl="/vms", any_of=("VM.Audit",))
_STORE = ("Datastore.Audit", "Datastore.AllocateSpace")
_USERS = ("Sys.Audit", "User.Modify")
# Mappings and their privileges came with PVE 8.0, notification targets with 8.1.
_MAPPING = Need(filtered=("/mapping", ("Mapping.Audit", "Mapping.Use", "Mapping.Modify")), since=8)
_NOTIFY = Need(acl="/mapping/notifications", any_of=("Mapping.Audit", "Mapping.Modify"), since=8)
_NOTIFY_AUDIT = Need(acl="/mapping/notifications", any_of=("Mapping.Audit",), since=8)
_SDN = Need(filtered=("/sdn", ("SDN.Audit", "SDN.Allocate")))
_CEPH = Need(any_of=("Sys.Audit", "Datastore.Audit"))

# Endpoint template -> what PVE asks. Guest endpoints are written with `{type}` for qemu and lxc.
NEEDS: dict[str, Need] = {
    # the reads of every sync
    "/version": Need(),
    "/access/permissions": Need(),
    "/cluster/status": _SYS,
    "/cluster/resources": Need(filtered=("/vms", ("VM.Audit",))),
    "/nodes/{node}/status": _NODE,
    "/nodes/{node}/{type}/{vmid}/pending": _VM,
    "/nodes/{node}/{type}/{vmid}/snapshot": _VM,
    "/storage": Need(filtered=("/storage", _STORE)),
    "/nodes/{node}/storage": Need(filtered=("/storage", _STORE)),
    "/nodes/{node}/storage/{storage}/content": Need(acl="/storage", any_of=_STORE),
    "/nodes/{node}/tasks": Need(filtered=("/nodes", ("Sys.Audit",))),
    "/nodes/{node}/tasks/{upid}/log": Need(filtered=("/nodes", ("Sys.Audit",))),
    # Every login may ask; without Sys.Syslog on / PVE answers only its own entries (Cluster.pm `log`).
    "/cluster/log": Need(filtered=("/", ("Sys.Syslog",))),
    # the catalog
    "/cluster/options": _SYS,
    "/cluster/config/nodes": _SYS,
    "/cluster/config/totem": _SYS,
    "/pools": Need(filtered=("/pool", ("Pool.Audit",))),
    "/pools/{poolid}": Need(acl="/pool", any_of=("Pool.Audit",)),
    "/cluster/ha/resources": _SYS,
    "/cluster/ha/groups": _SYS,
    "/cluster/ha/rules": Need(any_of=("Sys.Audit",), since=9),
    "/cluster/backup": _SYS,
    "/cluster/replication": Need(filtered=("/vms", ("VM.Audit",))),
    "/cluster/jobs/realm-sync": Need(any_of=("Sys.Audit",), since=8),
    "/cluster/mapping/pci": _MAPPING,
    "/cluster/mapping/usb": _MAPPING,
    "/cluster/mapping/dir": _MAPPING,
    "/cluster/metrics/server": _SYS,
    "/cluster/metrics/server/{id}": _SYS,
    "/cluster/notifications/endpoints/gotify": _NOTIFY_AUDIT,
    "/cluster/notifications/endpoints/sendmail": _NOTIFY,
    "/cluster/notifications/endpoints/smtp": _NOTIFY,
    "/cluster/notifications/endpoints/webhook": _NOTIFY_AUDIT,
    "/cluster/notifications/matchers": Need(
        acl="/mapping/notifications", any_of=("Mapping.Audit", "Mapping.Modify", "Mapping.Use"), since=8
    ),
    "/cluster/acme/account": Need(),
    "/cluster/acme/account/{name}": Need(root=True),
    "/cluster/acme/plugins": Need(any_of=("Sys.Modify",)),
    "/cluster/firewall/options": _SYS,
    "/cluster/firewall/rules": _SYS,
    "/cluster/firewall/aliases": _SYS,
    "/cluster/firewall/ipset": _SYS,
    "/cluster/firewall/ipset/{name}": _SYS,
    "/cluster/firewall/groups": Need(),
    "/cluster/firewall/groups/{group}": _SYS,
    "/nodes/{node}/firewall/options": _NODE,
    "/nodes/{node}/firewall/rules": _NODE,
    "/nodes/{node}/{type}/{vmid}/firewall/options": _VM,
    "/nodes/{node}/{type}/{vmid}/firewall/rules": _VM,
    "/nodes/{node}/{type}/{vmid}/firewall/aliases": _VM,
    "/nodes/{node}/{type}/{vmid}/firewall/refs": _VM,
    "/nodes/{node}/{type}/{vmid}/firewall/ipset": _VM,
    "/nodes/{node}/{type}/{vmid}/firewall/ipset/{name}": _VM,
    "/nodes/{node}/{type}/{vmid}/snapshot/{snapname}/config": Need(
        acl="/vms", any_of=("VM.Audit", "VM.Snapshot", "VM.Snapshot.Rollback")
    ),
    "/access/users": Need(filtered=("/access/groups", _USERS)),
    "/access/users/{userid}": Need(acl="/access/groups", any_of=_USERS),
    # Or the user's own login. Not read: the tokens come with /access/users/{userid} (Sys.Audit).
    "/access/users/{userid}/token": Need(acl="/access/groups", any_of=("User.Modify",)),
    "/access/groups": Need(filtered=("/access/groups", ("Sys.Audit", "User.Modify", "Group.Allocate"))),
    "/access/groups/{groupid}": Need(acl="/access/groups", any_of=("Sys.Audit", "Group.Allocate")),
    "/access/roles": Need(),
    "/access/acl": Need(filtered=("/access", ("Sys.Audit",))),
    "/access/domains": Need(),
    "/access/domains/{realm}": Need(acl="/access/realm", any_of=("Sys.Audit", "Realm.Allocate")),
    "/access/tfa": Need(filtered=("/access/groups", _USERS)),
    "/nodes/{node}/network": Need(filtered=("/sdn", ("SDN.Audit", "SDN.Use"))),
    "/nodes/{node}/dns": _NODE,
    "/nodes/{node}/hosts": _SYS,
    "/nodes/{node}/config": _SYS,
    "/nodes/{node}/time": _NODE,
    "/nodes/{node}/apt/repositories": _NODE,
    # The handler checks the default storage itself, and leaves out mailto, tmpdir, dumpdir,
    # script and ionice without Sys.Audit on the node.
    "/nodes/{node}/vzdump/defaults": Need(acl="/storage", any_of=_STORE, filtered=("/nodes", ("Sys.Audit",))),
    "/cluster/sdn/zones": _SDN,
    "/cluster/sdn/vnets": _SDN,
    "/cluster/sdn/vnets/{vnet}/subnets": _SDN,
    "/cluster/sdn/vnets/{vnet}/firewall/options": Need(acl="/sdn", any_of=("SDN.Audit", "SDN.Allocate")),
    "/cluster/sdn/vnets/{vnet}/firewall/rules": Need(acl="/sdn", any_of=("SDN.Audit", "SDN.Allocate")),
    "/cluster/sdn/controllers": _SDN,
    "/cluster/sdn/ipams": _SDN,
    "/cluster/sdn/dns": _SDN,
    "/cluster/sdn/fabrics/all": Need(filtered=_SDN.filtered, since=9),
    "/nodes/{node}/ceph/mon": _CEPH,
    "/nodes/{node}/ceph/pool": _CEPH,
    "/nodes/{node}/ceph/rules": _CEPH,
    "/nodes/{node}/ceph/fs": _CEPH,
    "/nodes/{node}/ceph/cfg/raw": _CEPH,
    "/nodes/{node}/ceph/cfg/db": _CEPH,
    "/nodes/{node}/ceph/crush": _CEPH,
}


def major_of(version: str) -> int | None:
    """8 of PVE's `8.4.1` (GET /version); None when it says something else."""
    head = version.split(".", 1)[0]
    return int(head) if head.isdigit() else None


def need_of(path: str) -> Need:
    """The need of an endpoint template; one proxstate does not know of asks for nothing."""
    return NEEDS.get(path, Need())


__all__ = ["AUDITOR", "NEEDS", "Need", "major_of", "need_of"]
