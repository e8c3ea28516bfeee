"""What a run tells the notification targets, as plain data: the commits it made, the drift it
found, and how each cluster fared. The use cases (app/sync.py, app/drift.py) fill it in; the
dispatcher (dispatch.py) turns it into messages, one per target and event that has something new.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from proxstate.diff import ChangeSet, ResourceChange
from proxstate.notify.settings import Event, NotifyTarget
from proxstate.resources.kinds import split_kind


@dataclass(frozen=True, kw_only=True)
class CommitNews:
    """A commit a sync made for one cluster, and what changed in it."""

    cluster: str
    changeset: ChangeSet
    url: str | None = None  # the commit on the remote's web interface, when it has one


@dataclass(frozen=True, kw_only=True)
class Health:
    """How one configured cluster fared in a sync: `reason` is None when it was read in full."""

    cluster: str  # the name it is known by (proxstate.yaml's, or the one its API gives)
    label: str  # how the user configured it: `'lab' (https://pve1:8006)`
    reason: str | None = None


@dataclass(frozen=True, kw_only=True)
class RunNews:
    """Everything one run of sync or drift has to tell."""

    command: str  # "sync" or "drift"
    commits: tuple[CommitNews, ...] = ()
    drift: dict[str, ChangeSet] | None = None  # cluster -> its drift (empty: none); None: not a drift run
    health: tuple[Health, ...] = ()
    repository: str = ""  # the state repository's folder, for hooks


@dataclass(frozen=True, kw_only=True)
class Message:
    """One notification for one target."""

    target: NotifyTarget
    event: Event
    cluster: str
    title: str
    changeset: ChangeSet | None = None
    status: str = "new"  # new, reminder, recovered, resolved
    reason: str | None = None
    note: str | None = None  # the body of a message that has no report: a recovery, a drift gone
    since: str | None = None  # ISO 8601 UTC: when the failure began
    url: str | None = None
    state_key: str = ""  # where the state file remembers it was sent
    state_value: dict[str, Any] = field(default_factory=dict)


def wants_cluster(target: NotifyTarget, *names: str) -> bool:
    if not target.clusters:
        return True
    return any(fnmatch.fnmatchcase(name, pattern) for name in names for pattern in target.clusters)


def filtered(target: NotifyTarget, changeset: ChangeSet) -> ChangeSet:
    """The changes the target asked for: its kinds and classes (empty filters let everything by)."""

    def wanted(change: ResourceChange) -> bool:
        kind, _ = split_kind(change.resource_id)
        if target.kinds and kind not in target.kinds:
            return False
        return not target.classes or any(c.value in target.classes for c in change.classes)

    return ChangeSet(
        base=changeset.base,
        target=changeset.target,
        resources=tuple(change for change in changeset.resources if wanted(change)),
        unreadable=changeset.unreadable,
    )


def fingerprint(changeset: ChangeSet) -> str:
    """What makes two drifts the same: the resources and fields that differ and their live values."""
    parts = [
        [
            change.cluster,
            change.resource_id,
            change.action,
            [[f.path, f.action, f.new] for f in change.fields],
        ]
        for change in changeset.resources
    ]
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:32]
