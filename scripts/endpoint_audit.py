"""The endpoint audit: what PVE's own handlers do for every GET proxstate makes, beyond the schema.

Each note was read in the handler's code (pve-manager, qemu-server, pve-container, pve-storage,
pve-access-control, pve-firewall, pve-network, pve-ha-manager): the secrets the answer carries, what
PVE sends beside `data` or only in the list (not in the item's own GET), shape differences between
versions, and what proxstate does about it. The privilege column comes from proxstate.discovery.needs and the
versions from the schema's endpoint list; scripts/generate_coverage.py writes the table into
docs/coverage.md.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from proxstate.discovery import NEEDS, Need


@dataclass(frozen=True)
class Note:
    secrets: str = "none"
    shape: str = ""  # beside `data`, list-only fields, differences between versions
    finding: str = ""  # what that means for the record, and what proxstate does


_GUEST_FW = Note(finding="read only for the guests /cluster/resources lists (VM.Audit)")
# Cluster and guest IP set lists carry the set's comment, which the set's own GET does not.
_IPSET_COMMENT = Note(
    shape="list-only `comment` of each set", finding="the comment recorded at the top of the document"
)
_LIST_FULL = "the list returns every item in full; the item's own GET is not read"

NOTES: dict[str, Note] = {
    "/version": Note(),
    "/access/permissions": Note(
        shape="`{path: {privilege: 1|0}}`: 0 = held on the path only (no propagation); the top-level "
        "paths where nothing is held are left out",
        finding="read as such: a 0 does not reach the paths below, a top-level path left out holds nothing",
    ),
    "/cluster/status": Note(),
    "/cluster/resources": Note(
        shape="filtered: guests without VM.Audit, storages without Datastore.Audit (not AllocateSpace), "
        "pools without Pool.Audit, SDN zones without SDN.Audit are left out; a guest's `pool` is "
        "deleted without Pool.Audit on that pool; node gauges are left out without Sys.Audit",
        finding="a guest it leaves out keeps its last state (VM.Audit missing on /vms: exit 3); "
        "the `pool` field of a guest is lost without Pool.Audit (the auditor has it)",
    ),
    "/nodes/{node}/status": Note(),
    "/nodes/{node}/{type}/{vmid}/pending": Note(
        secrets="`cipassword` (qemu), `env` (lxc: KEY=VALUE lines)",
        shape="lxc: the raw `lxc.*` entries of the config are not in /pending; lxc `env` is left "
        "out of /pending and /config without VM.Config.Options on the guest (qemu hides no key)",
        finding="secrets masked; containers read /config as well for the `lxc.*` entries; a "
        "recorded `env` the login may not see keeps its last value, named once in the summary",
    ),
    "/nodes/{node}/{type}/{vmid}/snapshot": Note(shape="a `current` entry that is not a snapshot"),
    "/nodes/{node}/{type}/{vmid}/snapshot/{snapname}/config": Note(
        secrets="the guest config as it was: `cipassword` (in clear for Windows guests), lxc `env`",
        finding="typed and masked like the guest config",
    ),
    "/storage": Note(
        secrets="none: passwords and keys live under /etc/pve/priv",
        finding=f"{_LIST_FULL} (it asks for Datastore.Allocate)",
    ),
    "/nodes/{node}/storage": Note(shape="filtered like /storage; gauges (dropped)"),
    "/nodes/{node}/storage/{storage}/content": Note(
        shape="the volumes of a guest need VM.Audit on it: left out otherwise",
        finding="content keeps its last state as a whole when VM.Audit is missing on /vms",
    ),
    "/nodes/{node}/tasks": Note(
        shape="`user` and `tokenid` apart for tasks run by an API token; `total` beside `data`: how "
        "many tasks match, past `limit` too",
        finding="recorded as `user@realm!token`; other users' tasks need Sys.Audit on the node; "
        "a sync reads 5,000 per request with `start` until it has `total`: nothing of the window is cut",
    ),
    "/nodes/{node}/tasks/{upid}/log": Note(
        shape="paged (`start`, `limit`); `total` (lines) beside `data`",
        finding="read page by page until a short page",
    ),
    "/cluster/log": Note(
        secrets="qemu-server logs config updates with their values; it writes `-cipassword <hidden>`",
        shape="newest first; the newest 50 without `max` (pmxcfs server.c); `id` `<uid>:<node>` in "
        "newer versions; without Sys.Syslog on / only the login's own entries",
        finding="read with max=5000; recorded per UTC day by `<uid>:<node>`; secret keys masked again",
    ),
    "/cluster/options": Note(
        secrets="`http_proxy` may hold `user:password@`", finding="masked by the secret detector"
    ),
    "/cluster/config/nodes": Note(finding="a standalone host has no corosync: an absent feature"),
    "/cluster/config/totem": Note(finding="a standalone host has no corosync: an absent feature"),
    "/pools": Note(
        shape="filtered by Pool.Audit; PVE 8.1+: nested pools (`prod/web`), `?poolid=` gives one "
        "pool with its members (the handler checks Pool.Audit on it but ignores the result)",
        finding="pools it leaves out keep their last state; members read through `?poolid=`",
    ),
    "/pools/{poolid}": Note(
        shape="deprecated in 8.1: answers 501 for a nested pool; members carry live gauges",
        finding="read through `/pools?poolid=` where PVE has it; members recorded without gauges",
    ),
    "/cluster/ha/resources": Note(
        shape="list-only `errors` (a group that does not exist); PVE 9: `group` is left out once "
        "the groups were migrated to rules",
        finding=_LIST_FULL,
    ),
    "/cluster/ha/groups": Note(finding="PVE 9 migrates groups to rules"),
    "/cluster/ha/rules": Note(finding="PVE 9 only"),
    "/cluster/backup": Note(
        shape="list-only `next-run`", finding=f"{_LIST_FULL}; `next-run` dropped as volatile"
    ),
    "/cluster/replication": Note(shape="filtered by VM.Audit on each job's guest", finding=_LIST_FULL),
    "/cluster/jobs/realm-sync": Note(
        shape="list-only `last-run`, `next-run`", finding="both dropped as volatile"
    ),
    "/cluster/mapping/pci": Note(shape="filtered by Mapping.Audit/Use/Modify on each mapping"),
    "/cluster/mapping/usb": Note(shape="filtered by Mapping.Audit/Use/Modify on each mapping"),
    "/cluster/mapping/dir": Note(shape="filtered by Mapping.Audit/Use/Modify on each mapping"),
    "/cluster/metrics/server": Note(
        shape="the list returns only `id`, `disable`, `type`, `server`, `port`; the rest of each "
        "server's configuration (bucket, organization, path, proto, mtu, timeout, ...) only in "
        "/cluster/metrics/server/{id}",
        finding="read for the ids only",
    ),
    "/cluster/metrics/server/{id}": Note(
        secrets="the InfluxDB token is kept under /etc/pve/priv, not here; OpenTelemetry's "
        "`otel-headers` (PVE 9: base64 JSON of HTTP headers, with credentials) is",
        shape="the server's whole status.cfg section: `type` and every setting, no `id`",
        finding="read for each id and recorded in full; `otel-headers`, `token`, `password` masked",
    ),
    "/cluster/notifications/endpoints/gotify": Note(
        secrets="the token is left out by PVE", shape="list-only `origin`"
    ),
    "/cluster/notifications/endpoints/sendmail": Note(shape="list-only `origin`"),
    "/cluster/notifications/endpoints/smtp": Note(
        secrets="the password is left out by PVE", shape="list-only `origin`"
    ),
    "/cluster/notifications/endpoints/webhook": Note(
        secrets="`secret`, `header` values", shape="list-only `origin`", finding="masked"
    ),
    "/cluster/notifications/matchers": Note(shape="list-only `origin`"),
    "/cluster/acme/account": Note(),
    "/cluster/acme/account/{name}": Note(
        shape="no permission rule: root@pam's password login only",
        finding="not read with an API token, by design; named once per sync",
    ),
    "/cluster/acme/plugins": Note(
        secrets="`data`: the DNS API credentials", finding="masked; not read without Sys.Modify, by design"
    ),
    "/cluster/firewall/ipset": _IPSET_COMMENT,
    "/cluster/firewall/groups": Note(
        shape="list-only `comment` of each group", finding="the comment recorded at the top of the document"
    ),
    "/nodes/{node}/{type}/{vmid}/firewall/options": _GUEST_FW,
    "/nodes/{node}/{type}/{vmid}/firewall/rules": _GUEST_FW,
    "/nodes/{node}/{type}/{vmid}/firewall/aliases": _GUEST_FW,
    "/nodes/{node}/{type}/{vmid}/firewall/refs": Note(
        shape="the cluster's, SDN's and the guest's aliases and IP sets, each with its `scope` "
        "(`dc`, `sdn`, `guest`) since PVE 8; PVE 7 has no `scope` and merges names",
        finding="tells the guest's own aliases and IP sets in one request: without aliases of scope "
        "`guest` the aliases are not read, and the IP sets of scope `guest` stand for the IP set list; "
        "without `scope`, both are read (proxstate/discovery/guestrefs.py)",
    ),
    "/nodes/{node}/{type}/{vmid}/firewall/ipset": _IPSET_COMMENT,
    "/access/users": Note(
        shape="filtered (always lists the login's own user); list-only `realm-type`, `totp-locked`, "
        "`tfa-locked-until`",
        finding="users it leaves out keep their last state",
    ),
    "/access/users/{userid}": Note(
        secrets="none (`keys`: Yubico key ids)",
        shape="returns the user's API tokens too (`tokens: {id: {comment, expire, privsep}}`)",
        finding="the tokens are recorded from here (Sys.Audit), not from .../token",
    ),
    "/access/users/{userid}/token": Note(
        shape="asks for User.Modify, or the user's own login",
        finding="not read: the same data comes with /access/users/{userid}",
    ),
    "/access/groups": Note(shape="filtered by privileges on each group"),
    "/access/acl": Note(
        shape="without Sys.Audit on /access: only the entries on paths the login may modify permissions on",
        finding="kept as a whole when Sys.Audit is missing on /access",
    ),
    "/access/domains/{realm}": Note(
        secrets="OpenID `client-key` (LDAP bind passwords live under /etc/pve/priv)", finding="masked"
    ),
    "/access/tfa": Note(
        secrets="the factors' data", shape="filtered like /access/users", finding="only which factors exist"
    ),
    "/nodes/{node}/network": Note(
        shape="`changes` beside `data` (the diff of /etc/network/interfaces.new) when changes are "
        "pending; PVE 8+: bridges without SDN.Audit (or SDN.Use) on `/sdn/zones/localnetwork/<bridge>` "
        "are left out",
        finding="applied and pending recorded apart; kept as a whole without SDN.Audit on /sdn",
    ),
    "/nodes/{node}/vzdump/defaults": Note(
        shape="without Sys.Audit on the node: no mailto, tmpdir, dumpdir, script, ionice; `pool` "
        "left out without Pool.Audit on it",
        finding="kept as a whole without Sys.Audit on /nodes",
    ),
    "/cluster/sdn/ipams": Note(secrets="`token` (NetBox, phpIPAM)", finding="masked"),
    "/cluster/sdn/dns": Note(secrets="`key` (PowerDNS)", finding="masked"),
    "/cluster/sdn/fabrics/all": Note(shape="PVE 9 only; nodes without Sys.Audit are left out"),
    "/nodes/{node}/ceph/mon": Note(
        shape="500 `binary not installed` on a node without Ceph",
        finding="asked node by node to find one that runs a monitor",
    ),
    "/nodes/{node}/ceph/pool": Note(
        shape="500 `binary not installed` on a node without Ceph; gauges in each pool",
        finding="read through a node that runs a Ceph monitor; gauges dropped",
    ),
}


def _versions(tsv_text: str) -> dict[str, str]:
    rows = csv.DictReader(io.StringIO(tsv_text), delimiter="\t")
    out = {}
    for row in rows:
        present = [row.get("in_pve7.4") == "1", row.get("in_pve8.4") == "1", True]
        out[row["path"]] = " / ".join("yes" if here else "no" for here in present)
    return out


def _privilege(need: Need) -> str:
    text = need.text() if need.any_of or need.root else "any login"
    if need.filtered is not None:
        acl, privileges = need.filtered
        text += f"; lists what {' or '.join(privileges)} on {acl} shows"
    return text


def render_audit(tsv_text: str) -> list[str]:
    """The audit table, as lines of docs/coverage.md."""
    versions = _versions(tsv_text)
    lines = [
        "## Endpoint audit",
        "",
        "Every GET proxstate makes, as PVE's own handler answers it (`{type}` is `qemu` and `lxc`). "
        "The privileges come from `proxstate/discovery/needs.py` (tested against the schema's permission "
        "rules); the notes from the handlers' code (`scripts/endpoint_audit.py`). PVEAuditor on `/` holds "
        "every privilege here except Sys.Modify and the root@pam login.",
        "",
        "| endpoint | PVE asks for | in 7.4 / 8.4 / 9.1 | secrets in the answer | beside `data`, list-only, "
        "shapes | what proxstate does |",
        "|---|---|---|---|---|---|",
    ]
    for path, need in NEEDS.items():
        note = NOTES.get(path, Note())
        present = versions.get(path.replace("{type}", "qemu"), "?")
        cells = [f"`{path}`", _privilege(need), present, note.secrets, note.shape or "—", note.finding or "—"]
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return lines


__all__ = ["NOTES", "Note", "render_audit"]
