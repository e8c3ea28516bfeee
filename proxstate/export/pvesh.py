"""`show RESOURCE --format pvesh`: the API calls that create a resource as it was recorded.

Where the call goes comes from the catalog (proxstate/resources/catalog.py): an item of a list is
created on the list's path (`pvesh create /cluster/backup --id ...`), an object named by a list on
that list (`pvesh create /pools --poolid ...`), a section every cluster has is set
(`pvesh set /cluster/firewall/options ...`), and the entries of a list one by one in their order
(firewall rules with `--pos`, aliases, IP set entries, ACL entries).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from proxstate.export.calls import Call, api_text, is_masked, params_of, placeholder
from proxstate.export.conf import ExportError
from proxstate.normalize.config import build_config_value
from proxstate.resources.catalog import ENTRIES, Entry
from proxstate.resources.kinds import GUEST_KINDS

NodeOf = Callable[[str], str | None]
# Keys PVE computes or keeps for itself: not parameters of a create call.
_GUEST_SKIP = frozenset({"parent", "lock", "digest", "meta", "vmgenid", "snapshots"})
_ENTRY_SKIP = frozenset({"pos", "digest", "ipversion", "id", "type"})


def guest_create(resource_id: str, document: Mapping[str, Any]) -> list[Call]:
    """The create call of a VM or container (volumes as recorded: they must still exist)."""
    kind, _, vmid = resource_id.partition("/")
    node = str(document.get("node", "<node>"))
    config = document.get("config") or {}
    params: list[tuple[str, str]] = [("vmid", vmid)]
    if kind == "lxc":
        params.append(("ostemplate", "<fill in: the template or backup to create it from>"))
    for key, value in config.items():
        if key in _GUEST_SKIP or key.startswith("unused") or value is None:
            continue
        text = placeholder(key) if is_masked(value) else build_config_value(kind, key, value)
        params.append((key, text))
    if isinstance(document.get("pool"), str):
        params.append(("pool", document["pool"]))
    tool = "qm" if kind == "qemu" else "pct"
    calls = [
        Call(
            verb="create",
            path=f"/nodes/{node}/{kind}",
            params=tuple(params),
            comment=f"{resource_id} as recorded; its disks name volumes that must still exist",
            native=f"{tool} create {vmid} ...",
        )
    ]
    ha = document.get("ha")
    if isinstance(ha, Mapping):
        sid = f"{'vm' if kind == 'qemu' else 'ct'}:{vmid}"
        rest = {k: v for k, v in ha.items() if k != "managed"}
        calls.append(
            Call(verb="create", path="/cluster/ha/resources", params=(("sid", sid), *params_of(rest)))
        )
    return calls


def _match(resource_id: str) -> tuple[Entry, dict[str, str]] | None:
    for entry in ENTRIES:
        names = re.findall(r"{(\w+)}", entry.rid)
        pattern = re.escape(entry.rid)
        for name in names:
            pattern = pattern.replace(
                re.escape("{" + name + "}"), f"(?P<{name}>.+?)" if name == "key" else f"(?P<{name}>[^/]+)"
            )
        found = re.fullmatch(pattern, resource_id)
        if found:
            return entry, found.groupdict()
    return None


# Recorded, but PVE's API has no call that writes them as recorded (corosync.conf, Ceph, the APT
# repositories, second factors, token secrets, history, a snapshot's frozen config).
NO_CREATE = (
    "corosync/",
    "ceph/",
    "apt/",
    "access/tfa",
    "access/tokens/",
    "cluster-log/",
    "content/",
    "task/",
    "snapshot-config/",
    "sdn/fabrics",
)


def declared_create(resource_id: str, document: Mapping[str, Any], *, node_of: NodeOf) -> list[Call]:
    """The calls that create a declarative resource (pool, job, firewall, access, HA, ...)."""
    matched = None if resource_id.startswith(NO_CREATE) else _match(resource_id)
    if matched is None:
        raise ExportError(f"there is no pvesh form for {resource_id}")
    entry, values = matched
    if "vmid" in values:
        values["node"] = node_of(f"{values['type']}/{values['vmid']}") or "<node>"
    path = entry.path.format(**values) if "{key}" not in entry.path else entry.path
    config = dict(document.get("config") or {})
    if entry.mode == "items":
        item = entry.covers[0].rsplit("{", 1)[-1].rstrip("}") if entry.covers else entry.key or "id"
        return [
            Call(
                verb="create", path=path, params=((item, values["key"]), *params_of(config, skip=_ENTRY_SKIP))
            )
        ]
    last = entry.rid.rsplit("/", 1)[-1].strip("{}")
    if entry.mode == "object" and last in entry.sources:
        listing = entry.sources[last][0].format(**values)
        return _object_create(listing, last, values[last], config)
    if entry.mode == "object":
        return [Call(verb="set", path=path, params=params_of(config))]
    if entry.mode == "list":
        return _list_create(entry, path, values, document)
    raise ExportError(f"there is no pvesh form for {resource_id}")


def _object_create(listing: str, param: str, name: str, config: dict[str, Any]) -> list[Call]:
    members = config.pop("members", None)
    if param == "userid":
        config.pop("tokens", None)
    calls = [Call(verb="create", path=listing, params=((param, name), *params_of(config)))]
    if param == "poolid" and isinstance(members, list):
        vms = [str(m["vmid"]) for m in members if isinstance(m, Mapping) and "vmid" in m]
        stores = [str(m["storage"]) for m in members if isinstance(m, Mapping) and "storage" in m]
        extra = ([("vms", ",".join(vms))] if vms else []) + (
            [("storage", ",".join(stores))] if stores else []
        )
        if extra:
            calls.append(Call(verb="set", path=f"/pools/{name}", params=tuple(extra)))
    if param == "groupid" and isinstance(members, list):
        for user in members:
            calls.append(
                Call(verb="set", path=f"/access/users/{user}", params=(("groups", name), ("append", "1")))
            )
    return calls


def _list_create(entry: Entry, path: str, values: dict[str, str], document: Mapping[str, Any]) -> list[Call]:
    entries = [e for e in document.get("entries") or () if isinstance(e, Mapping)]
    calls: list[Call] = []
    last = entry.rid.rsplit("/", 1)[-1].strip("{}")
    if last in entry.sources:  # an IP set or security group: the container first
        listing = entry.sources[last][0].format(**values)
        comment = document.get("comment")
        params = (("name" if last == "name" else last, values[last]),) + (
            (("comment", str(comment)),) if comment else ()
        )
        calls.append(Call(verb="create", path=listing, params=params))
    if entry.path == "/access/acl":
        return calls + [_acl_call(e) for e in entries]
    rules = "rules" in path or "groups" in path
    if rules:
        # PVE puts each new rule at the top (the create handler unshifts it): last rule first.
        return calls + [rule_create(path, item) for item in reversed(entries)]
    skip = frozenset({"digest", "ipversion"})
    return calls + [Call(verb="create", path=path, params=params_of(item, skip=skip)) for item in entries]


def rule_create(path: str, item: Mapping[str, Any], *, comment: str = "") -> Call:
    """A firewall rule's create call (PVE sets `enable: 0` when the call does not name it)."""
    params = params_of(item, skip=_ENTRY_SKIP)
    if "type" in item:
        params = (("type", str(item["type"])), *params)
    return Call(verb="create", path=path, params=params, comment=comment)


def _acl_call(item: Mapping[str, Any]) -> Call:
    kind = {"user": "users", "group": "groups", "token": "tokens"}.get(str(item.get("type")), "users")
    params = [
        ("path", str(item.get("path"))),
        ("roles", str(item.get("roleid"))),
        (kind, str(item.get("ugid"))),
    ]
    if "propagate" in item:
        params.append(("propagate", api_text("propagate", item["propagate"])))
    return Call(verb="set", path="/access/acl", params=tuple(params))


def storage_create(storage: str, document: Mapping[str, Any]) -> list[Call]:
    config = dict(document.get("config") or {})
    params = (("storage", storage), ("type", str(document.get("type"))), *params_of(config))
    return [Call(verb="create", path="/storage", params=params)]


def create_calls(resource_id: str, document: Mapping[str, Any], *, node_of: NodeOf) -> list[Call]:
    kind = resource_id.partition("/")[0]
    if kind in GUEST_KINDS:
        return guest_create(resource_id, document)
    if kind == "storage":
        return storage_create(resource_id.partition("/")[2], document)
    return declared_create(resource_id, document, node_of=node_of)


def entry_path(resource_id: str, *, node_of: NodeOf) -> tuple[Entry, str, dict[str, str]] | None:
    """The catalog entry of a resource, its API path filled in, and the values of its id."""
    matched = _match(resource_id)
    if matched is None:
        return None
    entry, values = matched
    if "vmid" in values:
        values["node"] = node_of(f"{values['type']}/{values['vmid']}") or "<node>"
    if entry.mode == "items" and entry.covers:
        item = entry.covers[0].rsplit("{", 1)[-1].rstrip("}")
        return entry, entry.covers[0].format(**{**values, item: values["key"]}), values
    return entry, entry.path.format(**values), values


def item_path(resource_id: str, *, node_of: NodeOf) -> str | None:
    """Where a set or delete of the resource goes (`/cluster/backup/<id>`, `/pools/<id>`)."""
    found = entry_path(resource_id, node_of=node_of)
    return found[1] if found is not None and found[0].mode in ("items", "object") else None
