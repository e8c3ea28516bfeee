"""What the site shows, as plain values: the snapshots, their changes, the record now.

The page modules read a `SiteData` and never the repository: the walk over the history
(site/history.py) and the read of the current record (site/current.py) fill it once. Every value
is plain data (text, numbers, lists), so a snapshot's part is kept as JSON between builds
(site/cache.py) and a rebuild after one more snapshot computes one report.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True, kw_only=True)
class Row:
    """One line of a field change: `path` (the field, or the field and an element of it), the old
    and new values as one-line text ("" where absent), and `action` (added, removed, changed,
    moved, kept: a list's elements that only shifted)."""

    path: str
    old: str
    new: str
    action: str
    change_class: str = ""


@dataclass(frozen=True, kw_only=True)
class Change:
    """What one snapshot changed in one resource, with who made it."""

    cluster: str
    resource_id: str
    name: str
    action: str  # added, removed, modified
    classes: tuple[str, ...]
    actor: str  # the login that made the change, or "" (unattributed)
    attributions: tuple[str, ...]  # one line per attribution, as the text report writes them
    rows: tuple[Row, ...]


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """One commit of the record that changed something under clusters/."""

    sha: str
    short: str
    date: str  # ISO 8601 with its offset, as git gives it
    subject: str
    author: str
    classes: Mapping[str, int]  # change class -> number of resources with a change of that class
    changes: tuple[Change, ...]
    report: str  # the text report of show-changes for this commit (no colour)
    error: str = ""  # why its report could not be made (a document of it that does not load)

    @property
    def day(self) -> str:
        return self.date[:10]


@dataclass(frozen=True, kw_only=True)
class Resource:
    """A resource recorded now: its document decoded, and as stored (YAML text)."""

    cluster: str
    resource_id: str
    path: str  # its file in the record: clusters/<cluster>/qemu/101.yaml
    document: Mapping[str, Any]
    text: str


@dataclass(kw_only=True)
class SiteData:
    """Everything the pages are made from."""

    head: str  # the commit the site shows
    clusters: list[str]
    resources: dict[str, dict[str, Resource]]  # cluster -> resource id -> resource, now
    snapshots: list[Snapshot]  # oldest first, from --since (all when not given)
    history: dict[tuple[str, str], list[tuple[Snapshot, Change]]] = field(default_factory=dict)
    commit_url: Callable[[str], str | None] = lambda sha: None
    since: str | None = None  # --since as given: the history shown starts there
    drift_report: Path | None = None
    repo_root: Path | None = None

    def index_history(self) -> None:
        """Each resource's changes, newest first, from the snapshots."""
        self.history = {}
        for snapshot in reversed(self.snapshots):
            for change in snapshot.changes:
                self.history.setdefault((change.cluster, change.resource_id), []).append((snapshot, change))

    def last_change(self, cluster: str, resource_id: str) -> tuple[Snapshot, Change] | None:
        found = self.history.get((cluster, resource_id))
        return found[0] if found else None
