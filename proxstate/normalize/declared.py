"""Documents of the declarative configuration read through proxstate.resources.catalog.

Every document starts with `kind` and `id` (the resource id without its kind), then:

- `config`: the object (or the list item) with its keys naturally sorted;
- `entries`: a list, keyed by the entry's key and sorted (aliases, interfaces, tokens), or in PVE's
  order where the order means something (firewall rules, which carry their `pos`), else sorted;
- `text`: a plain-text answer (ceph.conf, the CRUSH map).

Integer and boolean fields are typed from the official schema (data/declared-types.json);
`digest` and the entry's volatile fields are dropped; the entry's secret keys and the user's
`mask_keys` are masked like guest secrets.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from proxstate.normalize.config import build_config_value, normalize_value
from proxstate.normalize.ignore import apply_ignore_rules
from proxstate.normalize.masking import mask_value
from proxstate.normalize.options import DEFAULT_OPTIONS, NormalizeOptions
from proxstate.normalize.propstring import PropertyStringError
from proxstate.normalize.snapshot import ENTRY as SNAPSHOT_ENTRY
from proxstate.normalize.snapshot import normalize_snapshot_config
from proxstate.normalize.values import natural_key, plain, typed
from proxstate.resources.catalog import ENTRIES, Entry
from proxstate.resources.ids import ResourceId
from proxstate.resources.inventory import RawDeclared
from proxstate.resources.kinds import STORAGE

_BY_PATH = {entry.path: entry for entry in ENTRIES}
_ALWAYS_DROPPED = frozenset({"digest"})
# Keys of backup jobs and vzdump defaults that share the storage key's format (`prune-backups`).
_AS_STORAGE = frozenset({"prune-backups"})
# Lists that are sets (pve-access-control and pve-manager build them from hash keys), by path.
_SETS: dict[str, tuple[str, ...]] = {
    "/pools/{poolid}": ("members",),
    "/access/groups/{groupid}": ("members",),
    "/access/users/{userid}": ("groups",),
}


@cache
def _data() -> dict[str, Any]:
    text = (resources.files("proxstate.normalize") / "data" / "declared-types.json").read_text(
        encoding="utf-8"
    )
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _types() -> dict[str, dict[str, str]]:
    types: dict[str, dict[str, str]] = _data()["types"]
    return types


def declared_defaults(path: str) -> dict[str, Any]:
    """The defaults the official schema declares for the fields of one catalog path, as PVE writes
    them (`0`, `"keep-all=1"`)."""
    defaults: dict[str, Any] = _data()["defaults"].get(path, {})
    return defaults


def _as_storage(key: str, value: Any) -> Any:
    """A value typed exactly as the storage config key of that name is: PVE sends a property
    string (`keep-last=3,keep-daily=7`, older versions and vzdump defaults) or, for backup jobs,
    the parsed object with string values; both are recorded as the storage's typed mapping."""
    text = value
    if isinstance(value, dict):
        try:
            text = build_config_value(STORAGE, key, {str(k): plain(v) for k, v in value.items()})
        except PropertyStringError:
            return plain(value)
    return normalize_value(STORAGE, key, text)


def _clean(value: Any, *, entry: Entry, types: dict[str, str], options: NormalizeOptions) -> Any:
    """Typed, sorted, without dropped keys, secrets masked; nested mappings alike."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for key in sorted(value, key=lambda k: natural_key(str(k))):
            name = str(key)
            if name in _ALWAYS_DROPPED or name in entry.drop:
                continue
            if entry.keep_only and name not in entry.keep_only:
                continue
            item = value[key]
            if name in entry.secrets or name in options.mask_keys:
                out[name] = (
                    mask_value(item, key=name, secret=options.mask_secret) if item not in (None, "") else item
                )
            elif name in _AS_STORAGE and item not in (None, ""):
                out[name] = _as_storage(name, item)
            elif name in types and not isinstance(item, dict | list):
                out[name] = typed(item, types[name])
            else:
                out[name] = _clean(item, entry=entry, types=types, options=options)
        return out
    if isinstance(value, list):
        return [_clean(item, entry=entry, types=types, options=options) for item in value]
    return plain(value)


def clean_value(entry: Entry, key: str, value: Any) -> Any:
    """One field's value as it is recorded in a document of the entry (typed, nested keys sorted)."""
    types = _types().get(entry.path, {})
    return _clean({key: value}, entry=entry, types=types, options=DEFAULT_OPTIONS).get(key)


def _entries(items: list[Any], *, entry: Entry) -> Any:
    if entry.key:
        keyed = {str(item.get(entry.key)): item for item in items if isinstance(item, dict)}
        return {
            key: {k: v for k, v in keyed[key].items() if k != entry.key}
            for key in sorted(keyed, key=natural_key)
        }
    if any(isinstance(item, dict) and "pos" in item for item in items):
        # Firewall rules apply in their order, which is the list's; `pos` only repeats it (and would
        # make a rule inserted at the top change every rule below it).
        ordered = sorted(items, key=lambda item: item.get("pos", 0) if isinstance(item, dict) else 0)
        return [without_position(item) for item in ordered]
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))


def without_position(rule: Any) -> Any:
    return {k: v for k, v in rule.items() if k != "pos"} if isinstance(rule, dict) else rule


def sort_sets(path: str, config: dict[str, Any]) -> dict[str, Any]:
    """The lists of a config that are sets, sorted: PVE answers them in the order of a Perl hash,
    which changes from one request to the next (a pool's members, a group's users)."""
    for name in _SETS.get(path, ()):
        value = config.get(name)
        if isinstance(value, list):
            config[name] = sorted(value, key=_member_key)
    return config


def _member_key(item: Any) -> str:
    if isinstance(item, dict):
        return str(item.get("id", json.dumps(item, sort_keys=True)))
    return json.dumps(item, sort_keys=True)


def normalize_declared(raw: RawDeclared, *, options: NormalizeOptions = DEFAULT_OPTIONS) -> dict[str, Any]:
    if raw.entry == SNAPSHOT_ENTRY:
        return normalize_snapshot_config(raw, options=options)
    entry = _BY_PATH[raw.entry]
    rid = ResourceId.parse(raw.resource_id)
    document: dict[str, Any] = {"kind": rid.kind}
    if rid.tail:
        document["id"] = rid.tail
    for name, value in sorted(raw.listed.items()):
        document[name] = plain(value)
    types = _types().get(entry.path, {})
    data = raw.data
    if entry.mode == "text" or isinstance(data, str):
        document["text"] = plain(data) if data is not None else ""
    elif isinstance(data, list):
        document["entries"] = _entries(_clean(data, entry=entry, types=types, options=options), entry=entry)
    elif isinstance(data, dict):
        config = _clean(data, entry=entry, types=types, options=options)
        if entry.mode == "items" and entry.key:
            config.pop(entry.key, None)  # it is the last part of the resource id
        document["config"] = sort_sets(entry.path, config)
    else:
        document["value"] = plain(data)
    changes = raw.beside.get("changes")
    if isinstance(changes, str) and changes and "entries" in document:
        # PVE listed the pending file (/etc/network/interfaces.new), not what is applied: that is
        # the recorded `entries`, which the plan keeps (proxstate.app.plan).
        document["pending"] = {"entries": document.pop("entries"), "changes": changes}
    apply_ignore_rules(raw.resource_id, document, options.ignore)
    return document
