"""The declarative configuration proxstate records beyond guests, nodes and storage, as data.

Each Entry names one GET endpoint of the PVE API, the resource id its answer is recorded under,
and how the answer becomes documents:

- `object`: the answer is one document (`firewall/cluster/options`);
- `list`: the whole list is one document, in PVE's order (firewall rules, whose order matters),
  or keyed by `key` and sorted (aliases, interfaces);
- `items`: one document per list item, named by its `key` field (`backup-job/<id>`).

Path parameters are filled from what discovery already knows (`{node}`, `{type}`+`{vmid}` of each
guest, `{snapname}`) or from a `sources` list endpoint (`{poolid}` from `/pools`). `covers` names
the endpoints whose data the entry records too (the per-item GET of a list that returns full items),
so that the coverage of the official schema can be computed (docs/coverage.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from proxstate.resources.kinds import GUEST_KINDS, kind_of

Mode = Literal["object", "list", "items", "text"]
Scope = Literal["cluster", "node", "any-node", "guest"]


@dataclass(frozen=True, kw_only=True)
class Entry:
    path: str  # API path template
    rid: str  # resource id template; `{key}` is the item's key in `items` mode
    mode: Mode = "object"
    key: str | None = None  # the item field naming each item (items) or each list entry (list)
    scope: Scope = "cluster"
    sources: dict[str, tuple[str, str]] = field(default_factory=dict)  # param -> (list path, item field)
    covers: tuple[str, ...] = ()
    secrets: frozenset[str] = frozenset()  # keys whose values are masked
    drop: frozenset[str] = frozenset()  # volatile keys not recorded
    keep_only: frozenset[str] = frozenset()  # record only these keys of each item (TFA: presence only)
    optional: bool = False  # absent on clusters without the feature (Ceph, SDN, older PVE)
    guest_types: tuple[str, ...] = GUEST_KINDS
    # Read from another endpoint's answer: (its path template, the field holding this entry's data).
    read_from: tuple[str, str] | None = None
    # A newer form of `path` that answers a list holding the one object, tried first; `path` is
    # read where the server rejects its parameters (an older PVE).
    newer: str | None = None
    # Fields PVE sets beside `data` that are recorded too (`changes` of /nodes/{node}/network).
    beside: tuple[str, ...] = ()
    # Fields of the source list's item that the entry's own GET does not return (an IP set's or a
    # security group's comment): recorded at the top of the document.
    listed: tuple[str, ...] = ()

    @property
    def kind(self) -> str:
        return kind_of(self.rid)


def _list_entry(base: str, rid: str, key: str, **kw: object) -> Entry:
    """A list whose items are full configurations: one document per item; covers `base/{key}`."""
    item = kw.pop("item_param", key)
    return Entry(path=base, rid=rid, mode="items", key=key, covers=(f"{base}/{{{item}}}",), **kw)  # type: ignore[arg-type]


_FW_GUEST = "/nodes/{node}/{type}/{vmid}/firewall"
_SDN = "/cluster/sdn"
_NOTIFY = "/cluster/notifications/endpoints"

ENTRIES: tuple[Entry, ...] = (
    # cluster-wide options and corosync
    Entry(path="/cluster/options", rid="cluster-options"),
    Entry(path="/cluster/config/nodes", rid="corosync/nodes", mode="list", key="name", optional=True),
    Entry(
        path="/cluster/config/totem",
        rid="corosync/totem",
        optional=True,
        # A counter corosync bumps with every edit of corosync.conf (cluster.yaml leaves it out too).
        drop=frozenset({"config_version"}),
    ),
    # pools
    Entry(
        path="/pools/{poolid}",
        # PVE 8.1+: the only form that reads nested pools (`prod/web`; /pools/{poolid} answers
        # 501 for them); PVE 7 has no `poolid` parameter on /pools.
        newer="/pools?poolid={poolid}",
        rid="pool/{poolid}",
        sources={"poolid": ("/pools", "poolid")},
        covers=("/pools",),
        # Membership, not the members' live state (PVE lists each member with its gauges).
        keep_only=frozenset({"comment", "members", "id", "type", "vmid", "storage"}),
    ),
    # HA
    _list_entry("/cluster/ha/resources", "ha/resource/{key}", "sid"),
    _list_entry("/cluster/ha/groups", "ha/group/{key}", "group", optional=True),
    _list_entry("/cluster/ha/rules", "ha/rule/{key}", "rule", optional=True),
    # jobs
    _list_entry("/cluster/backup", "backup-job/{key}", "id", drop=frozenset({"next-run"})),
    # `guest` and `jobnum` are the two halves of the id (`100-0`).
    _list_entry("/cluster/replication", "replication/{key}", "id", drop=frozenset({"guest", "jobnum"})),
    _list_entry(
        "/cluster/jobs/realm-sync",
        "realm-sync/{key}",
        "id",
        optional=True,
        drop=frozenset({"next-run", "last-run"}),
    ),
    # resource mappings (PVE 8.0+: PVE 7 answers 501)
    _list_entry("/cluster/mapping/pci", "mapping/pci/{key}", "id", optional=True),
    _list_entry("/cluster/mapping/usb", "mapping/usb/{key}", "id", optional=True),
    _list_entry("/cluster/mapping/dir", "mapping/dir/{key}", "id", optional=True),
    # metric servers and notifications
    Entry(
        # The list gives only id, disable, type, server and port (pve-manager's
        # API2/Cluster/MetricServer.pm server_index); each server's own GET has all of its settings.
        path="/cluster/metrics/server/{id}",
        rid="metric-server/{id}",
        sources={"id": ("/cluster/metrics/server", "id")},
        covers=("/cluster/metrics/server",),
        # PVE keeps an InfluxDB token under /etc/pve/priv, but OpenTelemetry's `otel-headers` (PVE 9:
        # base64 JSON of HTTP headers, an Authorization header as a rule) is in status.cfg itself.
        secrets=frozenset({"token", "password", "otel-headers"}),
        # The last part of the resource id already (as the list's items were recorded without it).
        drop=frozenset({"id"}),
    ),
    _list_entry(
        f"{_NOTIFY}/gotify", "notification/gotify/{key}", "name", secrets=frozenset({"token"}), optional=True
    ),
    _list_entry(f"{_NOTIFY}/sendmail", "notification/sendmail/{key}", "name", optional=True),
    _list_entry(
        f"{_NOTIFY}/smtp", "notification/smtp/{key}", "name", secrets=frozenset({"password"}), optional=True
    ),
    _list_entry(
        f"{_NOTIFY}/webhook",
        "notification/webhook/{key}",
        "name",
        secrets=frozenset({"secret", "header"}),
        optional=True,
    ),
    _list_entry("/cluster/notifications/matchers", "notification/matcher/{key}", "name", optional=True),
    # ACME
    Entry(
        path="/cluster/acme/account/{name}",
        rid="acme/account/{name}",
        sources={"name": ("/cluster/acme/account", "name")},
        covers=("/cluster/acme/account",),
        secrets=frozenset({"eab-hmac-key", "eab-kid"}),
    ),
    _list_entry(
        "/cluster/acme/plugins", "acme/plugin/{key}", "plugin", item_param="id", secrets=frozenset({"data"})
    ),
    # cluster firewall
    Entry(path="/cluster/firewall/options", rid="firewall/cluster/options"),
    Entry(
        path="/cluster/firewall/rules",
        rid="firewall/cluster/rules",
        mode="list",
        covers=("/cluster/firewall/rules/{pos}",),
    ),
    Entry(
        path="/cluster/firewall/aliases",
        rid="firewall/cluster/aliases",
        mode="list",
        key="name",
        covers=("/cluster/firewall/aliases/{name}",),
    ),
    Entry(
        path="/cluster/firewall/ipset/{name}",
        rid="firewall/cluster/ipset/{name}",
        mode="list",
        key="cidr",
        sources={"name": ("/cluster/firewall/ipset", "name")},
        listed=("comment",),
        covers=("/cluster/firewall/ipset", "/cluster/firewall/ipset/{name}/{cidr}"),
    ),
    Entry(
        path="/cluster/firewall/groups/{group}",
        rid="firewall/cluster/group/{group}",
        mode="list",
        sources={"group": ("/cluster/firewall/groups", "group")},
        listed=("comment",),
        covers=("/cluster/firewall/groups", "/cluster/firewall/groups/{group}/{pos}"),
    ),
    # node firewall
    Entry(path="/nodes/{node}/firewall/options", rid="firewall/node/{node}/options", scope="node"),
    Entry(
        path="/nodes/{node}/firewall/rules",
        rid="firewall/node/{node}/rules",
        mode="list",
        scope="node",
        covers=("/nodes/{node}/firewall/rules/{pos}",),
    ),
    # guest firewall (a kind of its own, so that very large clusters can leave it out)
    Entry(path=f"{_FW_GUEST}/options", rid="guest-firewall/{type}/{vmid}/options", scope="guest"),
    Entry(
        path=f"{_FW_GUEST}/rules",
        rid="guest-firewall/{type}/{vmid}/rules",
        mode="list",
        scope="guest",
        covers=(f"{_FW_GUEST}/rules/{{pos}}",),
    ),
    Entry(
        path=f"{_FW_GUEST}/aliases",
        rid="guest-firewall/{type}/{vmid}/aliases",
        mode="list",
        key="name",
        scope="guest",
        covers=(f"{_FW_GUEST}/aliases/{{name}}",),
    ),
    Entry(
        path=f"{_FW_GUEST}/ipset/{{name}}",
        rid="guest-firewall/{type}/{vmid}/ipset/{name}",
        mode="list",
        key="cidr",
        scope="guest",
        sources={"name": (f"{_FW_GUEST}/ipset", "name")},
        listed=("comment",),
        covers=(f"{_FW_GUEST}/ipset", f"{_FW_GUEST}/ipset/{{name}}/{{cidr}}"),
    ),
    # guest snapshots' configs
    Entry(
        path="/nodes/{node}/{type}/{vmid}/snapshot/{snapname}/config",
        rid="snapshot-config/{type}/{vmid}/{snapname}",
        scope="guest",
        drop=frozenset({"digest"}),
    ),
    # access control
    Entry(
        path="/access/users/{userid}",
        rid="access/user/{userid}",
        sources={"userid": ("/access/users", "userid")},
        covers=("/access/users",),
        drop=frozenset({"tokens"}),
    ),
    Entry(
        path="/access/users/{userid}/token",
        rid="access/tokens/{userid}",
        mode="list",
        key="tokenid",
        sources={"userid": ("/access/users", "userid")},
        covers=("/access/users/{userid}/token/{tokenid}",),
        # PVE's read_user returns the tokens too and asks for Sys.Audit, where this endpoint asks
        # for User.Modify (or the user's own login): an auditor token reads every user's tokens.
        read_from=("/access/users/{userid}", "tokens"),
    ),
    Entry(
        path="/access/groups/{groupid}",
        rid="access/group/{groupid}",
        sources={"groupid": ("/access/groups", "groupid")},
        covers=("/access/groups",),
    ),
    _list_entry("/access/roles", "access/role/{key}", "roleid"),
    Entry(path="/access/acl", rid="access/acl", mode="list"),
    Entry(
        path="/access/domains/{realm}",
        rid="access/realm/{realm}",
        sources={"realm": ("/access/domains", "realm")},
        covers=("/access/domains",),
        secrets=frozenset({"password", "client-key"}),
    ),
    # TFA: which users have which second factors, never the factors themselves
    Entry(
        path="/access/tfa",
        rid="access/tfa",
        mode="list",
        key="userid",
        keep_only=frozenset({"userid", "entries", "type", "id", "description", "created", "enable"}),
        covers=("/access/tfa/{userid}", "/access/tfa/{userid}/{id}", "/access/users/{userid}/tfa"),
    ),
    # node configuration
    Entry(
        path="/nodes/{node}/network",
        rid="network/{node}",
        mode="list",
        key="iface",
        scope="node",
        # While /etc/network/interfaces.new exists PVE lists that file and sets `changes`, its diff
        # against the applied /etc/network/interfaces (pve-manager API2/Network.pm).
        beside=("changes",),
        covers=("/nodes/{node}/network/{iface}",),
    ),
    Entry(path="/nodes/{node}/dns", rid="dns/{node}", scope="node"),
    Entry(path="/nodes/{node}/hosts", rid="hosts/{node}", scope="node"),
    Entry(path="/nodes/{node}/config", rid="node-config/{node}", scope="node"),
    Entry(
        path="/nodes/{node}/time", rid="node-time/{node}", scope="node", drop=frozenset({"time", "localtime"})
    ),
    Entry(
        path="/nodes/{node}/apt/repositories",
        rid="apt/{node}",
        scope="node",
        drop=frozenset({"errors", "infos"}),
        optional=True,
    ),
    Entry(path="/nodes/{node}/vzdump/defaults", rid="vzdump-defaults/{node}", scope="node", optional=True),
    # SDN
    _list_entry(f"{_SDN}/zones", "sdn/zone/{key}", "zone", optional=True),
    _list_entry(f"{_SDN}/vnets", "sdn/vnet/{key}", "vnet", optional=True),
    Entry(
        path=f"{_SDN}/vnets/{{vnet}}/subnets",
        rid="sdn/subnet/{vnet}/{key}",
        mode="items",
        key="subnet",
        sources={"vnet": (f"{_SDN}/vnets", "vnet")},
        covers=(f"{_SDN}/vnets/{{vnet}}/subnets/{{subnet}}",),
        optional=True,
    ),
    Entry(
        path=f"{_SDN}/vnets/{{vnet}}/firewall/options",
        rid="sdn/vnet-firewall/{vnet}/options",
        sources={"vnet": (f"{_SDN}/vnets", "vnet")},
        optional=True,
    ),
    Entry(
        path=f"{_SDN}/vnets/{{vnet}}/firewall/rules",
        rid="sdn/vnet-firewall/{vnet}/rules",
        mode="list",
        sources={"vnet": (f"{_SDN}/vnets", "vnet")},
        covers=(f"{_SDN}/vnets/{{vnet}}/firewall/rules/{{pos}}",),
        optional=True,
    ),
    _list_entry(f"{_SDN}/controllers", "sdn/controller/{key}", "controller", optional=True),
    _list_entry(f"{_SDN}/ipams", "sdn/ipam/{key}", "ipam", secrets=frozenset({"token"}), optional=True),
    _list_entry(f"{_SDN}/dns", "sdn/dns/{key}", "dns", secrets=frozenset({"key"}), optional=True),
    Entry(
        path=f"{_SDN}/fabrics/all",
        rid="sdn/fabrics",
        optional=True,
        covers=(
            f"{_SDN}/fabrics/fabric",
            f"{_SDN}/fabrics/fabric/{{id}}",
            f"{_SDN}/fabrics/node",
            f"{_SDN}/fabrics/node/{{fabric_id}}",
            f"{_SDN}/fabrics/node/{{fabric_id}}/{{node_id}}",
        ),
    ),
    # Ceph: cluster-wide, read through any node that answers
    Entry(
        path="/nodes/{node}/ceph/pool",
        rid="ceph/pool/{key}",
        mode="items",
        key="pool_name",
        scope="any-node",
        drop=frozenset({"bytes_used", "percent_used", "autoscale_status", "pg_num_final"}),
        covers=("/nodes/{node}/ceph/pool/{name}/status",),
        optional=True,
    ),
    Entry(
        path="/nodes/{node}/ceph/rules",
        rid="ceph/rules",
        mode="list",
        key="name",
        scope="any-node",
        optional=True,
    ),
    Entry(
        path="/nodes/{node}/ceph/fs", rid="ceph/fs", mode="list", key="name", scope="any-node", optional=True
    ),
    Entry(path="/nodes/{node}/ceph/cfg/raw", rid="ceph/config", mode="text", scope="any-node", optional=True),
    Entry(
        path="/nodes/{node}/ceph/cfg/db", rid="ceph/config-db", mode="list", scope="any-node", optional=True
    ),
    Entry(path="/nodes/{node}/ceph/crush", rid="ceph/crush", mode="text", scope="any-node", optional=True),
)

# Config endpoints whose data the built-in kinds record.
BUILTIN_COVERS: dict[str, str] = {
    "/nodes/{node}/qemu/{vmid}/config": "qemu: read through .../pending, which returns every config key",
    "/nodes/{node}/qemu/{vmid}/pending": "qemu",
    "/nodes/{node}/qemu/{vmid}/snapshot": "qemu (snapshots)",
    "/nodes/{node}/lxc/{vmid}/config": "lxc: the raw lxc.* lines, which .../pending leaves out",
    "/nodes/{node}/lxc/{vmid}/pending": "lxc",
    "/nodes/{node}/lxc/{vmid}/snapshot": "lxc (snapshots)",
    "/storage": "storage",
    "/storage/{storage}": "storage (the list returns every definition in full)",
}

# Config endpoints deliberately not recorded, with the reason.
NOT_RECORDED: dict[str, str] = {
    "/nodes/{node}/qemu/{vmid}/cloudinit": (
        "the difference between the cloud-init drive and the config: derived from the recorded config, "
        "and changes with every regeneration of the drive"
    ),
}

KINDS: tuple[str, ...] = tuple(dict.fromkeys(entry.kind for entry in ENTRIES))
# The kinds of documents that belong to one guest (`guest-firewall/qemu/101/rules`).
GUEST_OWNED_KINDS = frozenset(entry.kind for entry in ENTRIES if entry.scope == "guest")
