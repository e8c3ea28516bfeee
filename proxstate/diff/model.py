"""The change model: what changed between two states of the recorded documents.

A `ChangeSet` holds one `ResourceChange` per resource that differs, each with its field-level
`FieldChange`s. Everything is frozen and made of plain values, so renderers and callers can rely
on it not moving under them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, NamedTuple

from proxstate.resources.kinds import BUILTIN_KINDS, TASK, TASKS, split_kind


class ChangeClass(StrEnum):
    """What kind of change a field change is; the declaration order is the display order."""

    ADDED = "added"
    REMOVED = "removed"
    # Firewall, access control (users, groups, roles, ACL, tokens, TFA, realms), ACME certificates:
    # a resource class (never a field's), so that a reviewer finds such changes first.
    SECURITY = "security"
    MIGRATED = "migrated"
    POWER = "power"
    RESIZED = "resized"
    HARDWARE = "hardware"
    NETWORK = "network"
    PENDING = "pending"
    SNAPSHOT = "snapshot"
    TAGS = "tags"
    POOL = "pool"
    HA = "ha"
    LOCK = "lock"
    TEMPLATE = "template"
    TASK = "task"
    CONFIG = "config"


_CLASS_ORDER = {change_class: index for index, change_class in enumerate(ChangeClass)}

# Normalization writes `<masked>` or `<masked:HEX>` (a keyed hash) in place of a secret value.
_MASKED = re.compile(r"<masked(?::[0-9A-Fa-f]*)?>")


def is_masked(value: Any) -> bool:
    """True if `value` is, or contains anywhere inside, a masked secret."""
    if isinstance(value, str):
        return _MASKED.fullmatch(value) is not None
    if isinstance(value, dict):
        return any(is_masked(item) for item in value.values())
    if isinstance(value, list | tuple):
        return any(is_masked(item) for item in value)
    return False


def ordered_classes(classes: set[ChangeClass] | list[ChangeClass]) -> tuple[ChangeClass, ...]:
    """The distinct classes in their fixed display order."""
    return tuple(sorted(set(classes), key=_CLASS_ORDER.__getitem__))


@dataclass(frozen=True, kw_only=True)
class ElementChange:
    """One element of a collection (a firewall rule, an IP-set entry, a task) that changed.

    `key` identifies the element (a cidr, a UPID, an ACL entry's path, user and role; for a list
    identified by content, its one-line description); `label` describes it on one line. Positions
    count from 1 and are set for lists only. `changes` are the fields of a changed element:
    (dotted path inside the element, old, new), None on the side where a field is absent.
    """

    action: Literal["added", "removed", "changed", "moved"]
    noun: str
    key: str
    label: str
    title: str = ""  # how reports name it: `entry 203.0.113.0/24`; `rule` (with its position)
    old: Any = None
    new: Any = None
    old_position: int | None = None
    new_position: int | None = None
    changes: tuple[tuple[str, Any, Any], ...] = ()
    reordered: bool = False  # moved against the others, not just shifted by an insertion or removal

    @property
    def secret(self) -> bool:
        return is_masked(self.old) or is_masked(self.new)


@dataclass(frozen=True)
class FieldChange:
    """One changed field: a dotted path into the document, old and new values (None when absent).

    A collection (a list, or a mapping of elements such as IP-set entries by cidr) also says which
    of its elements changed (`elements`)."""

    path: str
    action: Literal["added", "removed", "changed"]
    old: Any
    new: Any
    change_class: ChangeClass
    elements: tuple[ElementChange, ...] = ()

    @property
    def secret(self) -> bool:
        """True when either side holds a masked secret: such values are never shown."""
        return is_masked(self.old) or is_masked(self.new)


@dataclass(frozen=True)
class Attribution:
    """Who made a change, from which record PVE keeps, and how sure that is (diff/attribution.py).

    `source`: `task` (`task_type`, `upid`), `cluster-log` (`message`, `entry` = `<uid>:<node>`) or
    `none` (unattributed: PVE recorded no author). `confidence`: `exact` when one record explains
    the change, `likely` when several could, `none` without any. `fields`: the changed fields it
    explains. `label`: what proxstate.yaml calls the login (`automation: terraform`).
    """

    user: str  # the login that made it (`alice@pve!ci`); empty when unattributed
    task_type: str
    time: str  # ISO-8601 UTC, e.g. 2026-11-25T10:02:00Z; empty when unattributed
    upid: str
    source: Literal["task", "cluster-log", "none"] = "task"
    confidence: Literal["exact", "likely", "none"] = "likely"
    message: str = ""
    entry: str = ""
    fields: tuple[str, ...] = ()
    label: str | None = None

    @property
    def actor(self) -> str | None:
        """The login that made the change; None when unattributed."""
        return self.user or None


@dataclass(frozen=True)
class ResourceChange:
    """All changes of one resource between the two states."""

    cluster: str
    resource_id: str
    action: Literal["added", "removed", "modified"]
    name: str | None
    fields: tuple[FieldChange, ...]
    classes: tuple[ChangeClass, ...]
    attribution: tuple[Attribution, ...] = ()
    # An added or removed resource: what it is, in a few facts (a guest's name, node, cores, ...),
    # and its whole document for `--full` (`whole_document`): as a mapping, or as its recorded bytes
    # (`encoded`), which a sync keeps instead, since a first sync adds every resource of the cluster.
    facts: tuple[tuple[str, Any], ...] = ()
    document: Any = None
    encoded: bytes | None = field(default=None, repr=False)

    @property
    def whole_document(self) -> Any:
        """The whole document of an added or removed resource (None for a modified one), decoded
        from its bytes when it is held encoded: only the reports that show it (`--full`) read it."""
        if self.document is not None or self.encoded is None:
            return self.document
        from proxstate.resources.documents import decode_document  # yamlio: only when shown

        return decode_document(self.encoded, mode="tolerant")


@dataclass(frozen=True)
class CommitRef:
    """A commit of the state repository, as reports show it."""

    sha: str
    short: str
    date: str
    subject: str


@dataclass(frozen=True, kw_only=True)
class LogEntry:
    """One commit in the history of a resource, with the change it made there."""

    commit: CommitRef
    author: str
    change: ResourceChange
    base: CommitRef | None = None  # the commit that recorded the resource before; None: first record


@dataclass(frozen=True)
class Unreadable:
    """A resource that could not be read: its state (and so its drift) is unknown."""

    cluster: str
    resource_id: str
    reason: str


class Counts(NamedTuple):
    """How many resources were added, modified and removed."""

    added: int
    modified: int
    removed: int


# Kinds in the order reports list them; unknown kinds come after these, alphabetically.
_KIND_ORDER = {kind: rank for rank, kind in enumerate(BUILTIN_KINDS)} | {TASK: BUILTIN_KINDS.index(TASKS)}
_DIGITS = re.compile(r"(\d+)")


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key that orders digit runs by value: `qemu/9` before `qemu/10`, `net2` before `net10`."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in _DIGITS.split(text) if part != ""
    )


def resource_sort_key(cluster: str, resource_id: str) -> tuple[Any, ...]:
    """Order of resources in a ChangeSet: cluster, then kind, then the id in natural order."""
    kind, rest = split_kind(resource_id)
    rank = _KIND_ORDER.get(kind, len(_KIND_ORDER))
    return (cluster, rank, kind, natural_key(rest))


@dataclass(frozen=True)
class ChangeSet:
    """The changes between `base` and `target` (None = the live cluster, for drift).

    Resources and unreadable entries are kept sorted whatever order they are given in.
    """

    base: CommitRef | None
    target: CommitRef | None
    resources: tuple[ResourceChange, ...]
    unreadable: tuple[Unreadable, ...] = field(default=())

    def __post_init__(self) -> None:
        # Frozen, so the canonical order is set once here rather than trusted to every caller.
        ordered = tuple(sorted(self.resources, key=lambda r: resource_sort_key(r.cluster, r.resource_id)))
        unreadable = tuple(sorted(self.unreadable, key=lambda u: resource_sort_key(u.cluster, u.resource_id)))
        object.__setattr__(self, "resources", ordered)
        object.__setattr__(self, "unreadable", unreadable)

    @property
    def counts(self) -> Counts:
        """Resources added, modified and removed."""
        actions = [resource.action for resource in self.resources]
        return Counts(actions.count("added"), actions.count("modified"), actions.count("removed"))

    @property
    def is_empty(self) -> bool:
        """True when no resource changed (unreadable resources are reported separately)."""
        return not self.resources
