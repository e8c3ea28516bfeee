"""Resource ids: what users type (`proxstate log qemu/101`), what reports show, what names a file.

The text form is `kind` alone or `kind/part/...`, and the kind decides how the rest splits:

- `cluster`, and a kind of the declarative configuration alone (`cluster-options`);
- `node/<name>`, `storage/<id>`, `qemu/<vmid>`, `lxc/<vmid>`: one name, whatever it holds (a
  name from the API may hold `/` or be `..` or empty: proxstate.store.layout escapes it, so it is
  recorded safely instead of refused); `cluster-log/<YYYY-MM-DD>`: one UTC day;
- `content/<node>/<storage>`, `tasks/<node>/<YYYY-MM-DD>`: a node, then what follows the last `/`;
- the declarative kinds (proxstate.resources.catalog): `kind/part/...`, one part per `/`
  (`firewall/node/pve1/rules`, `guest-firewall/qemu/101/options`).

`ResourceId.parse` and `str()` are inverses; a text of no such shape is a ResourceIdError.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from proxstate.errors import ResourceIdError
from proxstate.resources.catalog import GUEST_OWNED_KINDS
from proxstate.resources.catalog import KINDS as CATALOG_KINDS
from proxstate.resources.kinds import (
    CLUSTER,
    CLUSTER_LOG,
    CONTENT,
    GUEST_KINDS,
    LXC,
    NODE,
    QEMU,
    STORAGE,
    TASKS,
)

__all__ = ["ResourceId"]

_VMID = re.compile(r"[0-9]{1,18}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_NAMED = frozenset({NODE, QEMU, LXC, STORAGE, CLUSTER_LOG})  # kind/<one name>
_ON_NODE = frozenset({CONTENT, TASKS})  # kind/<node>/<name>
_CATALOG = frozenset(CATALOG_KINDS)


@dataclass(frozen=True, slots=True)
class ResourceId:
    """One resource id: its kind and the parts after it (`qemu/101`: `qemu`, `("101",)`)."""

    kind: str
    parts: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise ResourceIdError(f"not a resource id: {str(self)!r} ({problem})")

    def _problem(self) -> str:
        kind, parts = self.kind, self.parts
        if not parts:
            return "" if kind == CLUSTER or kind in _CATALOG else "expected kind/name, e.g. qemu/101"
        if kind in GUEST_KINDS and not (len(parts) == 1 and _VMID.fullmatch(parts[0])):
            return f"a {kind} vmid is a number"
        if kind == CLUSTER_LOG:
            return "" if len(parts) == 1 and _DATE.fullmatch(parts[0]) else f"expected {kind}/YYYY-MM-DD"
        if kind in _NAMED:
            return "" if len(parts) == 1 else f"expected {kind}/<name>"
        if kind in _ON_NODE:
            if len(parts) != 2 or "/" in parts[1]:
                return f"expected {kind}/<node>/<name>"
            dated = kind != TASKS or _DATE.fullmatch(parts[1])
            return "" if dated else "expected tasks/<node>/YYYY-MM-DD"
        if kind in _CATALOG:
            return "" if not any("/" in part for part in parts) else f"expected {kind}/<part>/..."
        return f"unknown kind {kind!r}"

    @classmethod
    def parse(cls, text: str) -> ResourceId:
        """The id a text names; ResourceIdError, with a message for the user, for any other text."""
        if text == CLUSTER or text in _CATALOG:
            return cls(text)
        kind, sep, rest = text.partition("/")
        if not sep:
            raise ResourceIdError(f"not a resource id: {text!r} (expected kind/name, e.g. qemu/101)")
        if kind in _ON_NODE:
            # The storage id or date is what follows the last `/`, as the layout files it (PVE's
            # node names and storage ids hold none; a hostile API's may).
            node, sep, last = rest.rpartition("/")
            if not sep:
                raise ResourceIdError(f"not a resource id: {text!r} (expected {kind}/<node>/<name>)")
            return cls(kind, (node, last))
        if kind in _CATALOG:
            return cls(kind, tuple(rest.split("/")))
        return cls(kind, (rest,))

    @classmethod
    def parse_or_none(cls, text: str) -> ResourceId | None:
        """The id a text names, or None for a glob, a path or anything else that is not one."""
        try:
            return cls.parse(text)
        except ResourceIdError:
            return None

    def __str__(self) -> str:
        return "/".join((self.kind, *self.parts))

    @property
    def tail(self) -> str:
        """What follows the kind (`101` of `qemu/101`, `pve1/local` of `content/pve1/local`)."""
        return "/".join(self.parts)

    @property
    def node(self) -> str | None:
        """The node a node, content or tasks id names; None for other kinds."""
        return self.parts[0] if self.kind == NODE or self.kind in _ON_NODE else None

    @property
    def vmid(self) -> int | None:
        """The vmid of a guest id (`qemu/101`: 101); None for other kinds."""
        return int(self.parts[0]) if self.kind in GUEST_KINDS else None

    @property
    def guest(self) -> ResourceId | None:
        """The guest a guest's own document belongs to (`guest-firewall/qemu/101/rules`,
        `snapshot-config/lxc/200/before`: `qemu/101`, `lxc/200`); None for other kinds."""
        if self.kind not in GUEST_OWNED_KINDS or len(self.parts) < 2:
            return None
        kind, vmid = self.parts[:2]
        if kind not in GUEST_KINDS or not _VMID.fullmatch(vmid):
            return None
        return ResourceId(kind, (vmid,))
