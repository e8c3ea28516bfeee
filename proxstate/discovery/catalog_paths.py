"""The catalog's templates filled in: which values of `{node}`, `{type}`, `{vmid}` and `{snapname}`
an entry is read for, its paths (each value percent-encoded) and its resource ids (with `*` for
what could not be known, a glob that keeps the matching documents), and which errors say that an
optional feature is absent rather than failed.
"""

from __future__ import annotations

import functools
import re
import string
from collections.abc import Iterable
from urllib.parse import quote

from proxstate.errors import ApiError, NotFound
from proxstate.resources.catalog import Entry
from proxstate.resources.inventory import RawGuest

Binding = dict[str, str]
LISTED = "listed:"  # binding keys holding the entry's `listed` fields of its source item

_ABSENT_WORDS = re.compile(
    r"not installed|not initialized|no such file|not supported|ENOENT",
    re.IGNORECASE,
)


@functools.lru_cache(maxsize=256)
def fields_of(template: str) -> tuple[str, ...]:
    # The catalog has a few dozen templates, filled once per guest each: parse each once.
    return tuple(name for _, name, _, _ in string.Formatter().parse(template) if name)


def fill(template: str, binding: Binding, *, escape: bool) -> str:
    """The template with its known fields filled; unknown ones become `*` (a glob)."""
    values = {
        name: (quote(binding[name], safe="") if escape else binding[name]) if name in binding else "*"
        for name in fields_of(template)
    }
    return template.format(**values)


def is_absent(error: ApiError) -> bool:
    """PVE's ways of saying a feature or an item is not there, as opposed to a failure."""
    if isinstance(error, NotFound) or error.status == 501:
        return True
    return error.status in (400, 500) and bool(_ABSENT_WORDS.search(error.message))


def base_bindings(entry: Entry, *, nodes: list[str], guests: Iterable[RawGuest]) -> list[Binding]:
    """The values of {node}, {type}, {vmid} and {snapname} an entry is read for."""
    if entry.scope == "cluster":
        return [{}]
    if entry.scope == "node":
        return [{"node": node} for node in nodes]
    if entry.scope == "any-node":
        return []  # the node serving Ceph is found by catalog_reads.DeclaredReader
    out: list[Binding] = []
    for guest in guests:
        if guest.kind not in entry.guest_types:
            continue
        binding = {"node": guest.node, "type": guest.kind, "vmid": str(guest.vmid)}
        if "snapname" in fields_of(entry.path):
            names = [
                str(s.get("name")) for s in guest.snapshots or [] if s.get("name") not in (None, "current")
            ]
            out.extend({**binding, "snapname": name} for name in names)
        else:
            out.append(binding)
    return out


__all__ = ["LISTED", "Binding", "base_bindings", "fields_of", "fill", "is_absent"]
