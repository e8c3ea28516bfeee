"""The snapshots the site shows, each with its change report: one walk over the history, oldest
first, computing what the cache (site/cache.py) does not hold yet.

A snapshot is a commit that changed something under `clusters/`. Its report is show-changes' own
(app/changes.py: `compared` then `report_of`, attribution included) between the commit and its
parent. The walk asks git which files each snapshot changed (one `git diff-tree --stdin` for all
of them), reads their contents a few dozen snapshots at a time (one `git cat-file`), and keeps what
it needs from one snapshot to the next: each file's last version decoded (the old side of its next
change) and the recorded tasks and cluster log that attribution reads, decoded once per version.
What it decoded of the newest snapshot is handed on as the record now (site/current.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from proxstate import __version__
from proxstate.app.actorlabels import actor_labels, log_entries_of
from proxstate.app.changes import compared, report_of, tasks_of
from proxstate.app.migrate import check_readable
from proxstate.app.record import read_document
from proxstate.app.revisions import commit_info
from proxstate.config import CONFIG_LIMIT
from proxstate.errors import DocumentError, ProxstateError, RevisionError, UsageError
from proxstate.resources.documents import Document, decode_document
from proxstate.resources.stateformat import CONFIG_FILE, FORMAT_VERSION
from proxstate.site.cache import SnapshotCache
from proxstate.site.describe import snapshot_of, unreadable_snapshot
from proxstate.site.model import Snapshot
from proxstate.store import CommitInfo, StateRepo
from proxstate.store.history import BlobChange, PathChange
from proxstate.store.layout import CLUSTERS_DIR, cluster_dir
from proxstate.store.revisions import DATE_FORMS
from proxstate.store.safefs import read_file
from proxstate.yamlio import Versions

_AUX = ("tasks", "cluster-log")  # the folders attribution reads, under each cluster's


@dataclass(frozen=True)
class Walked:
    snapshots: list[Snapshot]  # oldest first
    computed: int  # how many reports were computed (the others came from the cache)
    decoded: dict[bytes, Document | None]  # documents the walk decoded, by content


def _is_aux(path: str) -> bool:
    parts = path.split("/", 3)
    return len(parts) == 4 and parts[2] in _AUX


def snapshot_commits(repo: StateRepo, *, since: str | None, prefix: str) -> list[CommitInfo]:
    """The commits that changed something under `prefix`, oldest first; with `since`, those after
    the commit it names, or after the last commit at or before the date it names (as show-changes
    --since reads it: nothing recorded before that date, every snapshot is shown)."""
    scope = [prefix.rstrip("/")]
    if since is None:
        return list(reversed(repo.commits(paths=scope)))
    if not repo.names_commit_or_date(since):
        raise UsageError(
            f"--since {since!r} is neither a date nor a commit; give a date ({DATE_FORMS}) "
            "or a commit, branch or tag"
        )
    try:
        base: str | None = repo.resolve(since)
    except RevisionError:
        base = None  # nothing was recorded before that date
    return list(reversed(repo.commits(rev_range=f"{base}..HEAD" if base else None, paths=scope)))


def _namespace(repo: StateRepo, cluster: str | None) -> str:
    """What a cached report depends on besides its commit: proxstate's version, the record's
    format, the actor labels of proxstate.yaml, the cluster asked for."""
    try:
        config = read_file(repo.root, CONFIG_FILE, limit=CONFIG_LIMIT) or b""
    except ProxstateError:  # a link or a FIFO there: no labels, as actor_labels reads it
        config = b""
    digest = hashlib.sha256(config).hexdigest()[:16]
    return f"{__version__}/{FORMAT_VERSION}/{digest}/{cluster or ''}"


def walk(repo: StateRepo, *, since: str | None, cluster: str | None = None) -> Walked:
    check_readable(repo)
    prefix = f"{cluster_dir(cluster)}/" if cluster else f"{CLUSTERS_DIR}/"
    infos = snapshot_commits(repo, since=since, prefix=prefix)
    cache = SnapshotCache(repo.common_dir, _namespace(repo, cluster))
    cached = {info.sha: cache.get(info.sha) for info in infos}
    missing = [info for info in infos if cached[info.sha] is None]
    walker = _Walker(repo, prefix, {info.sha: info for info in infos})
    for snapshot in walker.compute(missing):
        cache.put(snapshot)
        cached[snapshot.sha] = snapshot
    snapshots = [found for info in infos if (found := cached[info.sha]) is not None]
    return Walked(snapshots=snapshots, computed=len(missing), decoded=walker.memo)


class _Walker:
    """Computes snapshot reports in history order, carrying state from one to the next."""

    CHUNK = 64  # snapshots whose changed files are read from git together

    def __init__(self, repo: StateRepo, prefix: str, infos: dict[str, CommitInfo]) -> None:
        self.repo = repo
        self.prefix = prefix
        self.label = actor_labels(repo.root)
        self.infos = infos
        self.at: str | None = None  # the commit `aux` and `content_at` describe
        self.aux: dict[str, str] = {}  # path -> blob id of the tasks and cluster log files
        self.decoded_aux: dict[str, Document] = {}  # blob id -> decoded
        # The content of each file as the walk last saw it, and what its versions decode to: the old
        # side of a change is the new side of an earlier one, decoded once.
        self.content_at: dict[str, bytes] = {}
        self.memo: dict[bytes, Document | None] = {}
        # Each resource's versions decoded only in the entries that changed, sharing the others
        # (yamlio.Versions), which the comparison then passes over without walking them.
        self.versions: dict[str, Versions] = {}

    def compute(self, infos: list[CommitInfo]) -> Iterator[Snapshot]:
        """The snapshots of `infos` (oldest first), computed."""
        pairs = [(info.sha, info.parents[0]) for info in infos if info.parents]
        changed = self.repo.changed_blobs_of(pairs, prefix=self.prefix)
        for start in range(0, len(infos), self.CHUNK):
            chunk = infos[start : start + self.CHUNK]
            for info in chunk:
                if not info.parents:
                    changed[info.sha] = self.repo.changed_blobs(None, info.sha, prefix=self.prefix)
            blobs = {blob for info in chunk for _p, _s, *sides in changed[info.sha] for blob in sides if blob}
            contents = self.repo.read_blobs(blobs)
            for info in chunk:
                try:
                    snapshot = self.snapshot(info, changed.pop(info.sha), contents)
                except DocumentError as error:
                    # As show-changes of that commit would: the document is named, never read as
                    # empty. The site goes on; the walk starts again from the next one's parent.
                    self.at = None
                    snapshot = unreadable_snapshot(info, str(error))
                yield snapshot

    def snapshot(
        self, info: CommitInfo, changed: list[BlobChange], contents: dict[str, bytes | None]
    ) -> Snapshot:
        parent = info.parents[0] if info.parents else None
        if self.at != parent:
            # Not the snapshot the walk saw last (the ones between came from the cache).
            listed = self.repo.blob_ids(parent, self.prefix) if parent else {}
            self.aux = {path: blob for path, blob in listed.items() if _is_aux(path)}
            self.content_at, self.memo, self.versions = {}, {}, {}
        for path, _status, _old, new in changed:
            if _is_aux(path):
                if new is None:
                    self.aux.pop(path, None)
                else:
                    self.aux[path] = new
        self.at = info.sha
        paths = sorted(
            (
                PathChange(
                    path=path,
                    status=status,
                    old=contents.get(old) if old else None,
                    new=contents.get(new) if new else None,
                )
                for path, status, old, new in changed
            ),
            key=lambda change: change.path,
        )
        changes = compared(paths, base=parent, target=info.sha, read=self._read)
        self._moved(paths)
        base = None if parent is None else self.infos.get(parent) or commit_info(self.repo, parent)
        changeset = report_of(
            changes,
            base=base,
            target=info,
            tasks=lambda near: [t for doc in self._aux("tasks", near) for t in tasks_of(doc)],
            log=lambda near: [e for doc in self._aux("cluster-log", near) for e in log_entries_of(doc)],
            label=self.label,
        )
        return snapshot_of(info, changeset)

    def _read(self, content: bytes, name: str, resource_id: str) -> Document | None:
        if content not in self.memo:
            versions = self.versions.setdefault(resource_id, Versions())
            self.memo[content] = read_document(content, name=name, resource_id=resource_id, versions=versions)
        return self.memo[content]

    def _moved(self, paths: list[PathChange]) -> None:
        """The walk is now at the snapshot whose changes are `paths`: forget the versions no file
        holds any more (now and then, not at every snapshot)."""
        for change in paths:
            if change.new is None:
                self.content_at.pop(change.path, None)
            else:
                self.content_at[change.path] = change.new
        if len(self.memo) > 2 * len(self.content_at) + 1000:
            self.memo = {
                content: self.memo[content] for content in self.content_at.values() if content in self.memo
            }
        current = set(self.aux.values())
        for blob in [blob for blob in self.decoded_aux if blob not in current]:
            del self.decoded_aux[blob]

    def _aux(self, folder: str, near: Callable[[str], bool]) -> list[Document]:
        """The decoded files of `folder` (tasks/ or cluster-log/) that `near` accepts, at `self.at`."""
        wanted = {
            path: blob for path, blob in self.aux.items() if path.split("/", 3)[2] == folder and near(path)
        }
        missing = {blob: path for path, blob in wanted.items() if blob not in self.decoded_aux}
        for blob, content in self.repo.read_blobs(missing).items():
            name = f"{missing[blob]} at {(self.at or '')[:12]}"
            self.decoded_aux[blob] = decode_document(content or b"", mode="strict", name=name)
        return [self.decoded_aux[wanted[path]] for path in sorted(wanted)]
