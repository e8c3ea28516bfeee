"""Documents of storage definitions (`storage/<id>`) and their content (`content/<node>/<id>`)."""

from __future__ import annotations

from typing import Any

from proxstate.normalize.config import normalize_config, sorted_keys
from proxstate.normalize.ignore import apply_ignore_rules
from proxstate.normalize.options import DEFAULT_OPTIONS, NormalizeOptions
from proxstate.normalize.rules import VOLATILE_KEYS
from proxstate.normalize.values import bool_or_keep, int_or_keep, plain
from proxstate.resources.inventory import Payload, RawContent, RawStorage
from proxstate.resources.kinds import CONTENT, STORAGE

# Volume fields with a type: sizes and times are integers, `protected` a flag.
_VOLUME_INTEGERS = frozenset({"size", "vmid", "ctime"})
_VOLUME_BOOLEANS = frozenset({"protected"})
_VOLUME_FIRST = ("content", "format", "size", "vmid", "notes", "protected", "ctime", "parent", "verification")


def storage_id(storage: RawStorage) -> str:
    return f"{STORAGE}/{storage.storage}"


def content_id(content: RawContent) -> str:
    return f"{CONTENT}/{content.node}/{content.storage}"


def _node_state(entry: Payload) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for key in ("enabled", "active"):
        if entry.get(key) is not None:
            state[key] = bool_or_keep(entry[key])
    return state


def normalize_storage(storage: RawStorage, *, options: NormalizeOptions = DEFAULT_OPTIONS) -> dict[str, Any]:
    """A storage definition (typed from the schema) and, per node, whether it is enabled and active."""
    definition = storage.definition
    document: dict[str, Any] = {"kind": STORAGE, "storage": storage.storage}
    storage_type = definition.get("type")
    if isinstance(storage_type, str) and storage_type:
        document["type"] = storage_type
    document["config"] = normalize_config(STORAGE, definition, options=options)
    per_node = {str(node): entry for node, entry in storage.per_node.items() if isinstance(entry, dict)}
    nodes = {node: _node_state(per_node[node]) for node in sorted_keys(per_node)}
    if nodes:
        document["nodes"] = nodes
    apply_ignore_rules(storage_id(storage), document, options.ignore)
    return document


def _volume(entry: Payload) -> dict[str, Any]:
    dropped = VOLATILE_KEYS[CONTENT]
    volume: dict[str, Any] = {}
    rest = sorted(key for key in entry if key not in _VOLUME_FIRST)
    for key in (*_VOLUME_FIRST, *rest):
        if key == "volid" or key in dropped or entry.get(key) is None:
            continue
        value = entry[key]
        if key in _VOLUME_INTEGERS:
            volume[key] = int_or_keep(value)
        elif key in _VOLUME_BOOLEANS:
            volume[key] = bool_or_keep(value)
        else:
            volume[key] = plain(value)
    return volume


def normalize_content(content: RawContent, *, options: NormalizeOptions = DEFAULT_OPTIONS) -> dict[str, Any]:
    """The volumes on one storage as seen from one node (or `_shared`), keyed by volume id."""
    volumes: dict[str, dict[str, Any]] = {}
    for entry in content.volumes:
        if not isinstance(entry, dict):
            continue
        volid = entry.get("volid")
        if isinstance(volid, str) and volid:
            volumes[volid] = _volume(entry)
    document: dict[str, Any] = {
        "kind": CONTENT,
        "storage": content.storage,
        "node": content.node,
        "volumes": {volid: volumes[volid] for volid in sorted_keys(volumes)},
    }
    apply_ignore_rules(content_id(content), document, options.ignore)
    return document
