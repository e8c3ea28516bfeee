"""The shape an answer must have before it may replace what is recorded.

An answer that is `null`, an object where the schema promises a list, a list of strings where it
promises objects, or list items without the field that names them would otherwise be recorded as
"everything is gone" (a list read as empty) or as a document of nothing. Each such answer is a
ProtocolError instead: the reader turns it into a failure of that resource, which keeps its last
state and makes the sync exit 3.

The expected shape of a catalog entry follows from its mode (`object`, `list`, `items`, `text`),
which tests/test_answers.py checks against the `returns` of the official schema for every entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from proxstate.api.errors import display_path
from proxstate.errors import ProtocolError
from proxstate.resources.catalog import Entry

Shape = Literal["object", "list", "text"]

# Handlers that answer `null` when the thing they read is not configured, which is not an error:
# pve-cluster's PVE::API2::ClusterConfig `totem` returns `$conf->{main}->{totem}`, undef on a host
# that is not part of a cluster (no corosync.conf).
NULL_MEANS_ABSENT = frozenset({"/cluster/config/totem"})


def shape_of(entry: Entry) -> Shape:
    """What the entry's answer must be: one object, a list of objects, or text."""
    if entry.mode in ("list", "items"):
        return "list"
    return "text" if entry.mode == "text" else "object"


def _what(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "text"
    return "a boolean" if isinstance(value, bool) else "a number"


def _fail(path: str, detail: str) -> ProtocolError:
    where = f"GET {display_path(path)}"
    return ProtocolError(f"unexpected answer from PVE at {where}: {detail}", path=path)


def _names(value: object) -> bool:
    """A usable name for an item: a non-empty string or an integer (PVE sends ids both ways)."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, str) and value != "")


def check_shape(data: Any, shape: Shape, *, path: str, key: str | None = None) -> None:
    """ProtocolError unless `data` is of `shape`; for a list, every item an object that has a
    usable `key` (when one is given)."""
    if shape == "text":
        if not isinstance(data, str):
            raise _fail(path, f"expected text, got {_what(data)}")
        return
    if shape == "object":
        if not isinstance(data, Mapping):
            raise _fail(path, f"expected an object, got {_what(data)}")
        return
    if not isinstance(data, list):
        raise _fail(path, f"expected a list of objects, got {_what(data)}")
    for index, item in enumerate(data):
        if not isinstance(item, Mapping):
            raise _fail(path, f"item {index} is {_what(item)}, not an object")
        if key is not None and not _names(item.get(key)):
            raise _fail(path, f"item {index} has no {key!r}")


def check_entry_answer(entry: Entry, data: Any, *, path: str) -> bool:
    """True when the answer may be recorded for the entry, False when it says the thing is not
    configured (see NULL_MEANS_ABSENT); ProtocolError when it has the wrong shape."""
    if data is None and entry.path in NULL_MEANS_ABSENT:
        return False
    # An item of `items` mode is a document named by its key: without one it cannot be filed. A
    # `list` document only sorts by its key, and PVE leaves it out of some entries of some lists
    # (a corosync node list written before node names were required has no `name`).
    key = entry.key if entry.mode == "items" else None
    check_shape(data, shape_of(entry), path=path, key=key)
    return True


def check_source_answer(data: Any, *, path: str, field: str) -> None:
    """A source list (`/access/users` for `{userid}`) must be a list of objects naming each item."""
    check_shape(data, "list", path=path, key=field)
